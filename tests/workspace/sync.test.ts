import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyRepo, loadBase, recordBase, runningAsRoot, saveBase, syncRepo } from "../../lib/workspace";
import { git, makeRepo, tempDir } from "../helpers/repos";
import { makeSession, write } from "./fixture";

const files = {
  "a.txt": "alpha\n",
  "b.txt": "bravo\n",
  "c.bin": "charlie\n",
  "lib/d.ts": "export const d = 1;\n",
};

describe("syncRepo", () => {
  it("brings an upstream-only change, keeps a session-only change, and is a no-op the second time", async () => {
    const s = await makeSession(files);
    write(path.join(s.src, "a.txt"), "alpha from upstream, longer\n");
    write(path.join(s.dest, "b.txt"), "bravo edited by the session\n");
    const lines: string[] = [];
    const r = await syncRepo({ src: s.src, dest: s.dest, base: s.base, onLine: (l) => lines.push(l) });
    expect(r.updated).toEqual(["a.txt"]);
    expect(r.conflicts).toEqual([]);
    expect(readFileSync(path.join(s.dest, "a.txt"), "utf8")).toBe("alpha from upstream, longer\n");
    expect(readFileSync(path.join(s.dest, "b.txt"), "utf8")).toBe("bravo edited by the session\n");
    expect(lines).toContain("sync: updated a.txt");

    const again = await syncRepo({ src: s.src, dest: s.dest, base: r.base });
    expect(again).toMatchObject({ updated: [], conflicts: [], fetched: false, changed: false });
    expect(readFileSync(path.join(s.dest, "b.txt"), "utf8")).toBe("bravo edited by the session\n");
  });

  it("reports a file changed on both sides as a conflict and keeps the session's bytes", async () => {
    const s = await makeSession(files);
    const mine = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0, 42]);
    write(path.join(s.src, "c.bin"), "upstream rewrote c\n");
    write(path.join(s.dest, "c.bin"), mine);
    const r = await syncRepo({ src: s.src, dest: s.dest, base: s.base });
    expect(r.conflicts).toEqual(["c.bin"]);
    expect(r.updated).toEqual([]);
    expect(readFileSync(path.join(s.dest, "c.bin")).equals(mine)).toBe(true);
    // Reported once: the session's version now counts as its own change.
    const again = await syncRepo({ src: s.src, dest: s.dest, base: r.base });
    expect(again).toMatchObject({ updated: [], conflicts: [] });
    expect(readFileSync(path.join(s.dest, "c.bin")).equals(mine)).toBe(true);
  });

  it("deletes a file deleted upstream and adds new upstream files, directories included", async () => {
    const s = await makeSession(files);
    rmSync(path.join(s.src, "lib"), { recursive: true });
    write(path.join(s.src, "new", "deep", "e.ts"), "export const e = 2;\n");
    symlinkSync("../a.txt", path.join(s.src, "new", "link"));
    const r = await syncRepo({ src: s.src, dest: s.dest, base: s.base });
    expect(r.updated).toEqual(["lib/d.ts", "new/deep/e.ts", "new/link"]);
    expect(existsSync(path.join(s.dest, "lib", "d.ts"))).toBe(false);
    expect(existsSync(path.join(s.dest, "lib"))).toBe(false); // empty and gone upstream
    expect(readFileSync(path.join(s.dest, "new", "deep", "e.ts"), "utf8")).toBe("export const e = 2;\n");
    expect(lstatSync(path.join(s.dest, "new", "link")).isSymbolicLink()).toBe(true);
    const again = await syncRepo({ src: s.src, dest: s.dest, base: r.base });
    expect(again).toMatchObject({ updated: [], conflicts: [], changed: false });
  });

  it("keeps a session deletion of a file changed upstream, as a conflict", async () => {
    const s = await makeSession(files);
    write(path.join(s.src, "a.txt"), "alpha v2\n");
    unlinkSync(path.join(s.dest, "a.txt"));
    const r = await syncRepo({ src: s.src, dest: s.dest, base: s.base });
    expect(r.conflicts).toEqual(["a.txt"]);
    expect(existsSync(path.join(s.dest, "a.txt"))).toBe(false);
    expect((await syncRepo({ src: s.src, dest: s.dest, base: r.base })).conflicts).toEqual([]);
  });

  it("keeps a session edit of a file deleted upstream, as a conflict", async () => {
    const s = await makeSession(files);
    unlinkSync(path.join(s.src, "b.txt"));
    write(path.join(s.dest, "b.txt"), "still needed\n");
    const r = await syncRepo({ src: s.src, dest: s.dest, base: s.base });
    expect(r.conflicts).toEqual(["b.txt"]);
    expect(readFileSync(path.join(s.dest, "b.txt"), "utf8")).toBe("still needed\n");
  });

  it("treats the same path added on both sides as a conflict, unless the content is identical", async () => {
    const s = await makeSession(files);
    write(path.join(s.src, "x.txt"), "upstream x\n");
    write(path.join(s.dest, "x.txt"), "session x\n");
    write(path.join(s.src, "y.txt"), "same y\n");
    write(path.join(s.dest, "y.txt"), "same y\n");
    write(path.join(s.src, "a.txt"), "both made the same edit\n");
    write(path.join(s.dest, "a.txt"), "both made the same edit\n");
    const r = await syncRepo({ src: s.src, dest: s.dest, base: s.base });
    expect(r.conflicts).toEqual(["x.txt"]);
    expect(r.updated).toEqual([]);
    expect(readFileSync(path.join(s.dest, "x.txt"), "utf8")).toBe("session x\n");
    const again = await syncRepo({ src: s.src, dest: s.dest, base: r.base });
    expect(again).toMatchObject({ updated: [], conflicts: [], changed: false });
  });

  it("uses content, not only mtimes: a side that merely touched a file did not change it", async () => {
    const s = await makeSession(files);
    // Upstream touched a.txt (same bytes) while the session edited it: the session's edit stands.
    utimesSync(path.join(s.src, "a.txt"), new Date(), new Date(Date.now() + 60_000));
    write(path.join(s.dest, "a.txt"), "alpha, session edit\n");
    // The session touched b.txt (same bytes) while upstream edited it: upstream's edit arrives.
    utimesSync(path.join(s.dest, "b.txt"), new Date(), new Date(Date.now() + 60_000));
    write(path.join(s.src, "b.txt"), "bravo, upstream edit\n");
    // Upstream touched c.bin and nothing else happened: nothing to report.
    utimesSync(path.join(s.src, "c.bin"), new Date(), new Date(Date.now() + 90_000));
    const r = await syncRepo({ src: s.src, dest: s.dest, base: s.base });
    expect(r.conflicts).toEqual([]);
    expect(r.updated).toEqual(["b.txt"]);
    expect(readFileSync(path.join(s.dest, "a.txt"), "utf8")).toBe("alpha, session edit\n");
    expect(readFileSync(path.join(s.dest, "b.txt"), "utf8")).toBe("bravo, upstream edit\n");
    const again = await syncRepo({ src: s.src, dest: s.dest, base: r.base });
    expect(again).toMatchObject({ updated: [], conflicts: [], changed: false });
  });

  it("fetches new upstream commits into refs/hero-claude/upstream/* without moving the session", async () => {
    const s = await makeSession(files);
    const sessionHead = git(s.dest, "rev-parse", "HEAD").trim();
    expect(git(s.dest, "rev-parse", "refs/hero-claude/upstream/main").trim()).toBe(sessionHead);
    expect(git(s.dest, "rev-parse", "refs/hero-claude/base").trim()).toBe(sessionHead);

    // The session commits its own work; upstream commits something else and opens a branch.
    write(path.join(s.dest, "b.txt"), "session commit\n");
    git(s.dest, "commit", "-qam", "session work");
    const sessionCommit = git(s.dest, "rev-parse", "HEAD").trim();
    write(path.join(s.dest, "wip.txt"), "uncommitted\n");
    git(s.dest, "add", "wip.txt");
    const indexBefore = readFileSync(path.join(s.dest, ".git", "index"));
    write(path.join(s.src, "lib", "d.ts"), "export const d = 2; // upstream\n");
    git(s.src, "commit", "-qam", "upstream work");
    git(s.src, "branch", "feature/x");
    const upstreamCommit = git(s.src, "rev-parse", "HEAD").trim();

    const lines: string[] = [];
    const r = await syncRepo({ src: s.src, dest: s.dest, base: s.base, onLine: (l) => lines.push(l) });
    expect(r.fetched).toBe(true);
    expect(git(s.dest, "rev-parse", "refs/hero-claude/upstream/main").trim()).toBe(upstreamCommit);
    expect(git(s.dest, "rev-parse", "refs/hero-claude/upstream/feature/x").trim()).toBe(upstreamCommit);
    expect(git(s.dest, "log", "-1", "--format=%s", "hero-claude/upstream/main").trim()).toBe("upstream work");
    expect(git(s.dest, "rev-parse", "HEAD").trim()).toBe(sessionCommit);
    expect(git(s.dest, "rev-parse", "refs/heads/main").trim()).toBe(sessionCommit);
    expect(readFileSync(path.join(s.dest, ".git", "index")).equals(indexBefore)).toBe(true);
    expect(r.updated).toEqual(["lib/d.ts"]); // the work-tree file follows, as any upstream change
    expect(lines.some((l) => l.startsWith("fetch: refs/hero-claude/upstream/main ->"))).toBe(true);

    // Nothing new upstream: no fetch at all. A deleted upstream branch is pruned.
    expect((await syncRepo({ src: s.src, dest: s.dest, base: r.base })).fetched).toBe(false);
    git(s.src, "branch", "-D", "feature/x");
    const r3 = await syncRepo({ src: s.src, dest: s.dest, base: r.base });
    expect(r3.fetched).toBe(true);
    expect(git(s.dest, "for-each-ref", "--format=%(refname)", "refs/hero-claude/upstream/").trim()).toBe("refs/hero-claude/upstream/main");
  });

  it("ignores excluded directories on both sides", async () => {
    const s = await makeSession(files);
    write(path.join(s.src, "node_modules", "m", "index.js"), "upstream build\n");
    write(path.join(s.dest, "dist", "out.js"), "session build\n");
    const r = await syncRepo({ src: s.src, dest: s.dest, base: s.base });
    expect(r).toMatchObject({ updated: [], conflicts: [] });
    expect(existsSync(path.join(s.dest, "node_modules"))).toBe(false);
  });

  it("never writes through a symlink the session put in place of a directory", async () => {
    const s = await makeSession(files);
    const outside = tempDir("hc-outside-");
    rmSync(path.join(s.dest, "lib"), { recursive: true });
    symlinkSync(outside, path.join(s.dest, "lib"));
    write(path.join(s.src, "lib", "new.ts"), "upstream\n");
    const r = await syncRepo({ src: s.src, dest: s.dest, base: s.base });
    expect(r.conflicts).toContain("lib/new.ts");
    expect(existsSync(path.join(outside, "new.ts"))).toBe(false);
  });

  it("copes with paths that are also Object.prototype names, and survives save/load", async () => {
    const s = await makeSession(Object.fromEntries([["constructor", "c\n"], ["__proto__", "p\n"], ["toString/x", "t\n"]]));
    expect(Object.keys(s.base.manifest).sort()).toEqual(["__proto__", "constructor", "toString/x"]);
    const file = path.join(s.root, "build", "s1", "state", "base-app.json");
    await saveBase(file, s.base);
    const loaded = await loadBase(file);
    expect(Object.keys(loaded.manifest).sort()).toEqual(["__proto__", "constructor", "toString/x"]);
    write(path.join(s.src, "constructor"), "c2, upstream\n");
    write(path.join(s.src, "valueOf"), "new\n");
    const r = await syncRepo({ src: s.src, dest: s.dest, base: loaded });
    expect(r.updated).toEqual(["constructor", "valueOf"]);
  });

  it("records hashes from the copy's git index for clean tracked files", async () => {
    const s = await makeSession(files);
    const head = git(s.dest, "rev-parse", "HEAD").trim();
    expect(s.base.head).toBe(head);
    expect(s.base.branch).toBe("main");
    const blob = git(s.dest, "rev-parse", "HEAD:a.txt").trim();
    expect(s.base.manifest["a.txt"]?.hash).toBe(blob);
    // An untracked file gets no free hash; one is computed only when sync needs it.
    mkdirSync(path.join(s.dest, "u"), { recursive: true });
    writeFileSync(path.join(s.dest, "u", "f"), "x");
    const again = await recordBase(s.dest);
    expect(again.manifest["u/f"]?.hash).toBeNull();
  });

  it.skipIf(!runningAsRoot())("gives what it writes (files, directories, fetched objects, refs) to the sandbox user", async () => {
    const owner = { uid: 4321, gid: 4322 };
    const src = makeRepo(path.join(tempDir(), "app"), files);
    const dest = path.join(tempDir(), "app");
    await copyRepo({ src, dest, chown: owner });
    const base = await recordBase(dest, { chown: owner });
    write(path.join(src, "fresh", "dir", "f.txt"), "new upstream file\n");
    write(path.join(src, "a.txt"), "alpha v2, committed upstream\n");
    git(src, "add", "-A");
    git(src, "commit", "-qm", "upstream");
    const r = await syncRepo({ src, dest, base, chown: owner });
    expect(r.updated).toEqual(["a.txt", "fresh/dir/f.txt"]);
    const paths = ["fresh", "fresh/dir", "fresh/dir/f.txt", "a.txt", ".git/refs/hero-claude/upstream/main"];
    const objects = git(dest, "rev-list", "--objects", "-1", "refs/hero-claude/upstream/main").split("\n")[0]!.trim();
    paths.push(`.git/objects/${objects.slice(0, 2)}/${objects.slice(2)}`, `.git/objects/${objects.slice(0, 2)}`);
    for (const p of paths) {
      const st = lstatSync(path.join(dest, p));
      expect([st.uid, st.gid], p).toEqual([owner.uid, owner.gid]);
    }
  });
});

describe("syncRepo against a rigged .git", () => {
  it("refuses to fetch when the session made a directory under .git a symlink", async () => {
    const s = await makeSession(files);
    const outside = tempDir("hc-outside-");
    git(s.src, "commit", "-q", "--allow-empty", "-m", "upstream moves");
    rmSync(path.join(s.dest, ".git", "refs", "hero-claude"), { recursive: true, force: true });
    symlinkSync(outside, path.join(s.dest, ".git", "refs", "hero-claude"));
    const err = await syncRepo({ src: s.src, dest: s.dest, base: s.base }).catch((e) => e);
    expect(err?.message).toMatch(/refusing host-side git/);
    expect(readdirSync(outside)).toEqual([]);
  });
});
