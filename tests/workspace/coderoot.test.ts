import { statSync, symlinkSync, unlinkSync, utimesSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyRepo, recordBase, saveBase, syncRepo, trashWorkspace } from "../../lib/workspace";
import { git, hashTree, makeRepo, tempDir } from "../helpers/repos";
import { write } from "./fixture";

describe("CODEROOT is never written", () => {
  it("stays byte-for-byte identical (contents, modes, mtimes, .git/index) through copy, sync and trash", async () => {
    const root = tempDir("hc-ro-");
    const src = makeRepo(path.join(root, "code", "app"), {
      "a.txt": "alpha\n",
      "lib/b.ts": "export const b = 1;\n",
      "dist.txt": "x\n",
    });
    git(src, "branch", "dist/release");
    write(path.join(src, "node_modules", "m.js"), "build\n");
    symlinkSync("a.txt", path.join(src, "link"));
    // Stale index stat data: a git status on CODEROOT would rewrite .git/index to refresh it.
    const later = Date.now() / 1000 + 5;
    utimesSync(path.join(src, "a.txt"), later, later);
    write(path.join(src, "untracked.txt"), "u\n");

    const before = hashTree(src);
    const indexBefore = statSync(path.join(src, ".git", "index"));

    const dest = path.join(root, "build", "s1", "code", "app");
    await copyRepo({ src, dest });
    let base = await recordBase(dest);
    await saveBase(path.join(root, "build", "s1", "state", "base.json"), base);
    write(path.join(dest, "lib", "b.ts"), "export const b = 2; // session\n");
    unlinkSync(path.join(dest, "dist.txt"));
    git(dest, "commit", "-qam", "session commit");
    write(path.join(dest, "new.txt"), "session file\n");
    for (let i = 0; i < 2; i++) base = (await syncRepo({ src, dest, base })).base;
    const t = await trashWorkspace({ codeDir: path.dirname(dest), trashDir: path.join(root, "build", ".trash", "s1"), keepDays: 7 });
    expect(t.kept).toBe(true);

    expect(hashTree(src)).toBe(before);
    const indexAfter = statSync(path.join(src, ".git", "index"));
    expect(indexAfter.mtimeMs).toBe(indexBefore.mtimeMs);
    expect(indexAfter.ino).toBe(indexBefore.ino);
    expect(indexAfter.ctimeMs).toBe(indexBefore.ctimeMs);
    // Control: the check is sensitive; an ordinary `git status` on CODEROOT refreshes the index.
    git(src, "status", "--porcelain");
    expect(hashTree(src)).not.toBe(before);
  });
});
