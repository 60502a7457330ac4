/**
 * The MCP protocol core over the registry: one low-level SDK `Server` per client connection, and
 * one hub per process that fans orchestrator events out to every connection.
 * - tools/list, tools/call: generated from the registry (tools.ts); `_meta.progressToken` turns the
 *   method's `progress` calls into notifications/progress;
 * - resources/list, templates/list, read, subscribe, unsubscribe (resources.ts);
 * - notifications/resources/list_changed when a session appears or is destroyed, and
 *   notifications/resources/updated for subscribed transcript and log URIs (coalesced);
 * - a client going away never cancels a call: the operation finishes and its result is dropped
 *   (the orchestrator never leaves half-done work, and a retried create would copy twice).
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { CallContext } from "../api/registry";
import { SessionNotFound } from "../errors";
import type { Orchestrator } from "../orchestrator";
import { VERSION } from "../orchestrator";
import { listResources, logsUri, readResource, requireUri, resourceTemplates, transcriptUri, type LogKindOrAll } from "./resources";
import { callTool, listTools } from "./tools";

/** resources/updated for one URI is sent at most this often per client. */
const UPDATE_COALESCE_MS = 200;

const INSTRUCTIONS =
  "hero_claude runs Claude Code sessions in sandboxed containers over the repositories under CODEROOT. " +
  "Typical flow: repo_list → session_create {repos, task} → session_start → watch session_transcript (or subscribe to " +
  "hero-claude://sessions/{id}/transcript) → session_prompt for follow-ups → session_finish (commit, push, PR) → session_destroy. " +
  "Errors carry the JSON-RPC code: -32001 session not found, -32002 not allowed in this state, -32006 busy (retry).";

/** One client's MCP connection. */
export class McpConnection {
  readonly server: Server;
  readonly subscriptions = new Set<string>();
  /** Tool calls running for this client; shutdown waits for them before closing the transport. */
  private busy = 0;
  private closeWhenIdle = false;
  private closed = false;
  private readonly pending = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly orchestrator: Orchestrator,
    private readonly onClosed: (c: McpConnection) => void,
  ) {
    this.server = new Server(
      { name: "hero_claude", version: VERSION },
      {
        capabilities: { tools: {}, resources: { subscribe: true, listChanged: true } },
        instructions: INSTRUCTIONS,
        debouncedNotificationMethods: ["notifications/resources/list_changed"],
      },
    );
    // Undeliverable messages (a client gone mid-call) land here; they are expected, not failures.
    this.server.onerror = (err) => this.orchestrator.oplog.write("debug", "mcp", `mcp: ${err.message}`);
    this.server.onclose = () => this.dispose();
    this.registerHandlers();
  }

  private registerHandlers(): void {
    const s = this.server;
    const base = (): CallContext => ({ orchestrator: this.orchestrator });

    s.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listTools() }));

    s.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const { name, arguments: args } = request.params;
      const ctx = base();
      const token = request.params._meta?.progressToken;
      if (token !== undefined) {
        let last = -Infinity;
        ctx.progress = (done, total, message) => {
          if (done <= last) return; // MCP wants progress to increase with each notification
          last = done;
          extra
            .sendNotification({
              method: "notifications/progress",
              params: { progressToken: token, progress: done, ...(total !== undefined ? { total } : {}), message },
            })
            .catch(() => {});
        };
      }
      this.busy++;
      try {
        const result = await callTool(name, args, ctx);
        if (!result) throw new McpError(ErrorCode.InvalidParams, `unknown tool: ${name} (see tools/list)`);
        return result;
      } finally {
        this.busy--;
        if (this.busy === 0 && this.closeWhenIdle) void this.close();
      }
    });

    s.setRequestHandler(ListResourcesRequestSchema, (request) => listResources(base(), request.params?.cursor));
    s.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates }));
    s.setRequestHandler(ReadResourceRequestSchema, (request) => readResource(request.params.uri, base()));

    s.setRequestHandler(SubscribeRequestSchema, ({ params: { uri } }) => {
      const r = requireUri(uri);
      if (r.kind !== "repos" && !this.orchestrator.store.has(r.id)) throw new SessionNotFound(r.id);
      this.subscriptions.add(uri);
      return {};
    });
    s.setRequestHandler(UnsubscribeRequestSchema, ({ params: { uri } }) => {
      this.subscriptions.delete(uri);
      return {};
    });
  }

  /** Queue notifications/resources/updated for a subscribed URI (several changes close together send one). */
  updated(uri: string): void {
    if (this.closed || !this.subscriptions.has(uri)) return;
    this.pending.add(uri);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const uris = [...this.pending];
      this.pending.clear();
      for (const u of uris) this.server.sendResourceUpdated({ uri: u }).catch(() => {});
    }, UPDATE_COALESCE_MS);
  }

  listChanged(): void {
    if (!this.closed) this.server.sendResourceListChanged().catch(() => {});
  }

  /** A destroyed session's URIs are gone: drop their subscriptions. */
  forgetSession(id: string): void {
    const prefix = transcriptUri(id).replace(/transcript$/, "");
    for (const uri of this.subscriptions) if (uri.startsWith(prefix)) this.subscriptions.delete(uri);
  }

  /** Close now, or as soon as the running tool calls finish (so their results still arrive). */
  closeGracefully(): void {
    if (this.busy === 0) void this.close();
    else this.closeWhenIdle = true;
  }

  get idle(): boolean {
    return this.busy === 0;
  }

  async close(): Promise<void> {
    await this.server.close().catch(() => {});
    this.dispose();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.subscriptions.clear();
    this.onClosed(this);
  }
}

