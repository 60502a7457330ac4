/**
 * Serving the one Next.js build under a path prefix chosen at run time (server side, Node only).
 * - `X-Forwarded-Prefix` is validated (`parseForwardedPrefix`); an invalid or absent one means root;
 * - under a prefix, pages (HTML), RSC payloads (`text/x-component`) and CSS have their asset URLs
 *   (`"/_next/…`, `'/_next/…`, `(/_next/…`) rewritten to `<prefix>/_next/…` as they stream, and
 *   HTML gets `TURBOPACK_CHUNK_BASE_PATH` set before any script runs, so the client runtime loads
 *   its chunks under the prefix too;
 * - a redirect to an app path (`Location: /x`) is sent to `<prefix>/x`;
 * - links, fetches and the event stream are prefixed by the app itself (lib/ui/client.tsx), which
 *   reads the same header in the root layout.
 * Next's `basePath`/`assetPrefix` are fixed at build time, so they cannot serve both at once.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseForwardedPrefix, PREFIX_HEADER } from "./prefix";

const REWRITTEN_TYPES = /^\s*(text\/html|text\/x-component|text\/css)\b/i;
const ASSET_URL = /(["'(])\/_next\//g;
const ASSET_PATTERNS = ['"/_next/', "'/_next/", "(/_next/"];
const HEAD = "<head>";

/** Length of the longest tail of `text` that is a proper prefix of one of `patterns`. */
function partialTail(text: string, patterns: readonly string[]): number {
  for (let k = Math.min(text.length, Math.max(...patterns.map((p) => p.length)) - 1); k > 0; k--) {
    const tail = text.slice(text.length - k);
    if (patterns.some((p) => p.length > k && p.startsWith(tail))) return k;
  }
  return 0;
}

/** A streaming rewriter of asset URLs; works on latin1 text so UTF-8 split across chunks survives. */
export function assetRewriter(prefix: string, html: boolean) {
  let carry = "";
  let injected = !html;
  const rewrite = (text: string) => {
    let out = text.replace(ASSET_URL, `$1${prefix}/_next/`);
    if (!injected) {
      const at = out.indexOf(HEAD);
      if (at !== -1) {
        const script = `<script>self.TURBOPACK_CHUNK_BASE_PATH=${JSON.stringify(`${prefix}/_next/`)}</script>`;
        out = out.slice(0, at + HEAD.length) + script + out.slice(at + HEAD.length);
        injected = true;
      }
    }
    return out;
  };
  return {
    push(chunk: Buffer): Buffer {
      const text = carry + chunk.toString("latin1");
      const hold = partialTail(text, injected ? ASSET_PATTERNS : [...ASSET_PATTERNS, HEAD]);
      carry = text.slice(text.length - hold);
      return Buffer.from(rewrite(text.slice(0, text.length - hold)), "latin1");
    },
    end(): Buffer {
      const rest = rewrite(carry);
      carry = "";
      return Buffer.from(rest, "latin1");
    },
  };
}

type WriteCb = (err?: Error | null) => void;

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
}

/**
 * Prepare a UI request for Next.js: with a valid `X-Forwarded-Prefix`, rewrite the asset URLs of
 * what Next writes to `res`. Without one, nothing changes. Returns the prefix ("" for root).
 */
export function mountUnderPrefix(req: IncomingMessage, res: ServerResponse): string {
  const prefix = parseForwardedPrefix(req.headers[PREFIX_HEADER]);
  if (!prefix) return "";

  let rewriter: ReturnType<typeof assetRewriter> | null | undefined;
  const decide = () => {
    if (rewriter !== undefined) return rewriter;
    // Next's own redirects (trailing slash, redirect()) name app paths; the browser needs the mount.
    const location = res.getHeader("location");
    if (typeof location === "string" && location.startsWith("/") && !location.startsWith("//") && !res.headersSent) {
      res.setHeader("location", `${prefix}${location}`);
    }
    const type = String(res.getHeader("content-type") ?? "");
    rewriter = REWRITTEN_TYPES.test(type) ? assetRewriter(prefix, /text\/html/i.test(type)) : null;
    if (rewriter && !res.headersSent) res.removeHeader("content-length");
    return rewriter;
  };

  const writeHead = res.writeHead;
  // Headers given to writeHead go through setHeader first, so the content type is known here.
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    const headers = rest[rest.length - 1];
    if (headers && typeof headers === "object" && !Array.isArray(headers)) {
      for (const [k, v] of Object.entries(headers as Record<string, string | number | string[]>)) {
        if (v !== undefined) this.setHeader(k, v);
      }
      rest = rest.slice(0, -1);
    }
    decide();
    return (writeHead as (...a: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as typeof res.writeHead;

  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown, cb?: unknown) {
    const r = decide();
    if (!r) return (write as (...a: unknown[]) => boolean).call(this, chunk, encoding, cb);
    const callback = (typeof encoding === "function" ? encoding : cb) as WriteCb | undefined;
    return (write as (...a: unknown[]) => boolean).call(this, r.push(toBuffer(chunk, encoding)), callback);
  } as typeof res.write;

  res.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown, cb?: unknown) {
    const callback = (typeof chunk === "function" ? chunk : typeof encoding === "function" ? encoding : cb) as
      | (() => void)
      | undefined;
    const hasChunk = chunk !== undefined && chunk !== null && typeof chunk !== "function";
    const r = decide();
    if (!r) return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, encoding, cb);
    const body = hasChunk ? r.push(toBuffer(chunk, encoding)) : Buffer.alloc(0);
    const tail = r.end();
    return (end as (...a: unknown[]) => ServerResponse).call(this, Buffer.concat([body, tail]), callback);
  } as typeof res.end;

  return prefix;
}
