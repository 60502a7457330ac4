// concatFiles (the whole-log download) and tailLines (session.logs), on real files.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { concatFiles, tailLines } from "../../lib/fsutil";

const dir = mkdtempSync(path.join(tmpdir(), "hc-fsutil-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(gen: AsyncGenerator<Buffer | string>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of gen) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
}

describe("concatFiles", () => {
  const a = path.join(dir, "a.log");
  const b = path.join(dir, "b.log");
  const big = Array.from({ length: 30_000 }, (_, i) => `line ${i} ✓`).join("\n") + "\n";
  writeFileSync(a, big);
  writeFileSync(b, "one\r\ntwo\nno newline at the end");

  it("streams a file whole, byte for byte", async () => {
    expect(await collect(concatFiles([{ file: a, label: "a" }], false))).toBe(big);
  });

  it("tags every line with its file's label, files in order, missing files empty", async () => {
    const text = await collect(
      concatFiles(
        [
          { file: b, label: "b" },
          { file: path.join(dir, "missing.log"), label: "m" },
          { file: a, label: "a" },
        ],
        true,
      ),
    );
    const lines = text.split("\n");
    expect(lines.slice(0, 4)).toEqual(["[b] one", "[b] two", "[b] no newline at the end", "[a] line 0 ✓"]);
    expect(lines.length).toBe(3 + 30_000 + 1);
    expect(lines.at(-2)).toBe("[a] line 29999 ✓");
    expect(text).not.toContain("[m]");
  });

  it("tailLines returns the last lines of the same file", async () => {
    expect(await tailLines(a, 2)).toEqual(["line 29998 ✓", "line 29999 ✓"]);
    expect(await tailLines(path.join(dir, "missing.log"), 5)).toEqual([]);
  });
});
