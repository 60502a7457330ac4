import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "../helpers/http";
import { makeRepo, tempDir } from "../helpers/repos";
import { runServerExpectingExit, startServer, type RunningServer } from "../helpers/server";

describe("the server over its sockets", () => {
  let srv: RunningServer;
  const coderoot = path.join(tempDir("hc-it-"), "code");
  makeRepo(path.join(coderoot, "alpha"), { "a.txt": "a\n" });
  makeRepo(path.join(coderoot, "org/beta"));

  beforeAll(async () => {
    srv = await startServer({ coderoot });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it("creates both sockets with mode 0600", () => {
    for (const s of [srv.serverSocket, srv.uiSocket]) {
      const st = statSync(s);
      expect(st.isSocket()).toBe(true);
      expect(st.mode & 0o777).toBe(0o600);
    }
  });

  it("answers GET /health on both sockets", async () => {
    for (const s of [srv.serverSocket, srv.uiSocket]) {
      const res = await request(s, "GET", "/health");
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ status: "ok", service: "hero_claude", docker: expect.any(Boolean) });
    }
  });

  it("answers server.info as the contract says", async () => {
    const info = await srv.rpc("server.info");
    expect(info).toMatchObject({
      name: "hero_claude",
      coderoot,
      builddir: srv.builddir,
      image: { name: "hero-claude-sandbox:latest", present: expect.any(Boolean) },
      runtime: { kind: "docker", reachable: expect.any(Boolean) },
      sockets: { server: srv.serverSocket, ui: srv.uiSocket },
      sessions: { total: 0, by_state: {} },
    });
    expect(await srv.rpc("server.health")).toBe(true);
  });

  it("lists and describes repos on both sockets", async () => {
    const repos = await srv.rpc("repo.list");
    expect(repos.map((r: { name: string }) => r.name)).toEqual(["alpha", "org/beta"]);
    const info = await srv.rpc("repo.info", { name: "alpha" });
    expect(info).toMatchObject({ name: "alpha", branch: "main", file_count: 1 });
    const viaUi = await request(srv.uiSocket, "POST", "/rpc", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "repo.list" }));
    expect(JSON.parse(viaUi.body).result).toHaveLength(2);
  });

  it("gives every bad input a clear error", async () => {
    expect((await srv.rpcRaw("repo.info", { name: "../../etc" })).error.code).toBe(-32602);
    expect((await srv.rpcRaw("repo.info", { name: "/etc" })).error.code).toBe(-32602);
    expect((await srv.rpcRaw("repo.info", { name: "nope" })).error.code).toBe(-32003);
    expect((await srv.rpcRaw("repo.info", {})).error).toMatchObject({ code: -32602, data: { issues: [{ path: ["name"] }] } });
    expect((await srv.rpcRaw("no.such.method")).error.code).toBe(-32601);
    const parse = await request(srv.serverSocket, "POST", "/rpc", "{ not json");
    expect(JSON.parse(parse.body).error.code).toBe(-32700);
    const get = await request(srv.serverSocket, "GET", "/rpc");
    expect(get.status).toBe(405);
  });

  it("refuses bodies over 1 MiB without crashing", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "server.health", params: { pad: "x".repeat(1_100_000) } });
    const res = await request(srv.serverSocket, "POST", "/rpc", big);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.message).toMatch(/1 MiB/);
    expect(await srv.rpc("server.health")).toBe(true);
  });

  it("answers batches and notifications", async () => {
    const batch = await request(
      srv.serverSocket,
      "POST",
      "/rpc",
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "server.health" },
        { jsonrpc: "2.0", method: "server.health" },
        { jsonrpc: "2.0", id: 2, method: "repo.info", params: { name: "alpha" } },
      ]),
    );
    const answers = JSON.parse(batch.body);
    expect(answers.map((a: { id: number }) => a.id)).toEqual([1, 2]);
    const note = await request(srv.serverSocket, "POST", "/rpc", JSON.stringify({ jsonrpc: "2.0", method: "server.health" }));
    expect(note.status).toBe(204);
    expect(note.body).toBe("");
  });

  it("serves the OpenRPC document at GET /openrpc.json and rpc.discover", async () => {
    const doc = JSON.parse((await request(srv.serverSocket, "GET", "/openrpc.json")).body);
    expect(doc.openrpc).toBe("1.3.2");
    expect(await srv.rpc("rpc.discover")).toEqual(doc);
  });

  it("serves the dashboard on the UI socket, not on the server socket", async () => {
    const page = await request(srv.uiSocket, "GET", "/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("<title>hero_claude");
    // The page fetches its data from /rpc in the browser (the e2e tests follow it there).
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect((await request(srv.serverSocket, "GET", "/")).status).toBe(404);
  });

  it("never steals a live socket: a second instance exits with a clear error", async () => {
    const second = await runServerExpectingExit({
      HOME: srv.dir,
      CODEROOT: coderoot,
      BUILDDIR: srv.builddir,
      HERO_SOCKET_DIR: path.dirname(srv.serverSocket),
    });
    expect(second.code).not.toBe(0);
    expect(second.output).toMatch(/already listening/);
    expect(await srv.rpc("server.health")).toBe(true);
  });
});

