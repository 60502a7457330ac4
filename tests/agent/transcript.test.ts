// The transcript parser against stream-json recorded from the real Claude Code CLI (2.1.330)
// driven by tests/fakes/anthropic-fake.mjs; see fixtures/README.md for how each was made.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  StreamJsonParser,
  TranscriptEventSchema,
  agentUpdateFrom,
  parseLine,
  toEvents,
  userPromptEvent,
  type ParsedLine,
  type TranscriptEvent,
  type TranscriptEventDraft,
} from "@/lib/agent/transcript";

const FIXTURES = path.join(import.meta.dirname, "fixtures");
const FIXTURE_NAMES = readdirSync(FIXTURES).filter((f) => f.endsWith(".jsonl")).sort();
const NOW = "2030-01-01T00:00:00.000Z";
const now = () => NOW;

function fixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

function parseAll(chunks: (string | Uint8Array)[]): ParsedLine[] {
  const parser = new StreamJsonParser({ now });
  const lines: ParsedLine[] = [];
  for (const chunk of chunks) lines.push(...parser.push(chunk));
  lines.push(...parser.end());
  return lines;
}

function eventsOf(name: string): TranscriptEventDraft[] {
  return parseAll([fixture(name)]).flatMap((l) => l.events);
}

function numbered(events: TranscriptEventDraft[]): TranscriptEvent[] {
  return events.map((e, seq) => TranscriptEventSchema.parse({ ...e, seq }));
}

function only<T extends TranscriptEventDraft["type"]>(events: TranscriptEventDraft[], type: T) {
  return events.filter((e): e is Extract<TranscriptEventDraft, { type: T }> => e.type === type);
}

