// The fake Anthropic API itself, run as the standalone program it is (plain `node`), over loopback.
// Request bodies below are trimmed copies of what Claude Code 2.1.330 sent to it.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const FAKE = path.join(import.meta.dirname, "anthropic-fake.mjs");

interface Fake {
  child: ChildProcess;
  base: string;
}

async function startFake(args: string[] = []): Promise<Fake> {
  const child = spawn(process.execPath, [FAKE, "--port", "0", "--host", "127.0.0.1", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`fake exited with ${code}`)));
    lines.once("line", (line) => resolve((JSON.parse(line) as { listening: number }).listening));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

function stopFake(fake: Fake): Promise<void> {
  return new Promise((resolve) => {
    if (fake.child.exitCode !== null) return resolve();
    fake.child.once("exit", () => resolve());
    fake.child.kill("SIGTERM");
  });
}

const TOOLS = [
  { name: "Bash", description: "Run a command", input_schema: { type: "object", properties: { command: { type: "string" } } } },
  { name: "Write", description: "Write a file", input_schema: { type: "object", properties: { file_path: { type: "string" } } } },
];

/** A main turn as the CLI sends it: tools, the user's prompt, then a `system`-role message with the cache breakpoint. */
function mainBody(extra: Record<string, unknown> = {}) {
  return {
    model: "claude-opus-5-5",
    max_tokens: 128000,
    stream: true,
    system: [{ type: "text", text: "You are a Claude agent, built on Anthropic's Claude Agent SDK." }],
    tools: TOOLS,
    messages: [
      { role: "user", content: [{ type: "text", text: "<system-reminder>\ncontext\n</system-reminder>" }, { type: "text", text: "write hello.txt" }] },
      { role: "system", content: [{ type: "text", text: "# Environment", cache_control: { type: "ephemeral" } }] },
    ],
    metadata: { user_id: "{}" },
    ...extra,
  };
}

async function post(fake: Fake, route: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${fake.base}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "sk-fake", "anthropic-version": "2023-06-01", ...headers },
    body: JSON.stringify(body),
  });
}

interface SseEvent {
  event: string;
  data: Record<string, any>;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((frame) => frame.trim().length > 0)
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "";
      const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? "null");
      return { event, data };
    });
}

/** Rebuild the message from a stream, as the SDK's accumulator does. */
function accumulate(events: SseEvent[]) {
  let message: Record<string, any> = {};
  const partial: Record<number, string> = {};
  for (const { event, data } of events) {
    expect(data.type).toBe(event);
    if (event === "message_start") message = { ...data.message, content: [] };
    if (event === "content_block_start") message.content[data.index] = { ...data.content_block };
    if (event === "content_block_delta" && data.delta.type === "text_delta") message.content[data.index].text += data.delta.text;
    if (event === "content_block_delta" && data.delta.type === "input_json_delta") partial[data.index] = (partial[data.index] ?? "") + data.delta.partial_json;
    if (event === "content_block_stop" && partial[data.index] !== undefined) message.content[data.index].input = JSON.parse(partial[data.index]);
    if (event === "message_delta") message = { ...message, ...data.delta, usage: { ...message.usage, ...data.usage } };
  }
  return message;
}

async function setScript(fake: Fake, turns: unknown[]) {
  const res = await post(fake, "/_script", turns);
  expect(res.status).toBe(200);
}

async function streamTurn(fake: Fake, body: unknown = mainBody()) {
  const res = await post(fake, "/v1/messages?beta=true", body);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  return parseSse(await res.text());
}

let fake: Fake;
beforeAll(async () => {
  fake = await startFake();
});
afterAll(async () => {
  await stopFake(fake);
});
beforeEach(async () => {
  await post(fake, "/_reset", {});
});

