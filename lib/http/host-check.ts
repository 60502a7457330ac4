/** The TCP listener's guard against DNS rebinding (Unix sockets need none: only local users reach them). */
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/**
 * DNS-rebinding check for the TCP listener: Host must name the loopback (or the configured address)
 * with the listener's port, and an Origin, when sent, the same. Unix sockets (no local port) pass.
 * Returns why the request is refused, or undefined.
 */
export function refuseRebinding(req: IncomingMessage, bindHost?: string): string | undefined {
  const port = req.socket.localPort;
  if (port === undefined) return undefined;
  const names = ["127.0.0.1", "localhost", "[::1]"];
  // An IP literal cannot be rebound, so the address the operator chose to bind is safe to accept too.
  if (bindHost && isIP(bindHost) && bindHost !== "0.0.0.0" && bindHost !== "::") {
    names.push(isIP(bindHost) === 6 ? `[${bindHost}]` : bindHost);
  }
  const allowed = new Set(names.map((n) => `${n}:${port}`));
  if (port === 80) for (const n of names) allowed.add(n);
  const host = req.headers.host?.toLowerCase();
  if (!host || !allowed.has(host)) return `Host header not allowed: ${host ?? "(none)"}`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let ok = false;
    try {
      const u = new URL(origin);
      ok = (u.protocol === "http:" || u.protocol === "https:") && allowed.has(u.host);
    } catch {
      ok = false;
    }
    if (!ok) return `Origin not allowed: ${origin}`;
  }
  return undefined;
}
