/**
 * The orchestrator: one per process, shared by server.ts and the Next.js route handlers (through
 * globalThis, see global.ts). It owns the session records, the per-session locks, the operation log
 * and the container runtime, and implements every session operation. Each operation:
 * - takes the session's lock (a second call on the same session waits briefly, then -32006);
 * - checks the state machine (states.ts) before touching anything;
 * - writes the record atomically after each step, so a crash leaves something start-up can repair.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { chown, mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Session, SessionState } from "../api/schemas";
import type { z } from "zod";
import type { ResultSchema } from "../api/schemas";
type SessionResult = z.infer<typeof ResultSchema>;
import type { ContainerStatus, ExecResult, RuntimeStatus } from "../runtime";
import { ConfigError, type Config } from "../config";
import { AppError, InvalidParams, InvalidState, OperationFailed, RuntimeUnavailable } from "../errors";
import { appendStream, tailLines, TEMP_PREFIX, writeFileAtomic } from "../fsutil";
import { hasUncommittedChanges, resolveRepo } from "../repo";
import { createRuntime, START_ENGINE_HINT, type ContainerRuntime } from "../runtime";
import { DockerRuntime } from "../runtime/docker";
import { AGENT_HOME, agentUser, LABEL_BUILDDIR, LABEL_SESSION, sessionContainerSpec, WORKDIR } from "./container-spec";
import { copyRepo, loadBase, recordBase, saveBase, syncRepo, trashWorkspace, pruneTrash } from "../workspace";
import { agentCommand, agentEnv, interruptCommand, MCP_CONFIG_FILE, mcpConfig, redact, secretsOf, seedCredentials } from "../agent/command";
import { agentUpdateFrom, StreamJsonParser, userPromptEvent, type AgentUpdate, type TranscriptEventDraft } from "../agent/transcript";
import { finishRepo } from "../forge/finish";
import { diffRepo } from "../workspace/diff";
import { SessionLocks, Semaphore } from "./locks";
import { TranscriptStore } from "./transcripts";
import { OpLog } from "./oplog";
import { DESTROYING_PREFIX, LOG_KINDS, OPLOG_DIR, sessionPaths, TRASH_DIR, type LogKind } from "./paths";
import { assertAllowed } from "./states";
import { SessionStore, toPublic, type StoredSession } from "./store";

export const VERSION: string = process.env.HERO_CLAUDE_VERSION ?? "0.1.0";

export interface CreateParams {
  repos: string[];
  task: string;
  name?: string;
  image?: string;
  cpu?: number;
  memory_gb?: number;
  mcp_servers?: string[];
}

type Progress = ((done: number, total: number | undefined, message: string) => void) | undefined;

const SESSION_ID = /^[0-9a-f]{8}$/;

/** A readable default name: the first words of the task, then the id. */
function nameFromTask(task: string, id: string): string {
  const slug = task
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .split("-")
    .slice(0, 6)
    .join("-")
    .slice(0, 40)
    .replace(/-+$/, "");
  return slug ? `${slug}-${id}` : `session-${id}`;
}

export class Orchestrator {
  readonly startedAt = Date.now();
  readonly runtime: ContainerRuntime;
  readonly store: SessionStore;
  readonly locks = new SessionLocks();
  readonly oplog: OpLog;
  readonly transcripts: TranscriptStore;
  /** `session` (a Session changed; `state: "destroyed"` when it is gone) and `log` events, for live views. */
  readonly events = new EventEmitter();
  private readonly copies = new Semaphore(4);

  constructor(readonly config: Config) {
    this.runtime = createRuntime(config);
    this.store = new SessionStore(config.builddir);
    this.transcripts = new TranscriptStore(config.builddir);
    this.oplog = new OpLog({ dir: path.join(config.builddir, OPLOG_DIR) });
    this.oplog.onEntry = (e) => this.events.emit("log", e);
    this.events.setMaxListeners(0);
  }

  /** Load every session under BUILDDIR, repair what a crash left, clean leftovers. */
  async init(): Promise<void> {
    const { builddir } = this.config;
    try {
      await mkdir(builddir, { recursive: true });
      await mkdir(path.join(builddir, TRASH_DIR), { recursive: true });
      await this.oplog.open();
    } catch (err) {
      throw new ConfigError(
        `BUILDDIR=${builddir}: not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); make it writable or choose another`,
      );
    }
    for (const entry of await readdir(builddir)) {
      if (entry.startsWith(DESTROYING_PREFIX)) {
        await rm(path.join(builddir, entry), { recursive: true, force: true });
        continue;
      }
      if (SESSION_ID.test(entry)) await this.recover(entry);
    }
    await pruneTrash(path.join(builddir, TRASH_DIR), this.config.trashDays).catch((err: Error) =>
      this.oplog.write("warn", "trash.prune", `pruning the trash failed: ${err.message}`),
    );
    this.oplog.write("info", "server.start", `loaded ${this.store.all().length} sessions from ${builddir}`);
  }