/** Every live MCP connection of the process, and the orchestrator events they care about. */
export class McpHub {
  private readonly connections = new Set<McpConnection>();
  /** Session ids the clients were told about; a session event for another id changes the list. */
  private readonly known: Set<string>;
  private readonly off: () => void;

  /** Create after orchestrator.init(), so the sessions loaded from BUILDDIR are known. */
  constructor(private readonly orchestrator: Orchestrator) {
    this.known = new Set(orchestrator.store.all().map((s) => s.id));
    const ev = orchestrator.events;
    const onSession = (s: { id: string; state: string }) => this.onSession(s);
    const onTranscript = (t: { session_id: string }) => this.broadcast((c) => c.updated(transcriptUri(t.session_id)));
    const onLog = (l: { session_id: string; kind: LogKindOrAll }) =>
      this.broadcast((c) => {
        c.updated(logsUri(l.session_id, l.kind));
        c.updated(logsUri(l.session_id, "all"));
      });
    ev.on("session", onSession);
    ev.on("transcript", onTranscript);
    ev.on("session_log", onLog);
    this.off = () => {
      ev.off("session", onSession);
      ev.off("transcript", onTranscript);
      ev.off("session_log", onLog);
    };
  }

  /** A new connection, tracked until it closes. */
  open(): McpConnection {
    const c = new McpConnection(this.orchestrator, (closed) => this.connections.delete(closed));
    this.connections.add(c);
    return c;
  }

  get size(): number {
    return this.connections.size;
  }

  /** Stop listening and close every connection (each after its running calls finish). */
  shutdown(): void {
    this.off();
    for (const c of [...this.connections]) c.closeGracefully();
  }

  private onSession(s: { id: string; state: string }): void {
    if (s.state === "destroyed") {
      if (!this.known.delete(s.id)) return;
      this.broadcast((c) => {
        c.forgetSession(s.id);
        c.listChanged();
      });
    } else if (!this.known.has(s.id)) {
      this.known.add(s.id);
      this.broadcast((c) => c.listChanged());
    }
  }

  private broadcast(f: (c: McpConnection) => void): void {
    for (const c of this.connections) f(c);
  }
}
