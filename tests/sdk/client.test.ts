import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  ConnectionError,
  createClient,
  HeroClaudeError,
  InvalidParamsError,
  MethodNotFoundError,
  RepoNotFoundError,
  SessionNotFoundError,
  TimeoutError,
  type HeroClaudeClient,
  type Session,
  type WatchEvent,
} from "../../lib/sdk";
import { makeRepo, tempDir } from "../helpers/repos";
import { freePort } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

describe("the SDK against the real server", () => {
  let srv: RunningServer;
  let client: HeroClaudeClient;
  let port: number;
  const coderoot = path.join(tempDir("hc-sdk-"), "code");
  makeRepo(path.join(coderoot, "alpha"), { "a.txt": "a\n" });
  makeRepo(path.join(coderoot, "org/beta"));

  beforeAll(async () => {
    port = await freePort();
    srv = await startServer({ coderoot, env: { HERO_CLAUDE_PORT: String(port) } });
    client = createClient({ socketPath: srv.serverSocket });
  });
  afterAll(async () => {
    client?.close();
    await srv?.stop();
  });

  it("calls typed methods: repo.list, server.info, server.health", async () => {
    const repos = await client.repo.list();
    expectTypeOf(repos[0]!.dirty).toEqualTypeOf<boolean>();
    expect(repos.map((r) => r.name)).toEqual(["alpha", "org/beta"]);
    const info = await client.server.info();
    expect(info).toMatchObject({ name: "hero_claude", coderoot });
    expect(await client.server.health()).toBe(true);
    expect(await client.health()).toMatchObject({ status: "ok", service: "hero_claude" });
  });

  it("creates, lists, describes and destroys a session", async () => {
    const s = await client.session.create({ repos: ["alpha"], task: "say hello", name: "sdk-test" });
    expectTypeOf(s.state).toEqualTypeOf<Session["state"]>();
    expect(s).toMatchObject({ name: "sdk-test", state: "created", repos: ["alpha"], agent: { state: "idle" } });
    const listed = await client.session.list({ state: "created" });
    expect(listed.sessions.map((x) => x.id)).toContain(s.id);
    const info = await client.call("session.info", { session_id: s.id });
    expect(info).toMatchObject({ id: s.id, container: null });
    const gone = await client.session.destroy({ session_id: s.id });
    expect(gone).toMatchObject({ session_id: s.id, destroyed: true });
    expect((await client.session.list()).sessions.map((x) => x.id)).not.toContain(s.id);
  });

  it("throws typed errors carrying the JSON-RPC code", async () => {
    const notFound = await client.session.info({ session_id: "deadbeef" }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(SessionNotFoundError);
    expect(notFound).toBeInstanceOf(HeroClaudeError);
    expect(notFound).toMatchObject({ code: -32001, method: "session.info" });

    const bad = await client.session.create({ repos: [], task: "" }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidParamsError);
    expect((bad as InvalidParamsError).code).toBe(-32602);
    const paths = (bad as InvalidParamsError).issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["repos", "task"]));

    await expect(client.repo.info({ name: "nope" })).rejects.toBeInstanceOf(RepoNotFoundError);
    const missing = await client.call("no.such.method", {}).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(MethodNotFoundError);
    expect((missing as MethodNotFoundError).code).toBe(-32601);
  });

  it("passes untyped calls of methods it does not know through to the server", async () => {
    const r = await client.call("session.someday", { session_id: "deadbeef" }).catch((e: unknown) => e);
    expect(r).toBeInstanceOf(MethodNotFoundError);
    expect((r as MethodNotFoundError).message).toBe("method not found: session.someday");
  });

  it("watches a session: the snapshot first, then its destruction", async () => {
    const s = await client.session.create({ repos: ["org/beta"], task: "watch me" });
    const w = client.watch(s.id);
    await w.ready;
    const seen: WatchEvent[] = [];
    const done = (async () => {
      for await (const ev of w) {
        seen.push(ev);
        if (ev.event === "session" && ev.data.state === "destroyed") break;
      }
    })();
    await client.session.destroy({ session_id: s.id });
    await done;
    expect(seen[0]).toMatchObject({ event: "session", data: { id: s.id, state: "created" } });
    expect(seen.at(-1)).toEqual({ event: "session", data: { id: s.id, state: "destroyed" } });
  });

  it("refuses to watch an unknown session with SessionNotFoundError", async () => {
    const w = client.watch("deadbeef");
    await expect(w.ready).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(w.next()).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it("ends a watch quietly when its signal aborts", async () => {
    const s = await client.session.create({ repos: ["alpha"], task: "abort me" });
    const ac = new AbortController();
    const w = client.watch(s.id, { signal: ac.signal });
    const events: string[] = [];
    setTimeout(() => ac.abort(), 300);
    for await (const ev of w) events.push(ev.event);
    expect(events).toEqual(["session"]);
    await client.session.destroy({ session_id: s.id });
  });

  it("waitForAgent returns when the session can no longer progress", async () => {
    const s = await client.session.create({ repos: ["alpha"], task: "wait for me" });
    const waiting = client.waitForAgent(s.id);
    setTimeout(() => void client.session.destroy({ session_id: s.id }), 300);
    const final = await waiting;
    expect(final).toMatchObject({ id: s.id, state: "destroyed" });
  });

  it("waitForAgent returns at once when the trigger leaves the agent with nothing to do", async () => {
    const s = await client.session.create({ repos: ["alpha"], task: "nothing queued" });
    const final = await client.waitForAgent(s.id, { trigger: () => client.session.info({ session_id: s.id }) });
    expect(final).toMatchObject({ id: s.id, state: "created", agent: { state: "idle" } });
    await client.session.destroy({ session_id: s.id });
  });

  it("talks to the TCP listener with `url`", async () => {
    const tcp = createClient({ url: `http://127.0.0.1:${port}` });
    expect((await tcp.repo.list()).length).toBe(2);
    tcp.close();
  });

  it("reports a missing socket as ConnectionError", async () => {
    const nowhere = createClient({ socketPath: path.join(tempDir("hc-sdk-none-"), "nope.sock") });
    const err = await nowhere.repo.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/cannot reach hero_claude at unix:.*nope\.sock/);
  });
});