describe("streaming", () => {
  it("sends the API's event sequence for a text turn", async () => {
    await setScript(fake, [{ text: "Hello from the script, long enough to be split into several deltas." }]);
    const events = await streamTurn(fake);
    const names = events.map((e) => e.event).filter((n) => n !== "content_block_delta");
    expect(names).toEqual(["message_start", "ping", "content_block_start", "content_block_stop", "message_delta", "message_stop"]);
    expect(events.filter((e) => e.event === "content_block_delta").length).toBeGreaterThan(1);
    const start = events[0].data.message;
    expect(start).toMatchObject({ type: "message", role: "assistant", model: "claude-opus-5-5", content: [], stop_reason: null });
    expect(start.id).toMatch(/^msg_01[A-Za-z0-9]{24}$/);
    expect(start.usage.input_tokens).toBeGreaterThan(0);
    const message = accumulate(events);
    expect(message.content).toEqual([{ type: "text", text: "Hello from the script, long enough to be split into several deltas." }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it("streams a tool call as input_json_delta, with text before it", async () => {
    const input = { file_path: "/workspace/code/demo/hello.txt", content: "hello world\n" };
    await setScript(fake, [{ text: "I'll write it.", tool_use: { name: "Write", input } }]);
    const events = await streamTurn(fake);
    const starts = events.filter((e) => e.event === "content_block_start").map((e) => e.data.content_block);
    expect(starts[1]).toMatchObject({ type: "tool_use", name: "Write", input: {} });
    expect(starts[1].id).toMatch(/^toolu_01[A-Za-z0-9]{24}$/);
    const message = accumulate(events);
    expect(message.content).toEqual([
      { type: "text", text: "I'll write it." },
      { type: "tool_use", id: starts[1].id, name: "Write", input },
    ]);
    expect(message.stop_reason).toBe("tool_use");
  });

  it("sends several tool calls of one turn as separate blocks", async () => {
    await setScript(fake, [{ tool_use: [{ name: "Bash", input: { command: "ls" } }, { name: "Bash", input: { command: "pwd" } }] }]);
    const message = accumulate(await streamTurn(fake));
    expect(message.content.map((b: { input: unknown }) => b.input)).toEqual([{ command: "ls" }, { command: "pwd" }]);
    expect(new Set(message.content.map((b: { id: string }) => b.id)).size).toBe(2);
  });

  it("holds a slow turn open with pings before its content", async () => {
    await setScript(fake, [{ text: "slow", delay_ms: 1500 }]);
    const started = Date.now();
    const events = await streamTurn(fake);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(events.filter((e) => e.event === "ping").length).toBeGreaterThanOrEqual(2);
    expect(accumulate(events).content[0].text).toBe("slow");
  });
});

describe("non-streaming", () => {
  it("answers with one message object", async () => {
    await setScript(fake, [{ tool_use: { name: "Bash", input: { command: "git status" } } }]);
    const res = await post(fake, "/v1/messages", mainBody({ stream: false, model: "claude-haiku-4-5" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    const message = (await res.json()) as Record<string, any>;
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-haiku-4-5",
      stop_reason: "tool_use",
      stop_sequence: null,
      content: [{ type: "tool_use", name: "Bash", input: { command: "git status" } }],
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), cache_read_input_tokens: 0 });
  });
});

describe("the script", () => {
  it("is consumed one turn per main request, then answers done", async () => {
    await setScript(fake, [{ text: "one" }, { text: "two" }]);
    const texts: string[] = [];
    for (let i = 0; i < 4; i += 1) texts.push(accumulate(await streamTurn(fake)).content[0].text);
    expect(texts).toEqual(["one", "two", "done", "done"]);
    const state = (await (await fetch(`${fake.base}/_script`)).json()) as { cursor: number };
    expect(state.cursor).toBe(2);
  });

  it("an error turn answers with that status in the API's error shape", async () => {
    await setScript(fake, [{ error: { status: 401, type: "authentication_error", message: "invalid x-api-key" } }, { text: "after" }]);
    const res = await post(fake, "/v1/messages?beta=true", mainBody());
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } });
    expect(body.request_id).toMatch(/^req_/);
    expect(accumulate(await streamTurn(fake)).content[0].text).toBe("after");
  });

  it("names the error type from the status when the turn leaves it out, and repeats a turn", async () => {
    await setScript(fake, [{ error: { status: 529, message: "Overloaded" }, repeat: 2 }, { text: "recovered" }]);
    for (let i = 0; i < 2; i += 1) {
      const res = await post(fake, "/v1/messages?beta=true", mainBody());
      expect(res.status).toBe(529);
      expect(await res.json()).toMatchObject({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    }
    expect(accumulate(await streamTurn(fake)).content[0].text).toBe("recovered");
  });

  it("loads from --script at start-up", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "anthropic-fake-"));
    const file = path.join(dir, "script.json");
    writeFileSync(file, JSON.stringify([{ text: "from the file" }]));
    const other = await startFake(["--script", file]);
    try {
      expect(accumulate(await streamTurn(other)).content[0].text).toBe("from the file");
    } finally {
      await stopFake(other);
    }
  });

  it("rejects a script that is not a list of turns", async () => {
    const res = await post(fake, "/_script", { nope: true });
    expect(res.status).toBe(400);
  });
});

