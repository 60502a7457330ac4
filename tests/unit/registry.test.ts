import { describe, expect, it } from "vitest";
import { z } from "zod";
import { methods, registry } from "../../lib/api";
import { defineMethod } from "../../lib/api/registry";
import { SessionNotFound } from "../../lib/errors";
import { callMethod, toRpcError } from "../../lib/rpc/call";
import { createDispatcher } from "../../lib/rpc/dispatcher";

const fakeCtx = () => ({ orchestrator: {} as never });

describe("the method registry", () => {
  it("declares each method once, keyed by its own name, with a summary and object params", () => {
    const names = methods.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [key, def] of Object.entries(registry)) {
      expect(def.name).toBe(key);
      expect(def.summary.length).toBeGreaterThan(10);
      expect(def.params).toBeInstanceOf(z.ZodObject);
      expect(typeof def.handler).toBe("function");
    }
  });

  it("holds every method of the contract that exists so far", () => {
    for (const m of ["server.info", "server.health", "rpc.discover", "repo.list", "repo.info"]) {
      expect(Object.keys(registry)).toContain(m);
    }
  });
});

describe("callMethod", () => {
  const echo = defineMethod({
    name: "test.echo",
    summary: "echo for tests",
    params: z.strictObject({ n: z.number().int(), tags: z.array(z.string()).optional() }),
    result: z.number(),
    handler: ({ n }) => n * 2,
  });

  it("validates params and runs the handler", async () => {
    await expect(callMethod(echo as never, { n: 21 }, fakeCtx())).resolves.toBe(42);
  });

  it("reports every zod issue with its path as -32602", async () => {
    const err = await callMethod(echo as never, { n: "x", tags: [1], extra: true }, fakeCtx()).catch((e) => e);
    const e = toRpcError(err);
    expect(e.code).toBe(-32602);
    const paths = (e.data as { issues: { path: unknown[] }[] }).issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["n", "tags.0", ""]));
  });

  it("refuses positional params", async () => {
    const e = toRpcError(await callMethod(echo as never, [1], fakeCtx()).catch((x) => x));
    expect(e.code).toBe(-32602);
    expect(e.message).toMatch(/by name/);
  });

  it("maps typed errors to their codes and unknown errors to -32603", () => {
    expect(toRpcError(new SessionNotFound("deadbeef")).code).toBe(-32001);
    expect(toRpcError(new Error("boom"))).toEqual({ code: -32603, message: "internal error: boom" });
  });
});

describe("the dispatcher", () => {
  const d = createDispatcher(fakeCtx);

  it("answers malformed JSON with -32700", async () => {
    expect(await d.handle("{nope")).toMatchObject({ id: null, error: { code: -32700 } });
  });

  it("answers an unknown method with -32601", async () => {
    expect(await d.handle(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "no.such" }))).toMatchObject({
      id: 1,
      error: { code: -32601 },
    });
  });

  it("answers a request object without a method with -32600", async () => {
    expect(await d.handle(JSON.stringify({ jsonrpc: "2.0", id: 1 }))).toMatchObject({ error: { code: -32600 } });
    expect(await d.handle("[]")).toMatchObject({ error: { code: -32600 } });
    expect(await d.handle("42")).toMatchObject({ error: { code: -32600 } });
  });

  it("answers batches in order and drops notifications", async () => {
    const answer = await d.handle(
      JSON.stringify([
        { jsonrpc: "2.0", id: "a", method: "server.health" },
        { jsonrpc: "2.0", method: "server.health" },
        { jsonrpc: "2.0", id: "c", method: "nope" },
      ]),
    );
    expect(answer).toEqual([
      { jsonrpc: "2.0", id: "a", result: true },
      { jsonrpc: "2.0", id: "c", error: { code: -32601, message: "method not found: nope" } },
    ]);
    expect(await d.handle(JSON.stringify({ jsonrpc: "2.0", method: "server.health" }))).toBeNull();
    expect(await d.handle(JSON.stringify([{ jsonrpc: "2.0", method: "server.health" }]))).toBeNull();
  });
});

describe("session.create params", () => {
  it("accepts MCP servers as URL, name=URL or JSON, and refuses anything else", async () => {
    const { SessionCreateParamsSchema } = await import("../../lib/api/schemas");
    const ok = (mcp_servers: string[]) => SessionCreateParamsSchema.safeParse({ repos: ["a"], task: "t", mcp_servers }).success;
    expect(ok(["https://mcp.example/mcp", "docs=http://127.0.0.1:9000/sse", '{"name":"x","type":"stdio","command":"x"}'])).toBe(true);
    expect(ok(["not a url"])).toBe(false);
    expect(ok(["file:///etc/passwd"])).toBe(false);
    expect(ok(["{broken"])).toBe(false);
  });
});
