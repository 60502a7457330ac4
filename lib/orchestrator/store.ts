/**
 * Session records: one `state/session.json` per session, written atomically, all loaded in memory.
 * The record on disk is the public Session plus a few internal fields (never sent to clients).
 */
import { readFile } from "node:fs/promises";
import type { Session } from "../api/schemas";
import { SessionNotFound } from "../errors";
import { writeFileAtomic } from "../fsutil";
import { sessionPaths } from "./paths";

export interface StoredSession extends Session {
  /** The operation in progress when the record was written; set means "interrupted" after a crash. */
  pending_op: string | null;
  /** The operation that failed, for a session in `failed`. */
  failed_op: string | null;
  /** Per repo: the branch and commit the session was copied from. */
  repo_bases: Record<string, { branch: string | null; head: string | null }>;
  /** Follow-up prompts not yet given to the agent, in order (persisted: never dropped). */
  prompt_queue: string[];
  /** The agent was interrupted mid-turn (stop, container gone, restart): the next start continues it. */
  agent_interrupted: boolean;
}

const PUBLIC_KEYS = [
  "id", "name", "state", "repos", "task", "image", "cpu", "memory_gb", "mcp_servers", "branch", "container_id",
  "created_at", "started_at", "updated_at", "finished_at", "error", "agent", "results",
] as const satisfies readonly (keyof Session)[];

/** The contract's Session, without internal fields: a snapshot that later changes do not reach. */
export function toPublic(s: StoredSession): Session {
  const out = {} as Record<string, unknown>;
  for (const k of PUBLIC_KEYS) out[k] = s[k];
  out.agent = { ...s.agent };
  out.repos = [...s.repos];
  out.mcp_servers = [...s.mcp_servers];
  out.results = s.results.map((r) => ({ ...r }));
  return out as Session;
}

export class SessionStore {
  private readonly sessions = new Map<string, StoredSession>();

  constructor(private readonly builddir: string) {}

  get(id: string): StoredSession {
    const s = this.sessions.get(id);
    if (!s) throw new SessionNotFound(id);
    return s;
  }

  has(id: string): boolean {
    return this.sessions.has(id);
  }

  all(): StoredSession[] {
    return [...this.sessions.values()];
  }

  /** Write the record atomically, then make it the one in memory. */
  async save(s: StoredSession): Promise<void> {
    s.updated_at = new Date().toISOString();
    await writeFileAtomic(sessionPaths(this.builddir, s.id).record, `${JSON.stringify(s, null, 2)}\n`);
    this.sessions.set(s.id, s);
  }

  /** Write the record without making it visible (a create in progress). */
  async writeHidden(s: StoredSession): Promise<void> {
    s.updated_at = new Date().toISOString();
    await writeFileAtomic(sessionPaths(this.builddir, s.id).record, `${JSON.stringify(s, null, 2)}\n`);
  }

  /** Put an already-written record in memory (start-up). */
  adopt(s: StoredSession): void {
    this.sessions.set(s.id, s);
  }

  forget(id: string): void {
    this.sessions.delete(id);
  }

  /** Read one record from disk; undefined when missing or unreadable. */
  static async read(builddir: string, id: string): Promise<StoredSession | { unreadable: string }> {
    let text: string;
    try {
      text = await readFile(sessionPaths(builddir, id).record, "utf8");
    } catch {
      return { unreadable: "no state/session.json" };
    }
    try {
      const s = JSON.parse(text) as StoredSession;
      s.pending_op ??= null;
      s.failed_op ??= null;
      s.repo_bases ??= {};
      s.prompt_queue ??= [];
      s.agent_interrupted ??= false;
      return s;
    } catch (err) {
      return { unreadable: `state/session.json is not valid JSON: ${(err as Error).message}` };
    }
  }
}
