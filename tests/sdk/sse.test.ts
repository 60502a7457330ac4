import { describe, expect, it } from "vitest";
import { SseParser } from "../../lib/sdk/sse";

/** Feed `text` split at every position in turn: the result must not depend on the chunking. */
function parseAllSplits(text: string) {
  const whole = new SseParser().push(text);
  for (let i = 1; i < text.length; i++) {
    const p = new SseParser();
    expect([...p.push(text.slice(0, i)), ...p.push(text.slice(i))]).toEqual(whole);
  }
  return whole;
}

describe("the SSE parser", () => {
  it("names events, joins multi-line data and skips comments", () => {
    const msgs = parseAllSplits(": connected\n\nevent: session\ndata: {\"a\":\ndata: 1}\n\n: ping\n\ndata: plain\n\n");
    expect(msgs).toEqual([
      { event: "session", data: '{"a":\n1}', id: "" },
      { event: "message", data: "plain", id: "" },
    ]);
    expect(JSON.parse(msgs[0]!.data)).toEqual({ a: 1 });
  });

  it("accepts CRLF and lone CR line ends, even split between CR and LF", () => {
    expect(parseAllSplits("event: log\r\ndata: x\r\n\r\nevent: oplog\rdata: y\r\r")).toEqual([
      { event: "log", data: "x", id: "" },
      { event: "oplog", data: "y", id: "" },
    ]);
  });

  it("drops one leading space only, keeps ids, ignores unknown fields and empty blocks", () => {
    expect(parseAllSplits("id: 7\nretry: 100\nfoo: bar\ndata:  two spaces\ndata\n\nevent: x\n\n")).toEqual([
      { event: "message", data: " two spaces\n", id: "7" },
    ]);
  });

  it("keeps an incomplete block until its blank line arrives", () => {
    const p = new SseParser();
    expect(p.push("event: transcript\ndata: {}")).toEqual([]);
    expect(p.push("\n")).toEqual([]);
    expect(p.push("\n")).toEqual([{ event: "transcript", data: "{}", id: "" }]);
  });
});
