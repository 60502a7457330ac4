/** The SDK's own MCP clients, reaching the server over its Unix sockets (or TCP) as a real agent would. */
import http from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike, Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { Agent, fetch as undiciFetch } from "undici";

/** A fetch that sends every request down a Unix socket, whatever the URL's host. */
export function socketFetch(socketPath: string): FetchLike {
  const dispatcher = new Agent({ connect: { socketPath } });
  return ((url: string | URL, init?: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1])) as unknown as FetchLike;
}

/** Make the client ask for another protocol version in `initialize` (the SDK client always asks for the latest). */
export function pinProtocolVersion<T extends Transport>(transport: T, version: string): T {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if ("method" in message && message.method === "initialize" && message.params) {
      message = { ...message, params: { ...message.params, protocolVersion: version } };
    }
    return send(message, options);
  };
  return transport;
}

export interface Connected<T extends Transport = Transport> {
  client: Client;
  transport: T;
}

/** A client over streamable HTTP at `/mcp` of a socket (or of `url` with the global fetch). */
export async function connectStreamable(
  target: { socketPath: string } | { url: string },
  opts: { protocolVersion?: string } = {},
): Promise<Connected<StreamableHTTPClientTransport>> {
  const transport =
    "socketPath" in target
      ? new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), { fetch: socketFetch(target.socketPath) })
      : new StreamableHTTPClientTransport(new URL(target.url));
  if (opts.protocolVersion) pinProtocolVersion(transport, opts.protocolVersion);
  const client = new Client({ name: "hc-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

/** A client over the legacy HTTP+SSE transport (`GET /sse` + `POST /messages`). */
export async function connectSse(socketPath: string, opts: { protocolVersion?: string } = {}): Promise<Connected<SSEClientTransport>> {
  const transport = new SSEClientTransport(new URL("http://localhost/sse"), { fetch: socketFetch(socketPath) });
  if (opts.protocolVersion) pinProtocolVersion(transport, opts.protocolVersion);
  const client = new Client({ name: "hc-test-sse", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

/** The JSON-RPC error a tool error carries. */
export function toolErrorOf(r: CallToolResult): { code: number; message: string; data?: any } {
  if (!r.isError) throw new Error(`expected a tool error, got ${JSON.stringify(r).slice(0, 300)}`);
  const first = r.content[0];
  if (first?.type !== "text") throw new Error("a tool error has a text block");
  return JSON.parse(first.text).error;
}

/** The structured result of a successful tool call. */
export function resultOf<T = any>(r: CallToolResult): T {
  if (r.isError) throw new Error(`tool error: ${JSON.stringify(r.content)}`);
  return r.structuredContent as T;
}


/** A raw HTTP request (over TCP or a Unix socket) with exactly the headers given. */
export function rawRequest(
  target: { port: number } | { socketPath: string },
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const where = "port" in target ? { host: "127.0.0.1", port: target.port } : { socketPath: target.socketPath };
    const req = http.request({ ...where, method, path, headers, setHost: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        text += c;
        // An SSE answer stays open: one complete event is enough.
        if (res.headers["content-type"]?.startsWith("text/event-stream") && /\n\n/.test(text)) res.destroy();
      });
      res.on("close", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

export const INITIALIZE = (protocolVersion = "2025-06-18") =>
  JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  });