describe("the SDK's timeouts and aborts", () => {
  let stalled: http.Server;
  let socketPath: string;
  const pending: http.ServerResponse[] = [];

  beforeAll(async () => {
    socketPath = path.join(tempDir("hc-sdk-stall-"), "stall.sock");
    // A server that never answers: the client must give up on its own.
    stalled = http.createServer((_req, res) => pending.push(res));
    await new Promise<void>((resolve) => stalled.listen(socketPath, resolve));
  });
  afterAll(async () => {
    for (const res of pending) res.destroy();
    stalled.closeAllConnections();
    await new Promise((resolve) => stalled.close(resolve));
  });

  it("times out with TimeoutError (client default and per call)", async () => {
    const client = createClient({ socketPath, timeoutMs: 200 });
    const t0 = Date.now();
    await expect(client.repo.list()).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - t0).toBeLessThan(2000);
    await expect(client.server.info(undefined, { timeoutMs: 50 })).rejects.toThrow(/within 50 ms/);
    client.close();
  });

  it("rejects with an AbortError when the signal aborts, before or during the call", async () => {
    const client = createClient({ socketPath });
    const ac = new AbortController();
    const call = client.repo.list(undefined, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(call).rejects.toMatchObject({ name: "AbortError" });
    await expect(client.repo.list(undefined, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    client.close();
  });
});

describe("the SDK's event stream parsing", () => {
  let fake: http.Server;
  let socketPath: string;

  beforeAll(async () => {
    socketPath = path.join(tempDir("hc-sdk-sse-"), "sse.sock");
    fake = http.createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const session = { id: "a1b2c3d4", state: "destroyed" };
      const pretty = JSON.stringify({ session_id: "a1b2c3d4", kind: "claude", text: "line\n" }, null, 2);
      // Pings, an unknown event, multi-line data, CRLF, all in chunks split mid-line.
      const wire =
        `: connected\r\n\r\nevent: future\ndata: {}\n\n: ping\n\nevent: log\n${pretty
          .split("\n")
          .map((l) => `data: ${l}`)
          .join("\n")}\n\nevent: session\r\ndata: ${JSON.stringify(session)}\r\n\r\n`;
      let i = 0;
      const tick = setInterval(() => {
        res.write(wire.slice(i, i + 7));
        i += 7;
        if (i >= wire.length) {
          clearInterval(tick);
          res.end();
        }
      }, 1);
      req.on("close", () => clearInterval(tick));
    });
    await new Promise<void>((resolve) => fake.listen(socketPath, resolve));
  });
  afterAll(async () => {
    fake.closeAllConnections();
    await new Promise((resolve) => fake.close(resolve));
  });

  it("yields typed events, skipping comments and unknown events, and ends with the stream", async () => {
    const client = createClient({ socketPath });
    const events: WatchEvent[] = [];
    for await (const ev of client.watch("a1b2c3d4", { after: 0 })) events.push(ev);
    expect(events).toEqual([
      { event: "log", data: { session_id: "a1b2c3d4", kind: "claude", text: "line\n" } },
      { event: "session", data: { id: "a1b2c3d4", state: "destroyed" } },
    ]);
    client.close();
  });
});
