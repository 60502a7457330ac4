import { describe, expect, it } from "vitest";
import { style } from "../../lib/cli/output";
import { renderEvent, toolInput } from "../../lib/cli/render";
import { parseSince } from "../../lib/cli/api-commands";
import { describeError, exitCodeOf } from "../../lib/cli/errors";
import { errorFromRpc } from "../../lib/sdk";
import type { TranscriptEvent } from "../../lib/sdk";

const st = style(false);
const base = { seq: 1, ts: "2026-01-31T12:00:00.000Z" };

describe("the live transcript in a terminal", () => {
  it("shows assistant text, tool uses with their input on one line, results and the cost", () => {
    const events: TranscriptEvent[] = [
      { ...base, type: "user_prompt", text: "Fix the test" },
      { ...base, type: "assistant_text", text: "Looking at it.\nFirst the file." },
      { ...base, type: "tool_use", id: "t1", name: "Bash", input: { command: "npm test -- --run\nsecond line", description: "run" } },
      { ...base, type: "tool_result", tool_use_id: "t1", content: "FAIL a.test.ts\nexpected 1\nreceived 2", is_error: true },
      { ...base, type: "tool_use", id: "t2", name: "Edit", input: { file_path: "/workspace/code/a/a.ts", old_string: "1", new_string: "2" } },
      { ...base, type: "tool_result", tool_use_id: "t2", content: "ok", is_error: false },
      {
        ...base,
        type: "result",
        subtype: "success",
        is_error: false,
        result: "Fixed.",
        num_turns: 3,
        total_cost_usd: 0.0123,
        duration_ms: 65_000,
        usage: { input_tokens: 100, output_tokens: 20 },
        session_id: "c1",
      },
    ];
    const lines = events.flatMap((e) => renderEvent(e, st));
    expect(lines).toEqual([
      "▶ prompt",
      "  Fix the test",
      "Looking at it.",
      "First the file.",
      "→ Bash npm test -- --run ⏎ second line",
      "  ← error: FAIL a.test.ts (+2 lines)",
      "→ Edit /workspace/code/a/a.ts (+2 fields)",
      "  ← ok",
      "✔ done — 3 turns, $0.0123 total, 1m05s, 100 in / 20 out tokens",
    ]);
  });

  it("falls back to compact JSON for tool inputs without a telling field", () => {
    expect(toolInput("Custom", { a: 1, b: [2] })).toBe('{"a":1,"b":[2]}');
  });

  it("reads --since as a duration ago or an ISO time", () => {
    const now = Date.parse("2026-01-31T12:00:00Z");
    expect(parseSince("10m", now)).toBe("2026-01-31T11:50:00.000Z");
    expect(parseSince("2026-01-01T00:00:00Z", now)).toBe("2026-01-01T00:00:00Z");
  });

  it("explains a method the server does not offer (exit 8)", () => {
    const err = errorFromRpc({ code: -32601, message: "method not found: session.someday" }, "session.someday");
    expect(exitCodeOf(err)).toBe(8);
    expect(describeError(err)).toMatch(/this server does not offer it yet; upgrade hero_claude/);
  });
});
