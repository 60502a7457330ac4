/**
 * The HTTP surface shared by both listeners (CONTRACT.md, "Processes and sockets").
 * - POST /rpc: JSON-RPC 2.0, body at most 1 MiB (413 beyond, the connection is not kept reading);
 * - GET /openrpc.json, GET /health;
 * - returns false for any other path so the UI listener can hand it to Next.js.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Orchestrator } from "../orchestrator";
import { VERSION } from "../orchestrator";
import type { Dispatcher } from "../rpc/dispatcher";
import { openRpcDocument } from "../rpc/openrpc";

export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLarge extends Error {}

/** Past the limit, the rest of a body is read and dropped (so the client sees the 413) up to this many bytes. */
const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

/**
 * Read a request body up to `limit` bytes. A larger body rejects with BodyTooLarge once the client
 * has finished sending (or after MAX_DISCARD_BYTES), so the client reads the answer, not a reset.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers["content-length"] ?? "0") > limit;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > limit + MAX_DISCARD_BYTES) {
          req.removeAllListeners("data");
          req.pause();
          reject(new BodyTooLarge());
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => (tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

export interface ApiRoutes {
  /** Handle the request if it is an API path; false means "not mine". */
  (req: IncomingMessage, res: ServerResponse, pathname: string): boolean;
}

export function createApiRoutes(
  orchestrator: Orchestrator,
  dispatcher: Dispatcher,
  extra: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {},
): ApiRoutes {
  let dockerCache: { at: number; ok: boolean } | undefined;
  const dockerUp = async () => {
    if (dockerCache && Date.now() - dockerCache.at < 2000) return dockerCache.ok;
    const ok = (await orchestrator.runtime.status()).reachable;
    dockerCache = { at: Date.now(), ok };
    return ok;
  };

  const rpc = async (req: IncomingMessage, res: ServerResponse) => {
    let body: string;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        res.setHeader("connection", "close");
        sendJson(res, 413, {
          jsonrpc: "2.0",
          id: null,
          error: { code: -32600, message: `invalid request: body exceeds ${MAX_BODY_BYTES} bytes (1 MiB)` },
        });
      } else {
        sendJson(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request: body unreadable" } });
      }
      return;
    }
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    const answer = await dispatcher.handle(body, { signal: controller.signal });
    if (answer === null) {
      res.writeHead(204).end();
      return;
    }
    sendJson(res, 200, answer);
  };

  return (req, res, pathname) => {
    const fail = (err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (err as Error).message });
      else res.destroy();
    };
    if (pathname === "/rpc") {
      if (req.method !== "POST") {
        res.setHeader("allow", "POST");
        sendJson(res, 405, { jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request: use POST /rpc" } });
        return true;
      }
      rpc(req, res).catch(fail);
      return true;
    }
    if (pathname === "/openrpc.json" && (req.method === "GET" || req.method === "HEAD")) {
      sendJson(res, 200, openRpcDocument());
      return true;
    }
    if (pathname === "/health" && (req.method === "GET" || req.method === "HEAD")) {
      dockerUp()
        .then((docker) => sendJson(res, 200, { status: "ok", service: "hero_claude", version: VERSION, docker }))
        .catch(fail);
      return true;
    }
    const route = extra[pathname];
    if (route) {
      route(req, res);
      return true;
    }
    return false;
  };
}
