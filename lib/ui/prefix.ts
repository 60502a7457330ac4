/**
 * The path prefix the dashboard is mounted under behind a reverse proxy (CONTRACT.md, "Processes
 * and sockets"). The proxy strips the prefix and names it in `X-Forwarded-Prefix`; the server
 * validates it here, and the browser uses it for every link, fetch and event stream.
 * Pure functions: imported by server.ts, the root layout and client components alike.
 */

export const PREFIX_HEADER = "x-forwarded-prefix";

const MAX_PREFIX_CHARS = 200;
const MAX_SEGMENTS = 8;
/** One path segment of unreserved URL characters; `.` and `..` are refused separately. */
const SAFE_SEGMENT = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/;

/**
 * The validated prefix (`/hero_claude/admin`) from a header value, or "" for none.
 * Only an absolute path of safe segments is accepted (one trailing slash is tolerated); anything
 * else (several values, a scheme, `..`, percent-escapes, quotes, spaces) is ignored, so the value
 * can be put into HTML, URLs and scripts without escaping.
 */
export function parseForwardedPrefix(value: string | string[] | null | undefined): string {
  if (typeof value !== "string") return "";
  let v = value.trim();
  if (v.length === 0 || v.length > MAX_PREFIX_CHARS || !v.startsWith("/")) return "";
  if (v.endsWith("/")) v = v.slice(0, -1);
  if (v === "") return "";
  const segments = v.slice(1).split("/");
  if (segments.length > MAX_SEGMENTS) return "";
  for (const s of segments) {
    if (!SAFE_SEGMENT.test(s) || s === "." || s === "..") return "";
  }
  return v;
}

/** `path` (absolute, app-relative, e.g. `/sessions/a1b2c3d4?tab=logs`) under `prefix`. */
export function withPrefix(prefix: string, path: string): string {
  const p = path.startsWith("/") ? path : `/${path}`;
  if (!prefix) return p;
  return p === "/" ? `${prefix}/` : `${prefix}${p}`;
}

/** The app-relative path of a browser pathname (the prefix removed when present). */
export function stripPrefix(prefix: string, pathname: string): string {
  if (!prefix) return pathname || "/";
  if (pathname === prefix) return "/";
  return pathname.startsWith(`${prefix}/`) ? pathname.slice(prefix.length) : pathname;
}