describe("side requests", () => {
  beforeEach(async () => {
    await setScript(fake, [{ text: "main answer" }]);
  });

  async function expectSide(body: unknown) {
    const res = await post(fake, "/v1/messages?beta=true", body);
    expect(res.status).toBe(200);
    const message = (body as { stream?: boolean }).stream ? accumulate(parseSse(await res.text())) : ((await res.json()) as Record<string, any>);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.content[0].type).toBe("text");
    expect(message.content[0].text).not.toBe("main answer");
    // The script was not touched: the next main request still gets its turn.
    expect(accumulate(await streamTurn(fake)).content[0].text).toBe("main answer");
  }

  it("a request without tools (title, quota probe, model check) does not consume the script", async () => {
    await expectSide({ model: "claude-haiku-4-5", max_tokens: 1, messages: [{ role: "user", content: "quota" }] });
  });

  it("a request with an empty tool list does not either", async () => {
    await expectSide({ ...mainBody(), tools: [] });
  });

  it("a compaction fork (same tools, summary instruction last) does not either, and gets a <summary>", async () => {
    const body = mainBody({
      messages: [
        { role: "user", content: [{ type: "text", text: "write hello.txt" }] },
        { role: "assistant", content: [{ type: "text", text: "Done.", cache_control: { type: "ephemeral" } }] },
        {
          role: "user",
          content: [{ type: "text", text: "CRITICAL: Respond with TEXT ONLY. Do NOT call any tools.\n\nYour task is to create a detailed summary of the conversation so far" }],
        },
        { role: "system", content: "The following deferred tools are now available via ToolSearch." },
      ],
    });
    const res = await post(fake, "/v1/messages?beta=true", body);
    expect(accumulate(parseSse(await res.text())).content[0].text).toContain("<summary>");
    await expectSide(body);
  });

  it("a fork that appends its prompt after the cached prefix does not either", async () => {
    await expectSide(
      mainBody({
        messages: [
          { role: "user", content: [{ type: "text", text: "write hello.txt", cache_control: { type: "ephemeral" } }] },
          { role: "user", content: [{ type: "text", text: "Suggest what the user might type next." }] },
        ],
      }),
    );
  });

  it("a main request with caching off still counts", async () => {
    const body = mainBody({ messages: [{ role: "user", content: "write hello.txt" }] });
    expect(accumulate(await streamTurn(fake, body)).content[0].text).toBe("main answer");
  });
});

describe("other routes", () => {
  it("counts tokens", async () => {
    const res = await post(fake, "/v1/messages/count_tokens?beta=true", { model: "claude-opus-5-5", messages: [{ role: "user", content: "hello there" }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { input_tokens: number };
    expect(Object.keys(body)).toEqual(["input_tokens"]);
    expect(body.input_tokens).toBeGreaterThan(0);
  });

  it("answers the connectivity check", async () => {
    const res = await fetch(`${fake.base}/api/hello`, { method: "HEAD" });
    expect(res.status).toBe(200);
  });

  it("answers anything else with a 404 in the API's error shape", async () => {
    const res = await fetch(`${fake.base}/api/oauth/profile`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "not_found_error", message: expect.stringContaining("/api/oauth/profile") } });
  });

  it("rejects a messages request without messages", async () => {
    const res = await post(fake, "/v1/messages", { model: "x", max_tokens: 5 });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });
});

describe("records", () => {
  it("keeps every request with its path, query, headers (auth redacted) and body", async () => {
    await setScript(fake, [{ text: "hi" }]);
    await streamTurn(fake);
    await post(fake, "/v1/messages", { model: "m", max_tokens: 1, messages: [{ role: "user", content: "quota" }] }, { authorization: "Bearer secret-token" });
    await post(fake, "/v1/messages/count_tokens", { model: "m", messages: [] });
    await fetch(`${fake.base}/nowhere`);
    const records = (await (await fetch(`${fake.base}/_requests`)).json()) as Array<Record<string, any>>;
    expect(records.map((r) => [r.method, r.path, r.kind])).toEqual([
      ["POST", "/v1/messages", "main"],
      ["POST", "/v1/messages", "side"],
      ["POST", "/v1/messages/count_tokens", "count_tokens"],
      ["GET", "/nowhere", "other"],
    ]);
    expect(records[0]).toMatchObject({ query: { beta: "true" }, turn: 0, body: { model: "claude-opus-5-5", stream: true } });
    expect(records[0].headers["x-api-key"]).toBe("[redacted]");
    expect(records[0].headers["anthropic-version"]).toBe("2023-06-01");
    expect(records[1].headers.authorization).toBe("[redacted]");
    expect(JSON.stringify(records)).not.toMatch(/sk-fake|secret-token/);
  });

  it("are cleared by /_reset, with the script", async () => {
    await setScript(fake, [{ text: "x" }]);
    await streamTurn(fake);
    await post(fake, "/_reset", {});
    expect(await (await fetch(`${fake.base}/_requests`)).json()).toEqual([]);
    expect(await (await fetch(`${fake.base}/_script`)).json()).toEqual({ turns: [], cursor: 0 });
  });
});
