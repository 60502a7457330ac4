/**
 * HTTP over a Unix socket (or a TCP URL) with node:http only, so the SDK runs in any Node script.
 * - a timeout rejects with TimeoutError, an abort with the signal's reason (an AbortError);
 * - a refused or missing socket rejects with ConnectionError naming the endpoint;
 * - idle keep-alive sockets do not hold the process open.
 */
import http from "node:http";
import https from "node:https";
import { homedir } from "node:os";
import path from "node:path";
import { abortError, ConnectionError, TimeoutError } from "./errors";

/** The server socket the contract names: `$HERO_SOCKET_DIR/hero_claude_server.sock`, default `~/hero/var/sockets`. */
export function defaultSocketPath(env: Record<string, string | undefined> = process.env): string {
  const dir = env.HERO_SOCKET_DIR || path.join(env.HOME || homedir(), "hero/var/sockets");
  return path.join(dir, "hero_claude_server.sock");
}

export interface Endpoint {
  socketPath?: string;
  /** Base URL (a path prefix behind a proxy is kept). */
  url?: URL;
  agent: http.Agent;
}

export interface RequestOptions {
  method: "GET" | "POST";
  path: string;
  body?: string;
  signal?: AbortSignal;
  /** 0 or undefined: no timeout. */
  timeoutMs?: number;
  accept?: string;
}

export interface Answer {
  status: number;
  body: string;
}

/** Where the endpoint is, for messages. */
export function describe(ep: Pick<Endpoint, "socketPath" | "url">): string {
  return ep.url ? ep.url.toString() : `unix:${ep.socketPath}`;
}

function target(ep: Endpoint, urlPath: string): http.RequestOptions & { module: typeof http | typeof https } {
  if (ep.url) {
    const base = ep.url.pathname.replace(/\/+$/, "");
    return {
      module: ep.url.protocol === "https:" ? https : http,
      protocol: ep.url.protocol,
      hostname: ep.url.hostname,
      port: ep.url.port || undefined,
      path: base + urlPath,
      agent: ep.url.protocol === "https:" ? undefined : ep.agent,
    };
  }
  return { module: http, socketPath: ep.socketPath, path: urlPath, agent: ep.agent };
}

function connectionError(ep: Endpoint, err: NodeJS.ErrnoException): ConnectionError {
  const where = describe(ep);
  const why =
    err.code === "ENOENT"
      ? "no socket there (is the server running?)"
      : err.code === "ECONNREFUSED"
        ? "connection refused (is the server running?)"
        : err.code === "EACCES"
          ? "permission denied on the socket"
          : err.message;
  return new ConnectionError(`cannot reach hero_claude at ${where}: ${why}`, 0, { errno: err.code });
}

/**
 * Open a request; resolves with the response once its headers arrived. The caller reads or destroys it.
 * A kept-alive socket the server closed meanwhile fails before the server saw anything: that one
 * case is retried once on a fresh socket, as Node's documentation advises.
 */
export async function open(
  ep: Endpoint,
  opts: RequestOptions,
): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
  try {
    return await openOnce(ep, opts);
  } catch (err) {
    if ((err as { staleSocket?: boolean }).staleSocket) return openOnce(ep, opts);
    throw err;
  }
}

function openOnce(ep: Endpoint, opts: RequestOptions): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const { signal } = opts;
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const { module, ...t } = target(ep, opts.path);
    const headers: Record<string, string | number> = { accept: opts.accept ?? "application/json" };
    if (opts.body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = Buffer.byteLength(opts.body);
    }
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (err: Error) => {
      if (settled) return;
      done();
      req.destroy();
      reject(err);
    };
    const onAbort = () => fail(abortError(signal!));
    const req = module.request({ ...t, method: opts.method, headers }, (res) => {
      if (settled) {
        res.resume();
        return;
      }
      done();
      resolve({ req, res });
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (req.reusedSocket && (err.code === "ECONNRESET" || err.code === "EPIPE")) {
        fail(Object.assign(connectionError(ep, err), { staleSocket: true }));
        return;
      }
      fail(err.code && /^E[A-Z]+$/.test(err.code) ? connectionError(ep, err) : err);
    });
    signal?.addEventListener("abort", onAbort, { once: true });
    if (opts.timeoutMs && opts.timeoutMs > 0) {
      timer = setTimeout(() => fail(new TimeoutError(`no answer from ${describe(ep)} within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    }
    req.end(opts.body);
  });
}

/** One whole request: status and body text, with the timeout covering the body as well. */
export async function request(ep: Endpoint, opts: RequestOptions): Promise<Answer> {
  const started = Date.now();
  const { req, res } = await open(ep, opts);
  const left = opts.timeoutMs && opts.timeoutMs > 0 ? Math.max(1, opts.timeoutMs - (Date.now() - started)) : 0;
  return new Promise<Answer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = (err?: Error) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
      }
    };
    const onAbort = () => finish(abortError(opts.signal!));
    if (left) timer = setTimeout(() => finish(new TimeoutError(`no answer from ${describe(ep)} within ${opts.timeoutMs} ms`)), left);
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => finish());
    res.on("error", (err) => finish(connectionError(ep, err)));
  });
}
