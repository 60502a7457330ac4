/**
 * MCP resources, read through the same registry methods as the tools (nothing described twice):
 * - `hero-claude://repos`: `repo.list` as JSON;
 * - `hero-claude://sessions/{id}/transcript`: `session.transcript` (every event) as JSON;
 * - `hero-claude://sessions/{id}/logs/{kind}`: the tail of `session.logs` as text (kind rsync|claude|container|all);
 * - resources/list names the repo list and, for each existing session, its transcript and logs (paged);
 * - an unknown session is -32001 (as for the tools); a URI matching no template is -32002, MCP's "resource not found".
 */
import { ErrorCode, McpError, type ReadResourceResult, type Resource, type ResourceTemplate } from "@modelcontextprotocol/sdk/types.js";
import { getMethod } from "../api";
import type { CallContext } from "../api/registry";
import { callMethod } from "../rpc/call";

export const SCHEME = "hero-claude://";
export const REPOS_URI = `${SCHEME}repos`;
export const LOG_KINDS = ["rsync", "claude", "container", "all"] as const;
export type LogKindOrAll = (typeof LOG_KINDS)[number];

/** MCP's "resource not found" (spec, Resources: error handling). */
const RESOURCE_NOT_FOUND = -32002;
const PAGE_SIZE = 500;
const LOG_TAIL = 2000;

export const transcriptUri = (id: string) => `${SCHEME}sessions/${id}/transcript`;
export const logsUri = (id: string, kind: LogKindOrAll) => `${SCHEME}sessions/${id}/logs/${kind}`;

export type ParsedUri = { kind: "repos" } | { kind: "transcript"; id: string } | { kind: "logs"; id: string; log: LogKindOrAll };

const TRANSCRIPT_RE = /^hero-claude:\/\/sessions\/([0-9a-f]{8})\/transcript$/;
const LOGS_RE = /^hero-claude:\/\/sessions\/([0-9a-f]{8})\/logs\/(rsync|claude|container|all)$/;

/** The resource a URI names, or undefined when it matches no template. */
export function parseUri(uri: string): ParsedUri | undefined {
  if (uri === REPOS_URI) return { kind: "repos" };
  const t = TRANSCRIPT_RE.exec(uri);
  if (t) return { kind: "transcript", id: t[1]! };
  const l = LOGS_RE.exec(uri);
  if (l) return { kind: "logs", id: l[1]!, log: l[2] as LogKindOrAll };
  return undefined;
}

/** Parse a URI or throw MCP's "resource not found". */
export function requireUri(uri: string): ParsedUri {
  const parsed = parseUri(uri);
  if (!parsed) {
    throw new McpError(RESOURCE_NOT_FOUND, `resource not found: ${uri} (see resources/templates/list)`, { uri });
  }
  return parsed;
}

export const resourceTemplates: ResourceTemplate[] = [
  {
    uriTemplate: `${SCHEME}sessions/{id}/transcript`,
    name: "session-transcript",
    title: "Session transcript",
    description: "The agent's transcript of a session as typed events (JSON, like session.transcript). Subscribe for updates.",
    mimeType: "application/json",
  },
  {
    uriTemplate: `${SCHEME}sessions/{id}/logs/{kind}`,
    name: "session-logs",
    title: "Session logs",
    description: `The tail of a session's log; kind is ${LOG_KINDS.join(", ")} (like session.logs).`,
    mimeType: "text/plain",
  },
];

const reposResource: Resource = {
  uri: REPOS_URI,
  name: "repos",
  title: "Repositories",
  description: "The git work trees under CODEROOT (JSON, like repo.list).",
  mimeType: "application/json",
};

/** One page of resources: the repo list first, then each session's transcript and logs, newest session first. */
export function listResources(ctx: CallContext, cursor?: string): { resources: Resource[]; nextCursor?: string } {
  const offset = cursor === undefined ? 0 : Number(cursor);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new McpError(ErrorCode.InvalidParams, `invalid cursor: ${cursor}`);
  const { sessions } = ctx.orchestrator.listSessions({ limit: Number.MAX_SAFE_INTEGER });
  const all: Resource[] = [reposResource];
  for (const s of sessions) {
    all.push({
      uri: transcriptUri(s.id),
      name: `${s.name}/transcript`,
      title: `Transcript of ${s.name} (${s.id})`,
      mimeType: "application/json",
    });
    for (const kind of LOG_KINDS) {
      all.push({ uri: logsUri(s.id, kind), name: `${s.name}/logs/${kind}`, title: `${kind} log of ${s.name} (${s.id})`, mimeType: "text/plain" });
    }
  }
  const page = all.slice(offset, offset + PAGE_SIZE);
  return offset + PAGE_SIZE < all.length ? { resources: page, nextCursor: String(offset + PAGE_SIZE) } : { resources: page };
}

function call(method: string, params: unknown, ctx: CallContext): Promise<unknown> {
  return callMethod(getMethod(method)!, params, ctx);
}

/** Read one resource; errors are the typed errors of the method behind it. */
export async function readResource(uri: string, ctx: CallContext): Promise<ReadResourceResult> {
  const r = requireUri(uri);
  switch (r.kind) {
    case "repos": {
      const repos = await call("repo.list", {}, ctx);
      return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify(repos) }] };
    }
    case "transcript": {
      const transcript = await call("session.transcript", { session_id: r.id }, ctx);
      return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify(transcript) }] };
    }
    case "logs": {
      const logs = (await call("session.logs", { session_id: r.id, kind: r.log, tail: LOG_TAIL }, ctx)) as { lines: string[] };
      return { contents: [{ uri, mimeType: "text/plain", text: logs.lines.join("\n") }] };
    }
  }
}
