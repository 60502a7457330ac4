/**
 * The MCP HTTP transports, thin adapters over the SDK's (server.ts holds the protocol):
 * - `POST/GET/DELETE /mcp`: streamable HTTP, stateful. `initialize` (no `Mcp-Session-Id`) opens a session
 *   with its own `Server`; later requests carry the id (unknown id → 404, missing → 400). Every protocol
 *   version the SDK supports is accepted, `2024-11-05` included;
 * - `GET /sse` + `POST /messages?sessionId=`: the legacy HTTP+SSE transport (2024-11-05), one session per stream;
 * - bodies are at most 1 MiB, as on /rpc;
 * - the TCP listener checks Host and Origin against the loopback names (DNS rebinding); Unix sockets do not;
 * - sessions end on DELETE, when the legacy stream closes, after IDLE_MS without a request or an open
 *   stream, and at shutdown (each after its running tool calls finish).
 */
import { randomUUID } from "node:crypto";
import { refuseRebinding } from "../http/host-check";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { BodyTooLarge, MAX_BODY_BYTES, readBody, sendJson } from "../http/api";
import type { Orchestrator } from "../orchestrator";
import { McpHub, type McpConnection } from "./server";

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A streamable session with no request and no open stream for this long is closed. */
const IDLE_MS = 30 * 60_000;
const SWEEP_MS = 60_000;
const SSE_PING_MS = 15_000;

interface StreamableSession {
  transport: StreamableHTTPServerTransport;
  conn: McpConnection;
  lastSeen: number;
  openStreams: number;
}

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, { jsonrpc: "2.0", id: null, error: { code, message } });
}

/** The path prefix a reverse proxy stripped (X-Forwarded-Prefix), so the legacy endpoint URL still routes. */
function forwardedPrefix(req: IncomingMessage): string {
  const raw = req.headers["x-forwarded-prefix"];
  const p = (Array.isArray(raw) ? raw[0] : raw)?.trim().replace(/\/+$/, "") ?? "";
  return /^(\/[A-Za-z0-9._~-]+)*$/.test(p) ? p : "";
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<{ body: unknown } | undefined> {
  let text: string;
  try {
    text = await readBody(req);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      res.setHeader("connection", "close");
      rpcError(res, 413, -32600, `invalid request: body exceeds ${MAX_BODY_BYTES} bytes (1 MiB)`);
    } else {
      rpcError(res, 400, -32600, "invalid request: body unreadable");
    }
    return undefined;
  }
  try {
    return { body: JSON.parse(text) };
  } catch {
    rpcError(res, 400, -32700, "parse error: the body is not JSON");
    return undefined;
  }
}

/**
 * The routes `/mcp`, `/sse` and `/messages` for createApiRoutes' `extra`. Call after orchestrator.init();
 * the sessions close when the orchestrator emits `shutdown`.
 */
export function mcpRoutes(orchestrator: Orchestrator): Record<string, Route> {
  const hub = new McpHub(orchestrator);
  const streamable = new Map<string, StreamableSession>();
  const legacy = new Map<string, SSEServerTransport>();
  let stopping = false;

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const s of streamable.values()) {
      if (s.openStreams === 0 && s.conn.idle && now - s.lastSeen > IDLE_MS) void s.conn.close();
    }
  }, SWEEP_MS);
  sweep.unref();
  orchestrator.events.once("shutdown", () => {
    stopping = true;
    clearInterval(sweep);
    hub.shutdown();
  });

  const guard = (req: IncomingMessage, res: ServerResponse): boolean => {
    const why = refuseRebinding(req, orchestrator.config.host);
    if (why) {
      rpcError(res, 403, -32600, `forbidden: ${why}`);
      return false;
    }
    // The SDK builds a URL from Host; a bare HTTP/1.0 client on a Unix socket may not send one.
    req.headers.host ??= "localhost";
    return true;
  };

  const fail = (res: ServerResponse) => (err: unknown) => {
    orchestrator.oplog.write("warn", "mcp", `mcp transport: ${(err as Error).message}`);
    rpcError(res, 500, -32603, `internal error: ${(err as Error).message}`);
  };

  const openStreamable = async (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    const conn = hub.open();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        streamable.set(id, { transport, conn, lastSeen: Date.now(), openStreams: 0 });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) streamable.delete(transport.sessionId);
    };
    try {
      await conn.server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      // An initialize the SDK refused (or that threw) opened no session: nothing else would close it.
      if (!transport.sessionId || !streamable.has(transport.sessionId)) void conn.close();
    }
  };

  const mcp: Route = (req, res) => {
    if (!guard(req, res)) return;
    const run = async () => {
      const sid = header(req, "mcp-session-id");
      if (req.method !== "POST" && req.method !== "GET" && req.method !== "DELETE") {
        res.setHeader("allow", "GET, POST, DELETE");
        rpcError(res, 405, -32600, "invalid request: use POST, GET or DELETE /mcp");
        return;
      }
      let body: unknown;
      if (req.method === "POST") {
        const read = await readJson(req, res);
        if (!read) return;
        body = read.body;
      }
      if (sid === undefined) {
        if (req.method === "POST" && isInitializeRequest(body)) {
          if (stopping) return rpcError(res, 503, -32000, "the server is shutting down");
          return openStreamable(req, res, body);
        }
        return rpcError(res, 400, -32000, "bad request: no Mcp-Session-Id header; send initialize first");
      }
      const session = streamable.get(sid);
      if (!session) return rpcError(res, 404, -32001, "session not found: initialize a new MCP session");
      session.lastSeen = Date.now();
      session.openStreams++;
      res.on("close", () => {
        session.openStreams--;
        session.lastSeen = Date.now();
      });
      await session.transport.handleRequest(req, res, body);
    };
    run().catch(fail(res));
  };

  const sse: Route = (req, res) => {
    if (!guard(req, res)) return;
    if (req.method !== "GET") {
      res.setHeader("allow", "GET");
      rpcError(res, 405, -32600, "invalid request: use GET /sse");
      return;
    }
    if (stopping) {
      rpcError(res, 503, -32000, "the server is shutting down");
      return;
    }
    const run = async () => {
      const transport = new SSEServerTransport(`${forwardedPrefix(req)}/messages`, res);
      const id = transport.sessionId;
      const conn = hub.open();
      legacy.set(id, transport);
      const ping = setInterval(() => {
        if (!res.writableEnded) res.write(": ping\n\n");
      }, SSE_PING_MS);
      const closed = () => {
        clearInterval(ping);
        legacy.delete(id);
      };
      transport.onclose = closed;
      res.on("close", () => {
        closed();
        // The stream is the session: when it goes, so does the connection (running calls still finish).
        conn.closeGracefully();
      });
      res.setHeader("x-accel-buffering", "no");
      await conn.server.connect(transport).catch((err: unknown) => {
        conn.closeGracefully();
        throw err;
      });
    };
    run().catch(fail(res));
  };

  const messages: Route = (req, res) => {
    if (!guard(req, res)) return;
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      rpcError(res, 405, -32600, "invalid request: use POST /messages?sessionId=...");
      return;
    }
    const run = async () => {
      const sid = new URL(req.url ?? "/", "http://x").searchParams.get("sessionId");
      const transport = sid ? legacy.get(sid) : undefined;
      if (!transport) return rpcError(res, 404, -32001, "session not found: open GET /sse first");
      const read = await readJson(req, res);
      if (!read) return;
      await transport.handlePostMessage(req, res, read.body);
    };
    run().catch(fail(res));
  };

  return { "/mcp": mcp, "/sse": sse, "/messages": messages };
}