describe("start-up and shutdown", () => {
  const coderoot = path.join(tempDir("hc-it2-"), "code");
  makeRepo(path.join(coderoot, "alpha"));

  it("stops on a bad configuration with one line naming the variable", async () => {
    const r = await runServerExpectingExit({ HOME: tempDir(), CODEROOT: "relative/code" });
    expect(r.code).toBe(2);
    expect(r.output.trim().split("\n")).toHaveLength(1);
    expect(r.output).toMatch(/CODEROOT=/);
  });

  it("replaces a stale socket file and removes its sockets on SIGTERM, exiting 0", async () => {
    const dir = tempDir("hc-stale-");
    const sockDir = path.join(dir, "sock");
    mkdirSync(sockDir, { recursive: true });
    // A socket file nobody listens on: what a crashed instance leaves behind.
    const stale = net.createServer();
    await new Promise<void>((r) => stale.listen(path.join(sockDir, "hero_claude_server.sock"), r));
    await new Promise<void>((r) => {
      (stale as unknown as { _handle: { close: () => void } | null })._handle?.close();
      r();
    });
    const srv = await startServer({ coderoot, dir, env: { HERO_SOCKET_DIR: sockDir } });
    expect(await srv.rpc("server.health")).toBe(true);
    const code = await srv.stop("SIGTERM");
    expect(code).toBe(0);
    expect(existsSync(srv.serverSocket)).toBe(false);
    expect(existsSync(srv.uiSocket)).toBe(false);
  });

  it("serves the optional TCP port on loopback and refuses foreign Host/Origin headers (DNS rebinding)", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const srv = await startServer({ coderoot, env: { HERO_CLAUDE_PORT: String(port) } });
    const get = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: "/health", headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on("error", reject);
      });
    try {
      expect(await get({ host: `127.0.0.1:${port}` })).toBe(200);
      expect(await get({ host: `localhost:${port}`, origin: `http://localhost:${port}` })).toBe(200);
      expect(await get({ host: "evil.example" })).toBe(403);
      expect(await get({ host: `127.0.0.1:${port}`, origin: "http://evil.example" })).toBe(403);
      // The Unix sockets are reachable only by local users: no Host check there.
      expect((await request(srv.uiSocket, "GET", "/health", undefined, { host: "evil.example" })).status).toBe(200);
    } finally {
      await srv.stop();
    }
  });

  it("refuses a regular file where its socket should be", async () => {
    const dir = tempDir("hc-file-");
    mkdirSync(path.join(dir, "sock"));
    writeFileSync(path.join(dir, "sock/hero_claude_server.sock"), "not a socket");
    const r = await runServerExpectingExit({ HOME: dir, CODEROOT: coderoot, HERO_SOCKET_DIR: path.join(dir, "sock") });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/not a socket/);
  });
});
