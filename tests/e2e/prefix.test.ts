/**
 * The mount prefix: `X-Forwarded-Prefix` is validated strictly, and under a valid one the server
 * rewrites asset URLs (pages, RSC payloads, CSS) and redirects; without one nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "../helpers/http";
import { assetRewriter } from "../../lib/ui/mount";
import { parseForwardedPrefix, stripPrefix, withPrefix } from "../../lib/ui/prefix";
import { startDashboard, type Dashboard } from "./helpers";

describe("parseForwardedPrefix", () => {
  it.each([
    ["/hero_claude/admin", "/hero_claude/admin"],
    ["/hero_claude/admin/", "/hero_claude/admin"],
    ["/a", "/a"],
    ["/a-b/c_d/e.f/~g", "/a-b/c_d/e.f/~g"],
    ["  /a/b  ", "/a/b"],
  ])("accepts %j", (v, want) => expect(parseForwardedPrefix(v)).toBe(want));

  it.each([
    [undefined],
    [""],
    ["/"],
    ["a/b"],
    ["//evil.example/x"],
    ["https://evil.example/x"],
    ["/a/../b"],
    ["/a/./b"],
    ["/a//b"],
    ["/.hidden"],
    ["/a b"],
    ['/a"><script>alert(1)</script>'],
    ["/a%2fb"],
    ["/a?x=1"],
    ["/a#x"],
    ["/a\\b"],
    ["/ä"],
    ["/a\nb"],
    [`/${"x".repeat(300)}`],
    ["/1/2/3/4/5/6/7/8/9"],
    [["/a", "/b"]],
  ])("ignores %j", (v) => expect(parseForwardedPrefix(v as string | string[] | undefined)).toBe(""));

  it("builds and strips app paths", () => {
    expect(withPrefix("", "/sessions/x")).toBe("/sessions/x");
    expect(withPrefix("/p/q", "/sessions/x?tab=logs")).toBe("/p/q/sessions/x?tab=logs");
    expect(withPrefix("/p", "/")).toBe("/p/");
    expect(stripPrefix("/p", "/p/sessions")).toBe("/sessions");
    expect(stripPrefix("/p", "/p")).toBe("/");
    expect(stripPrefix("/p", "/px/sessions")).toBe("/px/sessions");
    expect(stripPrefix("", "/repos")).toBe("/repos");
  });
});

describe("assetRewriter", () => {
  const run = (chunks: string[], html = true) => {
    const r = assetRewriter("/m/n", html);
    return Buffer.concat([...chunks.map((c) => r.push(Buffer.from(c))), r.end()]).toString();
  };

  it("prefixes quoted and url() asset paths, and sets the chunk base first in <head>", () => {
    const out = run([`<html><head><link href="/_next/static/a.css"/><script src='/_next/static/b.js'></script></head><body>x{background:url(/_next/static/m.png)} \\"/_next/static/c.js\\"</body>`]);
    expect(out).toBe(
      `<html><head><script>self.TURBOPACK_CHUNK_BASE_PATH="/m/n/_next/"</script><link href="/m/n/_next/static/a.css"/><script src='/m/n/_next/static/b.js'></script></head><body>x{background:url(/m/n/_next/static/m.png)} \\"/m/n/_next/static/c.js\\"</body>`,
    );
  });

  it("leaves other paths and unquoted text alone", () => {
    expect(run([`<p>see a/_next/b and /rpc</p>`], false)).toBe(`<p>see a/_next/b and /rpc</p>`);
  });

  it("handles a pattern split across chunks at every position, and multi-byte text", () => {
    const whole = `<!DOCTYPE html><html><head><meta charset="utf-8"/></head><body>é ✓ "/_next/static/x.js" 日本</body></html>`;
    const want = run([whole]);
    expect(want).toContain(`"/m/n/_next/static/x.js"`);
    const bytes = Buffer.from(whole);
    for (let i = 1; i < bytes.length; i++) {
      const r = assetRewriter("/m/n", true);
      const out = Buffer.concat([r.push(bytes.subarray(0, i)), r.push(bytes.subarray(i)), r.end()]).toString();
      expect(out).toBe(want);
    }
  });

  it("does not hold back text that cannot start a match", () => {
    const r = assetRewriter("/m", false);
    expect(r.push(Buffer.from("abc>")).toString()).toBe("abc>");
    expect(r.push(Buffer.from('x "/_ne')).toString()).toBe("x ");
    expect(r.push(Buffer.from('xt/y"')).toString()).toBe('"/m/_next/y'); // a quote may start the next match
    expect(r.end().toString()).toBe('"');
  });
});

describe("the UI listener under X-Forwarded-Prefix", () => {
  let dash: Dashboard;
  beforeAll(async () => {
    dash = await startDashboard();
  });
  afterAll(async () => {
    await dash?.stop();
  });

  const get = (path: string, prefix?: string) =>
    request(dash.srv.uiSocket, "GET", path, undefined, prefix === undefined ? {} : { "x-forwarded-prefix": prefix });

  it("serves the page at the root with plain asset URLs and no chunk base", async () => {
    const r = await get("/");
    expect(r.status).toBe(200);
    expect(r.body).toContain(`src="/_next/static/`);
    expect(r.body).not.toContain("TURBOPACK_CHUNK_BASE_PATH");
  });

  it("rewrites every asset URL of a page under a valid prefix", async () => {
    const r = await get("/repos", "/hero_claude/admin");
    expect(r.status).toBe(200);
    expect(r.body).toContain(`<head><script>self.TURBOPACK_CHUNK_BASE_PATH="/hero_claude/admin/_next/"</script>`);
    expect(r.body).toContain(`src="/hero_claude/admin/_next/static/`);
    expect(r.body).not.toMatch(/["'(]\/_next\//);
    // The prefix reaches the app (links, fetches, the event stream are built from it).
    expect(r.body).toContain(`"prefix":"/hero_claude/admin"`.replace(/"/g, '\\"'));
    const css = /href="(\/hero_claude\/admin\/_next\/static\/[^"]+\.css)"/.exec(r.body)?.[1];
    expect(css).toBeDefined();
    const sheet = await get(css!.slice("/hero_claude/admin".length), "/hero_claude/admin");
    expect(sheet.status).toBe(200);
    expect(sheet.headers["content-type"]).toMatch(/text\/css/);
  });

  it("rewrites RSC payloads for client-side navigation", async () => {
    const headers = { rsc: "1", "x-forwarded-prefix": "/p" };
    let r = await request(dash.srv.uiSocket, "GET", "/logs", undefined, headers);
    // Next checks its cache-busting `_rsc` parameter and redirects to the right one: under the prefix.
    if (r.status === 307) {
      expect(r.headers.location).toMatch(/^\/p\/logs\?_rsc/);
      r = await request(dash.srv.uiSocket, "GET", r.headers.location!.slice(2), undefined, headers);
    }
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/text\/x-component/);
    expect(r.body).toContain(`"/p/_next/static/`);
    expect(r.body).not.toMatch(/"\/_next\//);
  });

  it("sends Next's redirects under the prefix", async () => {
    const r = await get("/repos/", "/p/q");
    expect(r.status).toBeGreaterThanOrEqual(300);
    expect(r.status).toBeLessThan(400);
    expect(r.headers.location).toBe("/p/q/repos");
  });

  it.each(["/a/../b", '/x"><script>', "https://evil.example", "/a b"])("ignores an invalid prefix %j", async (bad) => {
    const r = await get("/", bad);
    expect(r.status).toBe(200);
    expect(r.body).toContain(`src="/_next/static/`);
    expect(r.body).not.toContain("TURBOPACK_CHUNK_BASE_PATH");
    expect(r.body).not.toContain("evil.example");
    expect(r.body).not.toContain("<script>alert");
  });

  it("leaves the API alone: /rpc answers the same under a prefix", async () => {
    const r = await request(dash.srv.uiSocket, "POST", "/rpc", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "server.health" }), {
      "x-forwarded-prefix": "/p",
    });
    expect(JSON.parse(r.body)).toEqual({ jsonrpc: "2.0", id: 1, result: true });
  });
});