  private async recover(id: string): Promise<void> {
    const p = sessionPaths(this.config.builddir, id);
    for (const f of await readdir(p.state).catch(() => [] as string[])) {
      if (f.startsWith(TEMP_PREFIX)) await rm(path.join(p.state, f), { force: true });
    }
    const read = await SessionStore.read(this.config.builddir, id);
    if ("unreadable" in read) {
      // A directory without a usable record: keep it aside, never delete what might be work.
      const aside = path.join(this.config.builddir, TRASH_DIR, `${id}-unreadable-${Date.now()}`);
      await rename(p.root, aside).catch(() => {});
      this.oplog.write("error", "session.recover", `session ${id}: ${read.unreadable}; moved to ${aside}`, { session_id: id });
      return;
    }
    const s = read;
    if (s.pending_op || s.state === "completing") {
      const op = s.pending_op ?? "finish";
      s.state = "failed";
      s.failed_op = op;
      s.pending_op = null;
      s.error = `the server stopped during session.${op} (last written ${s.updated_at}); the workspace is kept: retry or destroy`;
      await this.store.save(s);
      this.oplog.write("warn", "session.recover", s.error, { session_id: id });
      return;
    }
    if (s.agent.state === "working") {
      // The run belonged to the process that stopped: its turn is cut off, and continues once the
      // container is seen running again (reconcile) or at the next start.
      s.agent.state = "idle";
      s.agent_interrupted = true;
      await this.store.save(s);
      this.oplog.write("warn", "agent", "the server stopped during the agent's turn; the agent continues it", { session_id: id });
    }
    if (s.state === "running" && (s.agent_interrupted || s.prompt_queue.length > 0)) this.resumeAfterRestart.add(id);
    this.store.adopt(s);
  }

  /** Running sessions whose agent had work left when the previous process stopped. */
  private readonly resumeAfterRestart = new Set<string>();

  /**
   * Give a running session's agent back its work after a restart: end what the old process left
   * running in the container (it writes to no one), then continue the turn and the queue.
   */
  private async resumeAgent(s: StoredSession): Promise<void> {
    await this.locks.run(s.id, "agent.resume", async () => {
      // Taken off only once the lock is held: a busy session is tried again at the next reconcile.
      this.resumeAfterRestart.delete(s.id);
      if (s.state !== "running" || !s.container_id || this.runs.has(s.id)) return;
      if (!s.agent_interrupted && s.prompt_queue.length === 0) return;
      await this.runtime
        .exec(s.container_id, { command: interruptCommand(), user: agentUser(this.config), cwd: "/", timeoutMs: 5000, maxOutputBytes: 4096 })
        .catch(() => {});
      this.log("info", "agent", "agent resumed after the server restarted", s.id);
      await this.afterStart(s);
    });
  }

  /**
   * Stop background work; called once on shutdown after the listeners closed. Working agents are
   * interrupted (none keeps running unwatched) and continue when the server is back.
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.reconcileTimer);
    await Promise.all(
      [...this.runs.keys()].map(async (id) => {
        const s = this.store.has(id) ? this.store.get(id) : undefined;
        if (s) await this.beforeStop(s).catch(() => {});
      }),
    );
    for (const id of [...this.following.keys()]) this.stopFollowing(id);
    await this.oplog.close();
  }

  /** Session counts for server.info. */
  sessionCounts(): { total: number; by_state: Record<string, number> } {
    const by: Record<string, number> = {};
    for (const s of this.store.all()) by[s.state] = (by[s.state] ?? 0) + 1;
    return { total: this.store.all().length, by_state: by };
  }

  private emit(s: StoredSession | { id: string; state: "destroyed" }): void {
    this.events.emit("session", "name" in s ? toPublic(s) : s);
  }

  private log(level: "debug" | "info" | "warn" | "error", op: string, message: string, session_id?: string, data?: unknown) {
    this.oplog.write(level, op, message, { session_id, data });
  }

  private chownTarget(): { uid: number; gid: number } | undefined {
    return process.getuid?.() === 0 ? { uid: this.config.agentUid, gid: this.config.agentGid } : undefined;
  }

