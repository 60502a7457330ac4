/** A tiny HTTP client over a Unix socket, as `curl --unix-socket` would talk to the server. */
import http from "node:http";
import net from "node:net";

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(
  socketPath: string,
  method: string,
  urlPath: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, method, path: urlPath, agent: false, headers: { "content-type": "application/json", ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

let nextId = 1;

/** One JSON-RPC call; resolves with the whole response object (result or error). */
export async function rpcRaw(socketPath: string, method: string, params?: unknown): Promise<{ result?: any; error?: any }> {
  const res = await request(socketPath, "POST", "/rpc", JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }));
  return JSON.parse(res.body);
}

/** One JSON-RPC call that must succeed. */
export async function rpc<T = any>(socketPath: string, method: string, params?: unknown): Promise<T> {
  const r = await rpcRaw(socketPath, method, params);
  if (r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), { rpc: r.error });
  return r.result as T;
}

/** A loopback TCP port free at the time of the call. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
