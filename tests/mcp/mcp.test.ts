/**
 * The MCP endpoint of the real built server, driven by the SDK's own clients over the real sockets
 * (streamable HTTP and legacy SSE), and over the optional TCP listener for the DNS-rebinding check.
 * No containers: everything here works before session.start.
 */
import path from "node:path";
import { McpError, ResourceListChangedNotificationSchema, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { methods } from "../../lib/api";
import { freePort, request } from "../helpers/http";
import { makeRepo, tempDir } from "../helpers/repos";
import { startServer, type RunningServer } from "../helpers/server";
import {
  connectSse,
  connectStreamable,
  INITIALIZE,
  rawRequest,
  resultOf,
  toolErrorOf,
  type Connected,
} from "./client";

const ACCEPT = "application/json, text/event-stream";

describe("MCP over the sockets", () => {
  let srv: RunningServer;
  let port: number;
  const open: Connected[] = [];
  const coderoot = path.join(tempDir("hc-mcp-"), "code");
  makeRepo(path.join(coderoot, "alpha"), { "a.txt": "a\n" });
  // Big enough that copying it takes a moment, so a client can go away mid-call.
  const bulky: Record<string, string> = {};
  for (let i = 0; i < 3000; i++) bulky[`d${i % 30}/f${i}.txt`] = `${i}\n`.repeat(50);
  makeRepo(path.join(coderoot, "bulky"), bulky);

  const connect = async (...args: Parameters<typeof connectStreamable>) => {
    const c = await connectStreamable(...args);
    open.push(c);
    return c;
  };
  const call = async (c: Connected, name: string, args: Record<string, unknown> = {}) =>
    c.client.callTool({ name, arguments: args }) as Promise<any>;

  beforeAll(async () => {
    port = await freePort();
    srv = await startServer({ coderoot, env: { HERO_CLAUDE_PORT: String(port) } });
  });
  afterAll(async () => {
    for (const c of open) await c.client.close().catch(() => {});
    await srv?.stop();
  });

  it("initializes with the current protocol version on both sockets", async () => {
    for (const socketPath of [srv.serverSocket, srv.uiSocket]) {
      const c = await connect({ socketPath });
      expect(c.client.getServerVersion()).toMatchObject({ name: "hero_claude" });
      expect(c.client.getServerCapabilities()).toMatchObject({ tools: {}, resources: { subscribe: true, listChanged: true } });
      expect(c.client.getInstructions()).toMatch(/session_create/);
      expect(c.transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(c.transport.protocolVersion).toBe("2025-11-25");
    }
  });

  it("accepts 2024-11-05 clients on /mcp", async () => {
    const c = await connect({ socketPath: srv.serverSocket }, { protocolVersion: "2024-11-05" });
    expect(c.transport.protocolVersion).toBe("2024-11-05");
    const { tools } = await c.client.listTools();
    expect(tools.length).toBe(methods.length);
  });

  it("lists one tool per registry method, with the method's params as its input schema", async () => {
    const c = await connect({ socketPath: srv.serverSocket });
    const { tools } = await c.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(methods.map((m) => m.name.replaceAll(".", "_")).sort());
    for (const def of methods) {
      const tool = tools.find((t) => t.name === def.name.replaceAll(".", "_"))!;
      const { $schema: _ignored, ...expected } = z.toJSONSchema(def.params, { io: "input", unrepresentable: "any" });
      expect(tool.inputSchema, def.name).toEqual(expected);
      expect(tool.description).toContain(def.summary);
      expect(tool.outputSchema?.type).toBe("object");
    }
    const create = tools.find((t) => t.name === "session_create")!;
    expect(create.inputSchema.required).toEqual(expect.arrayContaining(["repos", "task"]));
  });

  it("calls repo_list with a structured result and the same JSON as text", async () => {
    const c = await connect({ socketPath: srv.serverSocket });
    const r = await call(c, "repo_list");
    const repos = resultOf<{ result: { name: string }[] }>(r).result;
    expect(repos.map((x) => x.name).sort()).toEqual(["alpha", "bulky"]);
    expect(JSON.parse(r.content[0].text)).toEqual(repos);
    expect(resultOf(await call(c, "server_health")).result).toBe(true);
  });

  it("reports progress for session_create when asked, and runs a session's read calls and destroy", async () => {
    const c = await connect({ socketPath: srv.serverSocket });
    const progress: Progress[] = [];
    const r = await c.client.callTool({ name: "session_create", arguments: { repos: ["alpha"], task: "mcp progress" } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    const session = resultOf<{ id: string; state: string }>(r as any);
    expect(session.state).toBe("created");
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toMatchObject({ progress: 1, total: 1 });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);

    const list = resultOf(await call(c, "session_list"));
    expect(list.sessions.map((s: { id: string }) => s.id)).toContain(session.id);
    const info = resultOf(await call(c, "session_info", { session_id: session.id }));
    expect(info).toMatchObject({ id: session.id, state: "created", container: null });
    const transcript = resultOf(await call(c, "session_transcript", { session_id: session.id }));
    expect(transcript).toMatchObject({ events: expect.any(Array), next: expect.any(Number) });
    const logs = resultOf(await call(c, "session_logs", { session_id: session.id, kind: "rsync" }));
    expect(logs.lines.join("\n")).toMatch(/copy alpha/);

    const destroyed = resultOf(await call(c, "session_destroy", { session_id: session.id }));
    expect(destroyed).toMatchObject({ session_id: session.id, destroyed: true });
    expect(toolErrorOf(await call(c, "session_info", { session_id: session.id })).code).toBe(-32001);
  });

  it("turns bad arguments into a tool error -32602 with the zod issues", async () => {
    const c = await connect({ socketPath: srv.serverSocket });
    const e = toolErrorOf(await call(c, "session_create", { repos: "alpha", task: "x", bogus: 1 }));
    expect(e.code).toBe(-32602);
    expect(e.message).toMatch(/invalid params for session.create/);
    expect(e.data.issues.map((i: { path: unknown[] }) => i.path.join("."))).toEqual(expect.arrayContaining(["repos", ""]));
    expect(toolErrorOf(await call(c, "session_info", { session_id: "NOT-HEX" })).code).toBe(-32602);
  });

  it("turns an unknown session into a tool error -32001, and an unknown tool into a protocol error", async () => {
    const c = await connect({ socketPath: srv.serverSocket });
    const e = toolErrorOf(await call(c, "session_info", { session_id: "deadbeef" }));
    expect(e).toMatchObject({ code: -32001, message: "session not found: deadbeef", data: { session_id: "deadbeef" } });
    const err = await call(c, "no_such_tool").catch((x: unknown) => x);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(-32602);
  });

  it("serves the repo list, the templates and each session's transcript and logs as resources", async () => {
    const c = await connect({ socketPath: srv.uiSocket });
    const s = resultOf(await call(c, "session_create", { repos: ["alpha"], task: "resources" }));
    const { resources } = await c.client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(
      expect.arrayContaining([
        "hero-claude://repos",
        `hero-claude://sessions/${s.id}/transcript`,
        `hero-claude://sessions/${s.id}/logs/rsync`,
        `hero-claude://sessions/${s.id}/logs/all`,
      ]),
    );
    const { resourceTemplates } = await c.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      "hero-claude://sessions/{id}/logs/{kind}",
      "hero-claude://sessions/{id}/transcript",
    ]);

    const textOf = (r: { contents: ({ text: string } | { blob: string })[] }) => {
      const first = r.contents[0]!;
      if (!("text" in first)) throw new Error("expected a text resource");
      return first.text;
    };
    const repos = await c.client.readResource({ uri: "hero-claude://repos" });
    expect(repos.contents[0]).toMatchObject({ uri: "hero-claude://repos", mimeType: "application/json" });
    expect(JSON.parse(textOf(repos))).toEqual(resultOf(await call(c, "repo_list")).result);
    const transcript = await c.client.readResource({ uri: `hero-claude://sessions/${s.id}/transcript` });
    expect(JSON.parse(textOf(transcript))).toMatchObject({ events: expect.any(Array), next: expect.any(Number) });
    const rsync = await c.client.readResource({ uri: `hero-claude://sessions/${s.id}/logs/rsync` });
    expect(rsync.contents[0]).toMatchObject({ mimeType: "text/plain", text: expect.stringMatching(/copy alpha/) });

    const missing = await c.client.readResource({ uri: "hero-claude://sessions/deadbeef/transcript" }).catch((x: McpError) => x);
    expect((missing as McpError).code).toBe(-32001);
    const unknown = await c.client.readResource({ uri: "hero-claude://nothing" }).catch((x: McpError) => x);
    expect((unknown as McpError).code).toBe(-32002);
    await call(c, "session_destroy", { session_id: s.id });
  });

  it("notifies resources/list_changed when a session is created or destroyed, and takes subscriptions", async () => {
    const watcher = await connect({ socketPath: srv.serverSocket });
    let changes = 0;
    watcher.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
      changes++;
    });
    // The client opens its GET stream right after initialize; give it a moment to be up.
    await new Promise((r) => setTimeout(r, 300));
    const actor = await connect({ socketPath: srv.uiSocket });
    const s = resultOf(await call(actor, "session_create", { repos: ["alpha"], task: "list changed" }));
    await expect.poll(() => changes, { timeout: 5000 }).toBeGreaterThanOrEqual(1);

    const uri = `hero-claude://sessions/${s.id}/transcript`;
    await expect(watcher.client.subscribeResource({ uri })).resolves.toEqual({});
    await expect(watcher.client.unsubscribeResource({ uri })).resolves.toEqual({});
    const bad = await watcher.client.subscribeResource({ uri: "hero-claude://sessions/deadbeef/transcript" }).catch((x) => x);
    expect((bad as McpError).code).toBe(-32001);

    const before = changes;
    await call(actor, "session_destroy", { session_id: s.id });
    await expect.poll(() => changes, { timeout: 5000 }).toBeGreaterThan(before);
  });

  it("serves 5 clients at once", async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, (_, i) => connect({ socketPath: i % 2 ? srv.uiSocket : srv.serverSocket })));
    const created = await Promise.all(
      clients.map(async (c, i) => {
        const { tools } = await c.client.listTools();
        expect(tools.length).toBe(methods.length);
        expect(resultOf(await call(c, "repo_list")).result).toHaveLength(2);
        return resultOf(await call(c, "session_create", { repos: ["alpha"], task: `concurrent ${i}` })).id as string;
      }),
    );
    expect(new Set(created).size).toBe(5);
    await Promise.all(created.map((id, i) => call(clients[i]!, "session_destroy", { session_id: id })));
  });

  it("finishes a call whose client went away, and stays healthy", async () => {
    const quitter = await connectStreamable({ socketPath: srv.serverSocket });
    let resolveProgress!: () => void;
    const firstProgress = new Promise<void>((r) => (resolveProgress = r));
    const pending = quitter.client
      .callTool({ name: "session_create", arguments: { repos: ["bulky"], task: "client gone" } }, undefined, {
        onprogress: () => resolveProgress(),
      })
      .then(
        () => "answered",
        () => "dropped",
      );
    await firstProgress;
    await quitter.transport.close(); // drops the connections mid-call
    expect(await pending).toBe("dropped");

    const c = await connect({ socketPath: srv.serverSocket });
    // The call went on without its client: the session is there, created, once the copy is done.
    await expect
      .poll(
        async () =>
          resultOf(await call(c, "session_list")).sessions.find((s: { task: string }) => s.task === "client gone")?.state,
        { timeout: 60_000, interval: 250 },
      )
      .toBe("created");
    expect(resultOf(await call(c, "repo_list")).result).toHaveLength(2);
    expect((await request(srv.serverSocket, "GET", "/health")).status).toBe(200);
    expect(srv.proc.exitCode).toBeNull();
  });

  it("ends a session on DELETE", async () => {
    const c = await connectStreamable({ socketPath: srv.serverSocket });
    const sid = c.transport.sessionId!;
    await c.transport.terminateSession();
    await c.client.close();
    const res = await rawRequest({ socketPath: srv.serverSocket }, "POST", "/mcp", {
      host: "localhost",
      "content-type": "application/json",
      accept: ACCEPT,
      "mcp-session-id": sid,
      "mcp-protocol-version": "2025-06-18",
    }, JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }));
    expect(res.status).toBe(404);
  });

  it("works with a legacy HTTP+SSE client (2024-11-05), progress included", async () => {
    const c = await connectSse(srv.uiSocket, { protocolVersion: "2024-11-05" });
    open.push(c);
    const { tools } = await c.client.listTools();
    expect(tools.length).toBe(methods.length);
    expect(resultOf(await call(c, "repo_list")).result).toHaveLength(2);
    const progress: Progress[] = [];
    const r = await c.client.callTool({ name: "session_create", arguments: { repos: ["alpha"], task: "legacy" } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    const s = resultOf(r as any);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(toolErrorOf(await call(c, "session_info", { session_id: "deadbeef" })).code).toBe(-32001);
    await call(c, "session_destroy", { session_id: s.id });
    const latest = await connectSse(srv.serverSocket);
    open.push(latest);
    expect((await latest.client.listTools()).tools.length).toBe(methods.length);
  });

  it("checks Host and Origin on the TCP listener only", async () => {
    const headers = { "content-type": "application/json", accept: ACCEPT };
    for (const p of ["/mcp", "/sse", "/messages?sessionId=x"]) {
      const method = p === "/sse" ? "GET" : "POST";
      const bad = await rawRequest({ port }, method, p, { ...headers, host: `evil.example:${port}` }, method === "POST" ? INITIALIZE() : undefined);
      expect(bad.status, p).toBe(403);
    }
    const badOrigin = await rawRequest({ port }, "POST", "/mcp", { ...headers, host: `127.0.0.1:${port}`, origin: "http://evil.example" }, INITIALIZE());
    expect(badOrigin.status).toBe(403);
    const wrongPort = await rawRequest({ port }, "POST", "/mcp", { ...headers, host: `localhost:${port + 1}` }, INITIALIZE());
    expect(wrongPort.status).toBe(403);
    for (const host of [`localhost:${port}`, `[::1]:${port}`]) {
      const ok = await rawRequest({ port }, "POST", "/mcp", { ...headers, host, origin: `http://${host}` }, INITIALIZE("2024-11-05"));
      expect(ok.status, host).toBe(200);
      expect(ok.body).toMatch(/"protocolVersion":"2024-11-05"/);
    }
    // The SDK client over TCP, with the Host its URL gives.
    const c = await connect({ url: `http://127.0.0.1:${port}/mcp` });
    expect(resultOf(await call(c, "repo_list")).result).toHaveLength(2);
    // Unix sockets are reachable only by who may open the file: no Host check there.
    for (const socketPath of [srv.serverSocket, srv.uiSocket]) {
      const res = await rawRequest({ socketPath }, "POST", "/mcp", { ...headers, host: "evil.example", origin: "http://evil.example" }, INITIALIZE());
      expect(res.status).toBe(200);
    }
  });

  it("closes its MCP sessions and streams at shutdown without waiting for the drain", async () => {
    const c = await connect({ socketPath: srv.serverSocket });
    const sse = await connectSse(srv.serverSocket);
    open.push(sse);
    await c.client.listTools();
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    expect(await srv.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000);
  });
});