  /** A fresh id whose directory this call created (mkdir is the uniqueness check). */
  private async allocate(): Promise<string> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const id = randomBytes(4).toString("hex");
      const p = sessionPaths(this.config.builddir, id);
      try {
        await mkdir(p.root);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EEXIST") continue;
        throw new OperationFailed(`cannot create the session directory in BUILDDIR (${code}): make ${this.config.builddir} writable`, [
          (err as Error).message,
        ]);
      }
      if (await readdir(p.trash).then(() => true, () => false)) {
        await rm(p.root, { recursive: true, force: true });
        continue;
      }
      return id;
    }
    throw new OperationFailed("could not allocate a unique session id");
  }

  // ---- session operations -------------------------------------------------------------------

  /** `session.create`: copy the repos into a new workspace and record the session in `created`. */
  async createSession(params: CreateParams, progress?: Progress): Promise<Session> {
    const sources = await Promise.all(
      params.repos.map(async (name) => ({ name, src: await resolveRepo(this.config.coderoot, name) })),
    );
    if (params.name && this.store.all().some((s) => s.name === params.name)) {
      throw new InvalidParams(`a session named ${params.name} already exists; choose another name`, {
        issues: [{ path: ["name"], message: "already in use", code: "custom" }],
      });
    }
    const id = await this.allocate();
    const p = sessionPaths(this.config.builddir, id);
    const now = new Date().toISOString();
    const name = params.name ?? nameFromTask(params.task, id);
    const s: StoredSession = {
      id,
      name,
      state: "created",
      repos: params.repos,
      task: params.task,
      image: params.image ?? this.config.image,
      cpu: params.cpu ?? this.config.defaultCpu,
      memory_gb: params.memory_gb ?? this.config.defaultMemoryGb,
      mcp_servers: params.mcp_servers ?? [],
      branch: `hero-claude/${name}`,
      container_id: null,
      created_at: now,
      started_at: null,
      updated_at: now,
      finished_at: null,
      error: null,
      agent: { state: "idle", claude_session_id: null, turns: 0, cost_usd: 0, input_tokens: 0, output_tokens: 0, last_result: null },
      results: [],
      pending_op: "create",
      failed_op: null,
      repo_bases: {},
      prompt_queue: [],
      agent_interrupted: false,
    };
    this.log("info", "session.create", `creating session ${id} (${params.repos.join(", ")})`, id);
    let rsyncLog: ReturnType<typeof appendStream> | undefined;
    try {
      await Promise.all([p.code, p.state, p.logs, p.claude, p.bases].map((d) => mkdir(d, { recursive: true })));
      const owner = this.chownTarget();
      if (owner) await Promise.all([p.code, p.claude].map((d) => chown(d, owner.uid, owner.gid)));
      await this.store.writeHidden(s);
      rsyncLog = appendStream(p.log("rsync"));
      const logLine = (line: string) => {
        rsyncLog!.write(`${line}\n`);
        this.events.emit("session_log", { session_id: id, kind: "rsync", text: `${line}\n` });
      };
      let done = 0;
      await this.locks.run(id, "session.create", async () => {
        for (const { name: repo, src } of sources) {
          progress?.(done, sources.length, `copying ${repo}`);
          logLine(`# ${new Date().toISOString()} copy ${repo}`);
          const dest = p.repo(repo);
          await mkdir(path.dirname(dest), { recursive: true });
          // Read while rsync copies: uncommitted work in CODEROOT becomes part of the session's changes.
          const dirty = hasUncommittedChanges(src, this.config.excludes);
          const { warnings } = await this.copies.run(() =>
            copyRepo({ src, dest, excludes: this.config.excludes, chown: owner, onLine: logLine }),
          );
          for (const w of warnings) this.log("warn", "session.create", `${repo}: ${w}`, id);
          if (await dirty) {
            const note = `${repo} has uncommitted changes in CODEROOT: they are copied too, so the session's diff and pull request include them`;
            this.log("warn", "session.create", note, id);
            logLine(`# ${note}`);
          }
          const base = await recordBase(dest, { excludes: this.config.excludes, chown: owner });
          await saveBase(p.base(repo), base);
          s.repo_bases[repo] = { branch: base.branch, head: base.head };
          this.log("info", "session.create", `copied ${repo} (${Object.keys(base.manifest).length} files)`, id);
          done++;
        }
        s.pending_op = null;
        await this.store.save(s);
      });
      progress?.(sources.length, sources.length, "created");
      this.log("info", "session.create", `session ${id} created`, id);
      this.emit(s);
      return toPublic(s);
    } catch (err) {
      s.state = "failed";
      s.failed_op = "create";
      s.pending_op = null;
      s.error = `session.create failed: ${(err as Error).message}`;
      this.log("error", "session.create", s.error, id, err instanceof AppError ? err.data : undefined);
      try {
        await this.store.save(s);
        this.emit(s);
      } catch {
        // Not even the record can be written (disk full, BUILDDIR gone): leave nothing half-made.
        await rm(p.root, { recursive: true, force: true }).catch(() => {});
      }
      if (err instanceof AppError) {
        throw Object.assign(err, { data: { ...(err.data as object), session_id: id } });
      }
      throw new OperationFailed(`session.create failed: ${(err as Error).message}`, [], { session_id: id });
    } finally {
      await new Promise<void>((r) => (rsyncLog ? rsyncLog.end(r) : r()));
    }
  }

  getSession(id: string): Session {
    return toPublic(this.store.get(id));
  }

  /** `session.info`: the record plus the container's live status (null while there is none). */
  async sessionInfo(id: string) {
    const s = this.store.get(id);
    const container = await this.containerStatus(s);
    return { ...toPublic(s), container };
  }

  /** Live container status from the engine; null without a container or an engine. */
  private async containerStatus(s: StoredSession): Promise<ContainerStatus | null> {
    if (!s.container_id) return null;
    try {
      return await this.runtime.inspect(s.container_id, true);
    } catch {
      return null;
    }
  }

  // ---- containers ----------------------------------------------------------------------------

  private runtimeCheck: { at: number; status: RuntimeStatus } | undefined;

  /** Fail fast with -32004 (and how to start the engine) when the engine does not answer. */
  private async requireRuntime(): Promise<void> {
    const cached = this.runtimeCheck;
    const status = cached && Date.now() - cached.at < 1000 && cached.status.reachable ? cached.status : await this.runtime.status();
    this.runtimeCheck = { at: Date.now(), status };
    if (!status.reachable) {
      throw new RuntimeUnavailable(
        `the container runtime (${status.kind}) is not reachable: ${status.error ?? "no answer"}; ${START_ENGINE_HINT}`,
        { runtime: status.kind },
      );
    }
  }

  private ociRuntimeChecked: string | undefined | null = null;

  /** The configured OCI runtime (gVisor's runsc) when the engine has it; otherwise the default. */
  private async ociRuntime(): Promise<string | undefined> {
    if (this.ociRuntimeChecked !== null) return this.ociRuntimeChecked;
    const wanted = this.config.ociRuntime;
    let found: string | undefined;
    if (wanted && this.runtime instanceof DockerRuntime) {
      const info = (await this.runtime.docker.info().catch(() => ({}))) as { Runtimes?: Record<string, unknown> };
      found = info.Runtimes && wanted in info.Runtimes ? wanted : undefined;
      if (!found) this.log("warn", "runtime", `HERO_CLAUDE_OCI_RUNTIME=${wanted} is not offered by the engine; using its default`);
    } else {
      found = wanted;
    }
    this.ociRuntimeChecked = found;
    return found;
  }

  private readonly following = new Map<string, () => void>();

  /** Append the container's own output to logs/container.log while it runs. */
  private async followContainer(s: StoredSession): Promise<void> {
    if (!s.container_id || this.following.has(s.id)) return;
    const p = sessionPaths(this.config.builddir, s.id);
    const out = appendStream(p.log("container"));
    try {
      const stop = await this.runtime.followLogs(s.container_id, (text) => {
        out.write(text);
        this.events.emit("session_log", { session_id: s.id, kind: "container", text });
      });
      this.following.set(s.id, () => {
        stop();
        out.end();
      });
    } catch {
      out.end();
    }
  }

  private stopFollowing(id: string): void {
    this.following.get(id)?.();
    this.following.delete(id);
  }

  /** Start the session's container: the existing one when the engine still has it, else a new one. */
  private async ensureContainer(s: StoredSession): Promise<string> {
    const p = sessionPaths(this.config.builddir, s.id);
    if (s.container_id) {
      const status = await this.runtime.inspect(s.container_id, false);
      if (status) {
        if (!status.running) await this.runtime.start(s.container_id);
        return s.container_id;
      }
      this.log("warn", "session.start", `container ${s.container_id.slice(0, 12)} was lost by the engine; creating a new one`, s.id);
    }
    if (!(await this.runtime.imagePresent(s.image))) {
      throw new OperationFailed(`the sandbox image ${s.image} is not present: build it with \`make image\``, [], { image: s.image });
    }
    // A container left with our name (a crash between create and record) is ours to replace.
    for (const c of await this.runtime.list({ [LABEL_SESSION]: s.id, [LABEL_BUILDDIR]: this.config.builddir })) {
      await this.runtime.remove(c.id);
    }
    await mkdir(p.claude, { recursive: true });
    const id = await this.runtime.run(sessionContainerSpec(this.config, s, p, await this.ociRuntime()));
    await writeFileAtomic(p.containerId, `${id}\n`);
    return id;
  }

  /** `session.start`: the container up (created or resumed), state running. */
  async startSession(id: string, progress?: Progress): Promise<Session> {
    const s = this.store.get(id);
    return this.locks.run(id, "session.start", async () => {
      assertAllowed(id, s.state, "start");
      await this.requireRuntime();
      const previous = { state: s.state, error: s.error, failed_op: s.failed_op };
      s.pending_op = "start";
      await this.store.save(s);
      try {
        progress?.(0, 2, "starting the container");
        s.container_id = await this.ensureContainer(s);
        s.state = "running";
        s.started_at ??= new Date().toISOString();
        s.error = null;
        s.failed_op = null;
        s.pending_op = null;
        await this.store.save(s);
        await this.followContainer(s);
        progress?.(1, 2, "container running");
        this.log("info", "session.start", `container ${s.container_id.slice(0, 12)} running`, id);
        this.emit(s);
        await this.afterStart(s);
        return toPublic(s);
      } catch (err) {
        s.pending_op = null;
        if (err instanceof OperationFailed && previous.state !== "failed" && (err.data as { image?: string })?.image) {
          // A missing image changes nothing: the session stays as it was.
          Object.assign(s, previous);
          await this.store.save(s);
          throw err;
        }
        s.state = "failed";
        s.failed_op = "start";
        s.error = `session.start failed: ${(err as Error).message}`;
        await this.store.save(s);
        this.log("error", "session.start", s.error, id);
        this.emit(s);
        if (err instanceof AppError) throw err;
        throw new OperationFailed(s.error, [(err as Error).message], { session_id: id });
      }
    });
  }

  // ---- the agent ------------------------------------------------------------------------------

  private readonly runs = new Map<string, Promise<void>>();
  /** Set by shutdown: no new agent run starts. */
  private closing = false;

  /** Once the container is up: seed credentials, then run the task, continue an interrupted turn, or take the queue. */
  private async afterStart(s: StoredSession): Promise<void> {
    const p = sessionPaths(this.config.builddir, s.id);
    const owner = this.chownTarget();
    await seedCredentials(this.config.claudeConfigDir, p.claude, owner).catch((err: Error) =>
      this.log("warn", "agent", `could not copy the host's Claude credentials: ${err.message}`, s.id),
    );
    const mcp = mcpConfig(s.mcp_servers);
    if (mcp) {
      await writeFileAtomic(path.join(p.claude, MCP_CONFIG_FILE), JSON.stringify(mcp, null, 2));
      if (owner) await chown(path.join(p.claude, MCP_CONFIG_FILE), owner.uid, owner.gid);
    }
    if (s.agent.claude_session_id === null && s.agent.state === "idle" && !s.agent_interrupted) {
      s.prompt_queue.unshift(s.task);
    } else if (s.agent_interrupted) {
      s.prompt_queue.unshift(
        s.agent.claude_session_id ? "You were interrupted. Continue the task where you left off." : s.task,
      );
    }
    s.agent_interrupted = false;
    await this.store.save(s);
    this.kickAgent(s);
  }

  /** Start the next queued prompt when the agent is free and the session is running. */
  private kickAgent(s: StoredSession): void {
    if (this.closing || this.runs.has(s.id) || s.state !== "running" || s.prompt_queue.length === 0 || !s.container_id) return;
    const prompt = s.prompt_queue[0]!;
    const run = this.runAgent(s, prompt)
      .catch((err: Error) => this.log("error", "agent", `agent run failed to start: ${err.message}`, s.id))
      .finally(() => {
        this.runs.delete(s.id);
        this.kickAgent(s);
      });
    this.runs.set(s.id, run);
  }

  /** One Claude Code invocation: stream-json to logs/claude.log, typed events to the transcript. */
  private async runAgent(s: StoredSession, prompt: string): Promise<void> {
    const id = s.id;
    const p = sessionPaths(this.config.builddir, id);
    const secrets = secretsOf(this.config.anthropic);
    s.prompt_queue.shift();
    s.agent.state = "working";
    await this.store.save(s);
    this.emit(s);
    await this.appendTranscript(id, [userPromptEvent(redact(prompt, secrets))]);
    const claudeLog = appendStream(p.log("claude"));
    const containerLog = appendStream(p.log("container"));
    const parser = new StreamJsonParser();
    let sawResult = false;
    let stderrTail = "";
    let chain = Promise.resolve();
    const handle = (lines: ReturnType<StreamJsonParser["push"]>) => {
      if (lines.length === 0) return;
      chain = chain.then(async () => {
        const drafts = lines.flatMap((l) => l.events);
        for (const d of drafts) {
          const update = agentUpdateFrom(d, s.agent);
          if (d.type === "result") sawResult = true;
          this.applyAgentUpdate(s, update);
        }
        await this.appendTranscript(id, drafts);
        await this.store.save(s);
        this.emit(s);
      });
    };
    this.log("info", "agent", s.agent.claude_session_id ? `agent resumes ${s.agent.claude_session_id}` : "agent starts the task", id);
    const proc = await this.runtime.execStream(
      s.container_id!,
      {
        command: agentCommand({ prompt, resume: s.agent.claude_session_id, mcpConfig: s.mcp_servers.length > 0 }),
        user: agentUser(this.config),
        cwd: WORKDIR,
        env: agentEnv(this.config.anthropic),
      },
      (chunk) => {
        const clean = redact(chunk, secrets);
        claudeLog.write(clean);
        this.events.emit("session_log", { session_id: id, kind: "claude", text: clean });
        handle(parser.push(clean));
      },
      (chunk) => {
        const clean = redact(chunk, secrets);
        stderrTail = (stderrTail + clean).slice(-4000);
        containerLog.write(clean.replace(/^(?=.)/gm, "[claude stderr] "));
      },
    );
    const exitCode = await proc.done;
    handle(parser.end());
    await chain;
    await Promise.all([new Promise((r) => claudeLog.end(r)), new Promise((r) => containerLog.end(r))]);
    if (!sawResult) {
      if (this.interrupting.has(id) || s.state !== "running") {
        s.agent.state = "idle";
        s.agent_interrupted = true;
        this.log("info", "agent", "agent interrupted; the next start continues the conversation", id);
      } else {
        const message = `Claude Code exited with code ${exitCode} without a result${stderrTail.trim() ? `: ${stderrTail.trim().split("\n").slice(-3).join(" | ")}` : ""}`;
        s.agent.state = "failed";
        s.error = message;
        await this.appendTranscript(id, [{ type: "error", ts: new Date().toISOString(), message }]);
        this.log("error", "agent", message, id);
      }
    } else if ((s.agent.state as string) === "failed") {
      this.log("error", "agent", `agent failed: ${s.error ?? "unknown error"}`, id);
    } else {
      this.log("info", "agent", `agent done (${s.agent.turns} turns, $${s.agent.cost_usd.toFixed(4)})`, id);
    }
    await this.store.save(s);
    this.emit(s);
  }

  private applyAgentUpdate(s: StoredSession, u: AgentUpdate): void {
    if (u.claude_session_id) s.agent.claude_session_id = u.claude_session_id;
    if (u.turns !== undefined) s.agent.turns = u.turns;
    if (u.cost_usd !== undefined) s.agent.cost_usd = u.cost_usd;
    if (u.input_tokens !== undefined) s.agent.input_tokens = u.input_tokens;
    if (u.output_tokens !== undefined) s.agent.output_tokens = u.output_tokens;
    if (u.last_result !== undefined) s.agent.last_result = u.last_result;
    if (u.state) s.agent.state = u.state;
    if (u.state === "failed") {
      s.error = `agent: ${u.error ?? "Claude Code failed"}`;
      s.agent.last_result = u.error ?? s.agent.last_result;
    } else if (u.state === "done" && s.error?.startsWith("agent: ")) {
      s.error = null;
    }
  }

  private async appendTranscript(id: string, drafts: TranscriptEventDraft[]): Promise<void> {
    const added = await this.transcripts.append(id, drafts);
    if (added.length) this.events.emit("transcript", { session_id: id, events: added });
  }

  private readonly interrupting = new Set<string>();

  /** Interrupt a working agent cleanly (SIGTERM to the CLI) and wait for its run to end. */
  private async interruptAgent(s: StoredSession): Promise<void> {
    const run = this.runs.get(s.id);
    if (!run || !s.container_id) return;
    this.interrupting.add(s.id);
    try {
      await this.runtime
        .exec(s.container_id, { command: interruptCommand(), user: agentUser(this.config), cwd: "/", timeoutMs: 5000, maxOutputBytes: 4096 })
        .catch(() => {});
      await Promise.race([run, new Promise((r) => setTimeout(r, 8000))]);
    } finally {
      this.interrupting.delete(s.id);
    }
  }

  /** Hook for the agent: runs before the container stops. */
  private async beforeStop(s: StoredSession): Promise<void> {
    if (!this.runs.has(s.id)) return;
    // A run that already has its result is only closing: nothing to continue at the next start.
    if (s.agent.state === "working") {
      s.agent_interrupted = true;
      await this.store.save(s);
    }
    await this.interruptAgent(s);
  }

  /** `session.prompt`: a follow-up turn, queued behind a working agent, never dropped. */
  async promptSession(id: string, message: string): Promise<Session> {
    const s = this.store.get(id);
    return this.locks.run(id, "session.prompt", async () => {
      assertAllowed(id, s.state, "prompt");
      s.prompt_queue.push(message);
      await this.store.save(s);
      this.log("info", "session.prompt", this.runs.has(id) ? "follow-up queued behind the working agent" : "follow-up sent", id);
      this.kickAgent(s);
      this.emit(s);
      return toPublic(s);
    });
  }

  // ---- review and finish -----------------------------------------------------------------------

  /** `session.diff`: per repo, the changed files and the patch of the session's work against its base. */
  async diffSession(id: string, repo?: string) {
    const s = this.store.get(id);
    assertAllowed(id, s.state, "diff");
    if (repo !== undefined && !s.repos.includes(repo)) {
      throw new InvalidParams(`session ${id} has no repository ${repo} (it has ${s.repos.join(", ")})`, {
        issues: [{ path: ["repo"], message: "not a repository of this session", code: "custom" }],
      });
    }
    const p = sessionPaths(this.config.builddir, id);
    const repos = [];
    for (const name of repo ? [repo] : s.repos) {
      const d = await diffRepo(p.repo(name), s.repo_bases[name]?.head ?? null);
      repos.push({ name, files: d.files, patch: d.patch, truncated: d.truncated });
    }
    return { repos };
  }

  /** The commit/PR title: the caller's, else the agent's last result's first line, else the task's. */
  private finishTitle(s: StoredSession, title?: string): string {
    const firstLine = (t: string | null | undefined) => (t ?? "").split("\n").map((l) => l.trim()).find((l) => l.length > 0);
    const t = title?.trim() || firstLine(s.agent.last_result) || firstLine(s.task) || `hero_claude session ${s.id}`;
    return t.length > 72 ? `${t.slice(0, 71)}…` : t;
  }

  private finishBody(s: StoredSession, body?: string): string {
    if (body?.trim()) return body;
    const parts = [];
    if (s.agent.last_result) parts.push(s.agent.last_result.trim());
    parts.push(`## Task\n\n${s.task.trim()}`);
    parts.push(`_Made by a Claude Code session (hero_claude ${s.id}, ${s.agent.turns} turns)._`);
    return parts.join("\n\n");
  }

  /**
   * `session.finish`: for each changed repo, commit to the feature branch, push, open the PR; then
   * stop and remove the container (the workspace stays until destroy). A failure puts the session
   * back where it was with what already succeeded recorded; the next finish continues from there.
   */
  async finishSession(id: string, p: { title?: string; body?: string; draft?: boolean }, progress?: Progress): Promise<Session> {
    const s = this.store.get(id);
    return this.locks.run(id, "session.finish", async () => {
      assertAllowed(id, s.state, "finish");
      // A run whose result is in (agent done/failed) may still be closing its process: let it end.
      const ending = this.runs.get(id);
      if (ending && s.agent.state !== "working") await Promise.race([ending, new Promise((r) => setTimeout(r, 15_000))]);
      if (this.runs.has(id)) {
        throw new InvalidState(`session ${id}: the agent is still working; wait until it is done, or stop the session first`, {
          session_id: id,
          state: s.state,
          agent: s.agent.state,
        });
      }
      const back = s.state;
      const title = this.finishTitle(s, p.title);
      const body = this.finishBody(s, p.body);
      s.state = "completing";
      s.pending_op = "finish";
      await this.store.save(s);
      this.emit(s);
      const paths = sessionPaths(this.config.builddir, id);
      const logStream = appendStream(paths.log("rsync"));
      // Freeze the container while host git works in its repos: nothing in it can race the writes.
      let paused = false;
      if (s.container_id && s.state === "completing") {
        paused = await this.runtime.pause(s.container_id).then(
          () => true,
          () => false,
        );
      }
      try {
        let done = 0;
        for (const repo of s.repos) {
          progress?.(done++, s.repos.length, `finishing ${repo}`);
          logStream.write(`# ${new Date().toISOString()} finish ${repo}\n`);
          const previous = s.results.find((r) => r.repo === repo);
          const result = await finishRepo({
            repo,
            repoDir: paths.repo(repo),
            sourceDir: await resolveRepo(this.config.coderoot, repo),
            baseHead: s.repo_bases[repo]?.head ?? null,
            baseBranch: s.repo_bases[repo]?.branch ?? null,
            branch: s.branch,
            title,
            body,
            draft: p.draft ?? false,
            author: this.config.gitAuthor,
            forge: {
              githubToken: this.config.forge.githubToken,
              forgejoToken: this.config.forge.forgejoToken,
              githubApiUrl: this.config.forge.githubApiUrl,
              overrides: this.config.forge.overrides,
              apiBaseOverride: this.config.forge.apiBases,
            },
            previous,
            excludes: this.config.excludes,
            owner: this.chownTarget(),
            onLine: (line) => logStream.write(`${line}\n`),
          });
          this.recordResult(s, result);
          await this.store.save(s);
          this.log(
            "info",
            "session.finish",
            result.skipped_reason
              ? `${repo}: skipped (${result.skipped_reason})`
              : `${repo}: ${result.pushed ? `pushed ${result.branch}` : "not pushed"}${result.pr_url ? `, PR ${result.pr_url}` : ""}`,
            id,
          );
        }
        if (s.container_id) {
          this.stopFollowing(id);
          try {
            if (paused) await this.runtime.unpause(s.container_id);
            await this.runtime.stop(s.container_id, this.config.stopTimeoutS);
            await this.runtime.remove(s.container_id);
            s.container_id = null;
          } catch (err) {
            this.log("warn", "session.finish", `the container could not be removed now (${(err as Error).message}); reconciliation will`, id);
          }
        }
        s.state = "completed";
        s.pending_op = null;
        s.error = null;
        s.finished_at = new Date().toISOString();
        await this.store.save(s);
        this.log("info", "session.finish", "session completed", id);
        this.emit(s);
        return toPublic(s);
      } catch (err) {
        if (paused && s.container_id) await this.runtime.unpause(s.container_id).catch(() => {});
        const partial = (err as AppError).data as { partial?: SessionResult } | undefined;
        if (partial?.partial) this.recordResult(s, partial.partial);
        s.state = back;
        s.pending_op = null;
        s.error = `session.finish failed: ${(err as Error).message}`;
        await this.store.save(s);
        this.log("error", "session.finish", s.error, id, err instanceof AppError ? err.data : undefined);
        this.emit(s);
        if (err instanceof AppError) throw Object.assign(err, { data: { ...(err.data as object), session_id: id } });
        throw new OperationFailed(s.error, [(err as Error).message], { session_id: id });
      } finally {
        await new Promise<void>((r) => logStream.end(r));
      }
    });
  }

  private recordResult(s: StoredSession, r: SessionResult): void {
    const clean: SessionResult = {
      repo: r.repo,
      branch: r.branch ?? null,
      commit: r.commit ?? null,
      pushed: r.pushed ?? false,
      pr_url: r.pr_url ?? null,
      skipped_reason: r.skipped_reason ?? null,
      note: r.note ?? null,
      compare_url: r.compare_url ?? null,
    };
    const i = s.results.findIndex((x) => x.repo === r.repo);
    if (i >= 0) s.results[i] = clean;
    else s.results.push(clean);
  }

  /** `session.transcript`: events after `after`. */
  async sessionTranscript(id: string, after: number, limit = 1000) {
    this.store.get(id);
    return this.transcripts.after(id, after, limit);
  }

  /** `session.stop`: stop the container (graceful, then killed), state stopped; the workspace stays. */
  async stopSession(id: string): Promise<Session> {
    const s = this.store.get(id);
    return this.locks.run(id, "session.stop", async () => {
      assertAllowed(id, s.state, "stop");
      await this.requireRuntime();
      await this.beforeStop(s);
      if (s.container_id) await this.runtime.stop(s.container_id, this.config.stopTimeoutS);
      this.stopFollowing(id);
      s.state = "stopped";
      await this.store.save(s);
      this.log("info", "session.stop", "container stopped", id);
      this.emit(s);
      return toPublic(s);
    });
  }

  /** `session.exec`: one command in the container as the agent user; concurrent execs are fine. */
  async execInSession(id: string, p: { command: string[]; timeout_s?: number; cwd?: string }): Promise<ExecResult> {
    const s = this.store.get(id);
    assertAllowed(id, s.state, "exec");
    await this.requireRuntime();
    if (!s.container_id) throw new InvalidState(`session ${id} has no container; start it first`, { session_id: id });
    const result = await this.runtime.exec(s.container_id, {
      command: p.command,
      user: agentUser(this.config),
      cwd: p.cwd ?? WORKDIR,
      env: { HOME: AGENT_HOME },
      timeoutMs: (p.timeout_s ?? 60) * 1000,
      maxOutputBytes: 1024 * 1024,
    });
    this.log("debug", "session.exec", `${JSON.stringify(p.command).slice(0, 200)} → exit ${result.exit_code}`, id);
    return result;
  }

  private reconcileTimer: NodeJS.Timeout | undefined;

  /**
   * Match sessions with containers by label: a running session whose container died becomes
   * stopped (with the reason), a container of ours without a session is removed.
   */
  async reconcile(): Promise<void> {
    if (!(await this.runtime.status()).reachable) return;
    const containers = await this.runtime.list({ [LABEL_BUILDDIR]: this.config.builddir });
    for (const c of containers) {
      const sid = c.labels[LABEL_SESSION] ?? "";
      const s = this.store.has(sid) ? this.store.get(sid) : undefined;
      if (this.locks.holder(sid)) continue;
      if (!s || (s.container_id !== c.id && s.state !== "created")) {
        await this.runtime.remove(c.id).catch(() => {});
        this.log("info", "reconcile", `removed orphan container ${c.name}`, sid || undefined);
      }
    }
    for (const s of this.store.all()) {
      if (s.state !== "running" || !s.container_id || this.locks.holder(s.id)) continue;
      const status = await this.runtime.inspect(s.container_id, false).catch(() => undefined);
      if (status === undefined || status?.running) {
        if (status?.running) void this.followContainer(s);
        if (status?.running && this.resumeAfterRestart.has(s.id)) {
          await this.resumeAgent(s).catch((err: Error) => this.log("error", "agent", `could not resume the agent: ${err.message}`, s.id));
        }
        continue;
      }
      await this.locks
        .run(s.id, "reconcile", async () => {
          if (s.state !== "running") return;
          s.state = "stopped";
          if (status === null) {
            s.container_id = null;
            s.error = "the container disappeared (removed outside hero_claude); session.start creates a new one";
          } else {
            s.error = `the container stopped on its own (exit code ${status.exit_code}); session.start resumes it`;
          }
          this.stopFollowing(s.id);
          await this.onContainerGone(s);
          await this.store.save(s);
          this.log("warn", "reconcile", s.error, s.id);
          this.emit(s);
        }, 0)
        .catch(() => {});
    }
  }

  /** The container went away behind our back: an agent mid-turn continues at the next start. */
  private async onContainerGone(s: StoredSession): Promise<void> {
    if (s.agent.state === "working") {
      s.agent.state = "idle";
      s.agent_interrupted = true;
    }
  }

  /** Reconcile now and every `intervalMs`. */
  startReconciling(intervalMs = 15_000): void {
    const tick = () =>
      this.reconcile().catch((err: Error) => this.log("warn", "reconcile", `reconciliation failed: ${err.message}`));
    void tick();
    this.reconcileTimer = setInterval(tick, intervalMs);
    this.reconcileTimer.unref();
  }

  /** `session.list`: newest first, optionally one state, paged. */
  listSessions(f: { state?: SessionState; limit?: number; offset?: number }): { sessions: Session[]; total: number } {
    let all = this.store.all();
    if (f.state) all = all.filter((s) => s.state === f.state);
    all.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? 1 : -1));
    const offset = f.offset ?? 0;
    const limit = f.limit ?? 50;
    return { sessions: all.slice(offset, offset + limit).map(toPublic), total: all.length };
  }

  /** `session.sync`: bring upstream changes in without losing any change the session made. */
  async syncSession(id: string, progress?: Progress) {
    const s = this.store.get(id);
    return this.locks.run(id, "session.sync", async () => {
      assertAllowed(id, s.state, "sync");
      const p = sessionPaths(this.config.builddir, id);
      const out: { name: string; updated: string[]; conflicts: string[] }[] = [];
      const logStream = appendStream(p.log("rsync"));
      try {
        let done = 0;
        for (const repo of s.repos) {
          progress?.(done++, s.repos.length, `syncing ${repo}`);
          const src = await resolveRepo(this.config.coderoot, repo);
          const base = await loadBase(p.base(repo));
          logStream.write(`# ${new Date().toISOString()} sync ${repo}\n`);
          const r = await syncRepo({
            src,
            dest: p.repo(repo),
            base,
            excludes: this.config.excludes,
            chown: this.chownTarget(),
            onLine: (l) => {
              logStream.write(`${l}\n`);
              this.events.emit("session_log", { session_id: id, kind: "rsync", text: `${l}\n` });
            },
          });
          await saveBase(p.base(repo), r.base);
          out.push({ name: repo, updated: r.updated, conflicts: r.conflicts });
          this.log(
            r.conflicts.length ? "warn" : "info",
            "session.sync",
            `${repo}: ${r.updated.length} updated, ${r.conflicts.length} conflicts kept as the session has them`,
            id,
            r.conflicts.length ? { conflicts: r.conflicts.slice(0, 50) } : undefined,
          );
        }
      } finally {
        await new Promise<void>((r) => logStream.end(r));
      }
      await this.store.save(s);
      this.emit(s);
      return { session_id: id, repos: out };
    });
  }

  /** `session.destroy`: keep unpushed work in the trash, then remove the workspace and the record. */
  async destroySession(id: string) {
    const s = this.store.get(id);
    return this.locks.run(id, "session.destroy", async () => {
      assertAllowed(id, s.state, "destroy");
      const p = sessionPaths(this.config.builddir, id);
      await this.beforeDestroy(s);
      let trash;
      try {
        trash = await trashWorkspace({
          codeDir: p.code,
          trashDir: p.trash,
          keepDays: this.config.trashDays,
          baseHeads: Object.fromEntries(Object.entries(s.repo_bases).map(([repo, b]) => [repo, b.head])),
        });
      } catch (err) {
        throw new OperationFailed(
          `session ${id} was not destroyed: keeping its unpushed work in the trash failed (${(err as Error).message})`,
          err instanceof AppError ? String((err.data as { log?: string })?.log ?? "") : [],
          { session_id: id },
        );
      }
      const doomed = path.join(this.config.builddir, `${DESTROYING_PREFIX}${id}`);
      await rename(p.root, doomed);
      this.store.forget(id);
      this.emit({ id, state: "destroyed" });
      this.log(
        "info",
        "session.destroy",
        trash.kept ? `session ${id} destroyed; unpushed work kept in ${trash.path}` : `session ${id} destroyed (no unpushed work)`,
        id,
      );
      void rm(doomed, { recursive: true, force: true });
      return {
        session_id: id,
        destroyed: true as const,
        trash: { kept: trash.kept, path: trash.kept ? trash.path : null, repos: trash.repos, keep_days: this.config.trashDays },
      };
    });
  }

  /** Remove the session's container before its workspace goes. */
  private async beforeDestroy(s: StoredSession): Promise<void> {
    s.prompt_queue = [];
    await this.interruptAgent(s);
    this.stopFollowing(s.id);
    this.transcripts.forget(s.id);
    if (!s.container_id) return;
    await this.requireRuntime();
    await this.runtime.remove(s.container_id);
  }

  /** The log files behind `kind` ("all": the three, in order), for reading a whole log; -32001 for an unknown session. */
  logFiles(id: string, kind: LogKind | "all"): { kind: LogKind; file: string }[] {
    this.store.get(id);
    const p = sessionPaths(this.config.builddir, id);
    return (kind === "all" ? LOG_KINDS : [kind]).map((k) => ({ kind: k, file: p.log(k) }));
  }

  /** `session.logs`: the tail of one log, or of all three (each line prefixed with its kind). */
  async sessionLogs(id: string, kind: LogKind | "all", tail: number) {
    const files = this.logFiles(id, kind);
    if (kind !== "all") return { session_id: id, kind, lines: await tailLines(files[0]!.file, tail) };
    const parts = await Promise.all(files.map(async (f) => (await tailLines(f.file, tail)).map((l) => `[${f.kind}] ${l}`)));
    return { session_id: id, kind, lines: parts.flat().slice(-tail) };
  }
}