describe("recorded fixtures", () => {
  it("has the fixtures", () => {
    expect(FIXTURE_NAMES).toEqual(
      expect.arrayContaining(["tools-run.jsonl", "resume.jsonl", "error-401.jsonl", "overloaded-529.jsonl", "compact.jsonl"]),
    );
  });

  it.each(FIXTURE_NAMES)("%s: every line parses as JSON and every event fits the schema", (name) => {
    const text = fixture(name).toString("utf8");
    const lines = parseAll([text]);
    expect(lines.map((l) => l.raw)).toEqual(text.split("\n").filter((l) => l.length > 0));
    for (const line of lines) {
      expect(line.value).toBeTypeOf("object");
      expect(line.events.length).toBeGreaterThan(0);
      expect(line.events.some((e) => e.type === "error" && e.raw !== undefined)).toBe(false);
    }
    expect(() => numbered(lines.flatMap((l) => l.events))).not.toThrow();
  });

  it.each(FIXTURE_NAMES)("%s: a split at every byte offset gives the same events", (name) => {
    const bytes = fixture(name);
    const whole = JSON.stringify(parseAll([bytes]));
    const differing: number[] = [];
    for (let i = 0; i <= bytes.length; i += 1) {
      if (JSON.stringify(parseAll([bytes.subarray(0, i), bytes.subarray(i)])) !== whole) differing.push(i);
    }
    expect(differing).toEqual([]);
  });

  it("gives the same events for one-byte chunks and for string chunks", () => {
    const bytes = fixture("tools-run.jsonl");
    const whole = parseAll([bytes]);
    expect(parseAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual(whole);
    const text = bytes.toString("utf8");
    const pieces: string[] = [];
    for (let i = 0; i < text.length; i += 7) pieces.push(text.slice(i, i + 7));
    expect(parseAll(pieces)).toEqual(whole);
  });
});

describe("a run with tools (Write, Bash, Edit, Read, a failing Bash)", () => {
  const events = eventsOf("tools-run.jsonl");

  it("opens with the init event", () => {
    const [init] = events;
    expect(init).toMatchObject({
      type: "system",
      session_id: "10b91c87-088e-4ef3-bcee-83265f75ae51",
      model: "claude-opus-5-5",
      cwd: "/tmp/hero-fixture/demo",
      mcp_servers: [],
      permission_mode: "bypassPermissions",
      claude_code_version: "2.1.330",
    });
    expect(init.type === "system" && init.tools).toEqual(expect.arrayContaining(["Bash", "Edit", "Read", "Write"]));
  });

  it("has the tool calls in order, each answered by its result", () => {
    const uses = only(events, "tool_use");
    expect(uses.map((u) => u.name)).toEqual(["Write", "Bash", "Edit", "Read", "Read", "Bash"]);
    expect(uses[0].input).toEqual({ file_path: "/tmp/hero-fixture/demo/hello.txt", content: "hello world\n" });
    expect(uses[1].input).toMatchObject({ command: "git status --short" });
    const results = only(events, "tool_result");
    expect(results.map((r) => r.tool_use_id)).toEqual(uses.map((u) => u.id));
    expect(results[1]).toMatchObject({ content: "?? hello.txt", is_error: false });
    expect(results[3].content).toContain("hello world");
    expect(results[5]).toMatchObject({ is_error: true });
    expect(results[5].content).toContain("No such file or directory");
    for (const r of results.slice(0, 5)) expect(r.is_error).toBe(false);
  });

  it("keeps the assistant's text, one event per content block", () => {
    expect(only(events, "assistant_text").map((t) => t.text)).toEqual([
      "I'll create the file.",
      "Checking both files.",
      "Wrote hello.txt, checked git status and edited README.md.",
    ]);
  });

  it("takes the CLI's timestamps where a line has one", () => {
    const first = only(events, "tool_result")[0];
    expect(first.ts).toMatch(/^2026-11-23T20:08:\d\d\.\d{3}Z$/);
    expect(events[0].ts).toBe(NOW); // the init line carries no timestamp
  });

  it("extracts the result", () => {
    const [result] = only(events, "result");
    expect(result).toMatchObject({
      subtype: "success",
      is_error: false,
      result: "Wrote hello.txt, checked git status and edited README.md.",
      num_turns: 7,
      total_cost_usd: 0.30822800000000006,
      usage: { input_tokens: 75687, output_tokens: 274, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      session_usage: { input_tokens: 75687, output_tokens: 274 },
      session_id: "10b91c87-088e-4ef3-bcee-83265f75ae51",
      api_error_status: null,
    });
    expect(result.duration_ms).toBeGreaterThan(0);
    expect(events.at(-1)).toBe(result);
  });

  it("updates the agent block", () => {
    let agent = { claude_session_id: null as string | null, turns: 0, cost_usd: 0, input_tokens: 0, output_tokens: 0 };
    for (const e of events) agent = { ...agent, ...agentUpdateFrom(e, agent) };
    expect(agent).toEqual({
      claude_session_id: "10b91c87-088e-4ef3-bcee-83265f75ae51",
      turns: 7,
      cost_usd: 0.30822800000000006,
      input_tokens: 75687,
      output_tokens: 274,
      last_result: "Wrote hello.txt, checked git status and edited README.md.",
      state: "done",
    });
  });
});

describe("resume", () => {
  it("continues the same Claude session; cost and token totals carry over, turns add up", () => {
    let agent = { claude_session_id: null as string | null, turns: 0, cost_usd: 0, input_tokens: 0, output_tokens: 0 };
    for (const e of eventsOf("tools-run.jsonl")) agent = { ...agent, ...agentUpdateFrom(e, agent) };
    const resumed = eventsOf("resume.jsonl");
    expect(resumed[0]).toMatchObject({ type: "system", session_id: agent.claude_session_id });
    for (const e of resumed) agent = { ...agent, ...agentUpdateFrom(e, agent) };
    expect(agent).toMatchObject({
      claude_session_id: "10b91c87-088e-4ef3-bcee-83265f75ae51",
      turns: 7 + 2,
      cost_usd: 0.4129360000000001, // the CLI's own running total
      input_tokens: 75687 + 25942,
      output_tokens: 274 + 47,
      last_result: "hello.txt says: hello world",
      state: "done",
    });
  });

  it("adds to the totals when the result belongs to another Claude session", () => {
    const [result] = only(eventsOf("resume.jsonl"), "result");
    const update = agentUpdateFrom(result, { claude_session_id: "other", turns: 1, cost_usd: 1, input_tokens: 10, output_tokens: 5 });
    expect(update.cost_usd).toBeCloseTo(1 + 0.4129360000000001, 10);
    expect(update.input_tokens).toBe(10 + 101629);
    expect(update.turns).toBe(3);
  });
});

describe("failed runs", () => {
  it("an API 401 fails with the CLI's own message", () => {
    const events = eventsOf("error-401.jsonl");
    expect(events.map((e) => e.type)).toEqual(["system", "error", "result"]);
    expect(events[1]).toMatchObject({ message: "Invalid API key · Fix external API key", api_error_status: 401 });
    const result = events[2];
    expect(result).toMatchObject({ type: "result", is_error: true, api_error_status: 401, num_turns: 1 });
    expect(agentUpdateFrom(result)).toMatchObject({ state: "failed", error: "Invalid API key · Fix external API key" });
    expect(agentUpdateFrom(result).last_result).toBeUndefined();
  });

  it("repeated 529s: the retries are kept, then the run fails", () => {
    const events = eventsOf("overloaded-529.jsonl");
    const retries = only(events, "unknown").filter((e) => (e.raw as { subtype?: string }).subtype === "api_retry");
    expect(retries.map((e) => (e.raw as { attempt: number }).attempt)).toEqual([1, 2]);
    const update = agentUpdateFrom(only(events, "result")[0]);
    expect(update.state).toBe("failed");
    expect(update.error).toMatch(/^API Error: Repeated 529 Overloaded errors/);
  });

  it("max turns: the CLI's errors become the message", () => {
    const [result] = only(eventsOf("max-turns.jsonl"), "result");
    expect(result).toMatchObject({ subtype: "error_max_turns", is_error: true, result: "Reached maximum number of turns (1)" });
    expect(agentUpdateFrom(result)).toMatchObject({ state: "failed", error: "Reached maximum number of turns (1)" });
  });

  it("a run stopped mid-turn has no result, so nothing ends the agent", () => {
    const events = eventsOf("stopped-sigterm.jsonl");
    expect(events.map((e) => e.type)).toEqual(["system"]);
    expect(events.map((e) => agentUpdateFrom(e)).some((u) => u.state !== undefined)).toBe(false);
  });
});

describe("lines we do not model", () => {
  it("keeps the CLI's other system and user lines whole", () => {
    const lines = parseAll([fixture("compact.jsonl")]);
    const unknown = lines.filter((l) => l.events.some((e) => e.type === "unknown"));
    expect(unknown.length).toBe(5);
    for (const line of unknown) expect(line.events).toEqual([{ type: "unknown", ts: expect.any(String), raw: line.value }]);
    const subtypes = unknown.map((l) => (l.value as { subtype?: string }).subtype);
    expect(subtypes).toEqual(expect.arrayContaining(["status", "compact_boundary"]));
  });

  it("keeps unknown types and unknown content blocks", () => {
    const obj = { type: "brand_new_event", nested: { a: [1, 2] } };
    expect(toEvents(obj, { now })).toEqual([{ type: "unknown", ts: NOW, raw: obj }]);
    const thinking = { type: "thinking", thinking: "hmm", signature: "x" };
    const events = toEvents(
      { type: "assistant", message: { content: [thinking, { type: "text", text: "hi" }] }, parent_tool_use_id: null },
      { now },
    );
    expect(events).toEqual([
      { type: "unknown", ts: NOW, raw: { type: "assistant", content_block: thinking, parent_tool_use_id: null } },
      { type: "assistant_text", ts: NOW, text: "hi", parent_tool_use_id: null },
    ]);
    expect(toEvents(42, { now })).toEqual([{ type: "unknown", ts: NOW, raw: 42 }]);
    expect(toEvents({ type: "assistant" }, { now })).toEqual([{ type: "unknown", ts: NOW, raw: { type: "assistant" } }]);
  });

  it("keeps garbage lines as errors with their text, and skips blank lines", () => {
    const lines = parseAll(["not json at all\n{\"type\":\"bro", "ken\n\n   \r\n[1,2]\r\n", "{\"type\":\"x\"}"]);
    expect(lines.map((l) => l.raw)).toEqual(["not json at all", '{"type":"broken', "[1,2]", '{"type":"x"}']);
    expect(lines[0].events).toEqual([{ type: "error", ts: NOW, message: "not a stream-json line", raw: "not json at all" }]);
    expect(lines[1].events[0]).toMatchObject({ type: "error", raw: '{"type":"broken' });
    expect(lines[2].events).toEqual([{ type: "unknown", ts: NOW, raw: [1, 2] }]);
    expect(lines[3].events).toEqual([{ type: "unknown", ts: NOW, raw: { type: "x" } }]);
  });

  it("never throws on odd shapes", () => {
    const odd = [
      { type: "result" },
      { type: "result", is_error: "yes", num_turns: -3, usage: null, modelUsage: { m: null } },
      { type: "user", message: { content: [{ type: "tool_result", content: [{ type: "text", text: "a" }, { type: "image" }] }] } },
      { type: "system", subtype: "init", tools: [1, "Bash"], mcp_servers: [{ name: "fs" }, null] },
      { type: "assistant", message: { content: [{ type: "tool_use", id: "toolu_1" }, null, "x"] } },
    ];
    for (const obj of odd) expect(() => numbered(toEvents(obj, { now }))).not.toThrow();
    expect(toEvents(odd[0], { now })[0]).toMatchObject({ type: "result", is_error: false, result: "", num_turns: 0 });
    expect(toEvents(odd[2], { now })[0]).toMatchObject({ type: "tool_result", content: "a\n[image]", is_error: false });
    expect(toEvents(odd[3], { now })[0]).toMatchObject({ tools: ["Bash"], mcp_servers: [{ name: "fs", status: "unknown" }] });
  });

  it("parseLine maps one line", () => {
    expect(parseLine('{"type":"result","subtype":"success","is_error":false,"result":"ok","session_id":"s"}', { now }).events).toEqual([
      expect.objectContaining({ type: "result", result: "ok", session_id: "s" }),
    ]);
  });
});

describe("the schema", () => {
  it("accepts a caller's user_prompt and rejects a bad event", () => {
    expect(TranscriptEventSchema.parse({ seq: 0, ...userPromptEvent("write hello.txt", NOW) })).toEqual({
      seq: 0,
      ts: NOW,
      type: "user_prompt",
      text: "write hello.txt",
    });
    expect(agentUpdateFrom(userPromptEvent("x"))).toEqual({});
    expect(TranscriptEventSchema.safeParse({ seq: 0, ts: "yesterday", type: "user_prompt", text: "x" }).success).toBe(false);
    expect(TranscriptEventSchema.safeParse({ seq: 0, ts: NOW, type: "nope" }).success).toBe(false);
  });
});
