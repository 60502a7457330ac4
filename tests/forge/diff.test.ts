// diffRepo: the session's work (commits, staged, unstaged, untracked) against its base, real git.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diffRepo } from "../../lib/workspace/diff";
import { git, makeRepo, tempDir } from "../helpers/repos";
import { agentGit, write } from "./world";

/** Paths and contents below `root` (not times: git may refresh an existing object's mtime). */
function contentHash(root: string): string {
  const h = createHash("sha256");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      h.update(`${path.relative(root, p)}\0`);
      if (lstatSync(p).isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(root);
  return h.digest("hex");
}

describe("diffRepo", () => {
  const root = tempDir("hc-diff-");
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function session(name: string, files: Record<string, string>): { dir: string; base: string } {
    const dir = makeRepo(path.join(root, name), files);
    return { dir, base: git(dir, "rev-parse", "HEAD").trim() };
  }

  it("lists added, modified, deleted, renamed, binary and untracked files with line counts, and the patch", async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n") + "\n";
    const s = session("kinds", { "mod.txt": "a\nb\nc\n", "old-name.txt": lines, "gone.txt": "bye\n", "img.bin": "x", "dist/built.js": "built\n" });
    const indexBefore = readFileSync(path.join(s.dir, ".git/index"));
    // An agent commit, a staged change, an unstaged change, an untracked file, a binary, a rename, a deletion.
    write(s.dir, "mod.txt", "a\nB\nc\nd\n");
    agentGit(s.dir, "commit", "-qam", "agent edit");
    write(s.dir, "staged.txt", "one\ntwo\n");
    agentGit(s.dir, "add", "staged.txt");
    agentGit(s.dir, "mv", "old-name.txt", "new-name.txt");
    unlinkSync(path.join(s.dir, "gone.txt"));
    write(s.dir, "notes/untracked.md", "hello\nworld\nagain\n");
    write(s.dir, "img.bin", Buffer.from([0, 1, 2, 3, 0, 255, 254, 0]));
    write(s.dir, "new.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0, 1, 2]));
    rmSync(path.join(s.dir, "dist"), { recursive: true }); // excluded from copies: never "deleted"
    const indexMid = readFileSync(path.join(s.dir, ".git/index"));
    const statusBefore = agentGit(s.dir, "status", "--porcelain");

    const d = await diffRepo(s.dir, s.base);
    const byPath = Object.fromEntries(d.files.map((f) => [f.path, f]));
    expect(byPath["mod.txt"]).toEqual({ path: "mod.txt", status: "modified", additions: 2, deletions: 1 });
    expect(byPath["staged.txt"]).toEqual({ path: "staged.txt", status: "added", additions: 2, deletions: 0 });
    expect(byPath["new-name.txt"]).toEqual({ path: "new-name.txt", status: "renamed", additions: 0, deletions: 0, old_path: "old-name.txt" });
    expect(byPath["gone.txt"]).toEqual({ path: "gone.txt", status: "deleted", additions: 0, deletions: 1 });
    expect(byPath["notes/untracked.md"]).toEqual({ path: "notes/untracked.md", status: "added", additions: 3, deletions: 0 });
    expect(byPath["img.bin"]).toMatchObject({ status: "modified", binary: true, additions: 0, deletions: 0 });
    expect(byPath["new.png"]).toMatchObject({ status: "added", binary: true });
    expect(byPath["dist/built.js"]).toBeUndefined();
    expect(d.files).toHaveLength(7);
    expect(d.truncated).toBe(false);
    expect(d.patch).toContain("diff --git a/mod.txt b/mod.txt\n");
    expect(d.patch).toContain("-b\n+B\n");
    expect(d.patch).toContain("rename from old-name.txt\nrename to new-name.txt\n");
    expect(d.patch).toContain("+++ b/notes/untracked.md\n@@ -0,0 +1,3 @@\n+hello\n");
    expect(d.patch).toContain("Binary files a/img.bin and b/img.bin differ");
    expect(d.patch).not.toContain("\u0000");
    // The session's index and status are exactly as before.
    expect(readFileSync(path.join(s.dir, ".git/index")).equals(indexMid)).toBe(true);
    expect(indexMid.equals(indexBefore)).toBe(false);
    expect(agentGit(s.dir, "status", "--porcelain")).toBe(statusBefore);
  });

  it("an unchanged repo has no files; a repo without commits diffs against the empty tree", async () => {
    const s = session("same", { "a.txt": "a\n" });
    expect(await diffRepo(s.dir, s.base)).toEqual({ files: [], patch: "", truncated: false });

    const dir = path.join(root, "nocommits");
    mkdirSync(dir);
    git(dir, "init", "-q", "-b", "main");
    write(dir, "x/first.txt", "1\n2\n");
    const d = await diffRepo(dir, null);
    expect(d.files).toEqual([{ path: "x/first.txt", status: "added", additions: 2, deletions: 0 }]);
  });

  it("caps the patch at a line boundary and says so", async () => {
    const s = session("big", { "a.txt": "a\n" });
    write(s.dir, "huge.txt", Array.from({ length: 20_000 }, (_, i) => `a fairly long line number ${i} ü`).join("\n") + "\n");
    const d = await diffRepo(s.dir, s.base, { maxPatchBytes: 64 * 1024 });
    expect(d.truncated).toBe(true);
    expect(Buffer.byteLength(d.patch)).toBeLessThanOrEqual(64 * 1024);
    expect(d.patch.endsWith("\n")).toBe(true);
    expect(d.patch).not.toContain("\uFFFD");
    expect(d.files).toEqual([{ path: "huge.txt", status: "added", additions: 20_000, deletions: 0 }]);
  });

  it("refuses a base that is not a commit id", async () => {
    const s = session("badbase", { "a.txt": "a\n" });
    await expect(diffRepo(s.dir, "HEAD~1")).rejects.toMatchObject({ code: -32005 });
    await expect(diffRepo(s.dir, "0".repeat(40))).rejects.toThrow(/not in/);
  });

  it("works on a 10 000-file repository (and prints how long it took)", async () => {
    const dir = path.join(root, "tenk-src");
    mkdirSync(dir);
    for (let d = 0; d < 100; d++) {
      mkdirSync(path.join(dir, `d${d}`));
      for (let f = 0; f < 100; f++) writeFileSync(path.join(dir, `d${d}`, `f${f}.txt`), `content ${d}/${f}\n`.repeat(20));
    }
    makeRepo(dir, {});
    const base = git(dir, "rev-parse", "HEAD").trim();
    // The session copy as create makes it: rsync -a (new inodes, so git's stat cache misses once).
    const copy = path.join(root, "tenk");
    execFileSync("rsync", ["-a", `${dir}/`, `${copy}/`]);
    write(copy, "d1/f1.txt", "changed\n");
    write(copy, "d99/new.txt", "new\n");
    unlinkSync(path.join(copy, "d50/f50.txt"));
    const before = contentHash(path.join(copy, ".git"));

    let t = performance.now();
    const fresh = await diffRepo(copy, base);
    const freshMs = performance.now() - t;
    expect(contentHash(path.join(copy, ".git"))).toBe(before); // diff wrote nothing into the copy's .git
    agentGit(copy, "status", "--porcelain"); // the agent's own git refreshes the index, as it would in the container
    t = performance.now();
    const warm = await diffRepo(copy, base);
    const warmMs = performance.now() - t;
    console.log(`diffRepo on 10 000 files: ${freshMs.toFixed(0)} ms on a fresh rsync copy, ${warmMs.toFixed(0)} ms with a refreshed index`);
    expect(fresh.files.map((f) => `${f.status} ${f.path}`).sort()).toEqual(["added d99/new.txt", "deleted d50/f50.txt", "modified d1/f1.txt"]);
    expect(warm.files).toEqual(fresh.files);
  });
});
