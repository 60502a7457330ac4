/**
 * Browser tests of the dashboard: Debian's chromium driven by playwright-core (never a downloaded
 * browser) against the real built server, at the root and through a prefix-stripping proxy.
 */
import { mkdirSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { freePort } from "../helpers/http";
import { makeRepo, tempDir } from "../helpers/repos";
import { ROOT, startServer, type RunningServer } from "../helpers/server";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const PREFIX = "/hero_claude/admin";
export const SCREENSHOTS = path.join(ROOT, "test-results", "screenshots");

/** A fresh browser; playwright gives each launch its own temporary user-data dir. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export interface PrefixProxy {
  /** The dashboard's URL through the proxy, e.g. http://127.0.0.1:4321/hero_claude/admin */
  base: string;
  /** Every path the proxy forwarded (after stripping), for assertions. */
  forwarded: string[];
  close: () => Promise<void>;
}

/**
 * A reverse proxy as hero_proxy mounts the UI: it serves `<prefix>/…` only, strips the prefix,
 * sends `X-Forwarded-Prefix`, and talks to the UI's Unix socket. Anything else is a 404, so a
 * URL the dashboard forgot to prefix fails loudly.
 */
export async function startPrefixProxy(uiSocket: string, prefix = PREFIX): Promise<PrefixProxy> {
  const forwarded: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    if (!(url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`))) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not under ${prefix}: ${url}`);
      return;
    }
    let rest = url.slice(prefix.length);
    if (!rest.startsWith("/")) rest = `/${rest}`;
    forwarded.push(rest);
    const headers = { ...req.headers, "x-forwarded-prefix": prefix, "x-forwarded-host": req.headers.host ?? "", "x-forwarded-proto": "http" };
    const upstream = http.request({ socketPath: uiSocket, method: req.method, path: rest, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", (err) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(upstream);
    res.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}${prefix}`,
    forwarded,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Dashboard {
  srv: RunningServer;
  /** The dashboard at the root: http://127.0.0.1:<port> */
  root: string;
  port: number;
  stop: () => Promise<void>;
}

/** The real server on a free TCP port, against a temp CODEROOT holding `repos` (name → files). */
export async function startDashboard(
  repos: Record<string, Record<string, string>> = { alpha: { "README.md": "# alpha\n" } },
  env: Record<string, string> = {},
): Promise<Dashboard> {
  const coderoot = path.join(tempDir("hc-e2e-"), "code");
  for (const [name, files] of Object.entries(repos)) makeRepo(path.join(coderoot, name), files);
  const port = await freePort();
  const srv = await startServer({ coderoot, env: { HERO_CLAUDE_PORT: String(port), ...env } });
  return { srv, root: `http://127.0.0.1:${port}`, port, stop: async () => void (await srv.stop()) };
}

export interface Problems {
  list: string[];
  /** Problems other than the expected ones (e.g. a 4xx the test provoked). */
  unexpected: (allow?: RegExp[]) => string[];
}

/** Collect console errors, page errors and failed or 4xx/5xx requests of a page. */
export function watchProblems(page: Page): Problems {
  const list: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") list.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => list.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => {
    const why = r.failure()?.errorText ?? "";
    // Streams and prefetches cut short by navigation are not failures.
    if (/ERR_ABORTED/.test(why)) return;
    // Chromium drops open connections when the host's interfaces change, as they do whenever Docker
    // adds or removes a container's veth. The event stream reconnects and the page revalidates
    // (what the tests go on to check), so only that stream is let off.
    if (/ERR_NETWORK_CHANGED/.test(why) && new URL(r.url()).pathname.endsWith("/events")) return;
    list.push(`requestfailed: ${r.url()} ${why}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) list.push(`http ${r.status()}: ${r.url()}`);
  });
  return {
    list,
    unexpected: (allow = []) => list.filter((p) => !allow.some((a) => a.test(p)) && !/Failed to load resource/.test(p)),
  };
}

/** Save a screenshot under test-results/screenshots/. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/** Poll until `fn` returns a truthy value. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
