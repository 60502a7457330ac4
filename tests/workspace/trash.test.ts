import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listRepoDirs, pruneTrash, syncRepo, trashWorkspace } from "../../lib/workspace";
import { git, makeRepo, tempDir } from "../helpers/repos";
import { makeSession, write } from "./fixture";

const files = { "a.txt": "alpha\n", "img.bin": "\u0000\u0001binary\n" };

function trashDirOf(root: string): string {
  return path.join(root, "build", ".trash", "s1-20250101T000000Z");
}

describe("trashWorkspace", () => {
  it("keeps nothing for a clean workspace, even after upstream commits were fetched", async () => {
    const s = await makeSession(files);
    // Upstream commits on another branch; its files end up as they were.
    git(s.src, "checkout", "-q", "-b", "feature");
    write(path.join(s.src, "a.txt"), "upstream moved on\n");
    git(s.src, "commit", "-qam", "upstream commit");
    git(s.src, "checkout", "-q", "main");
    const r = await syncRepo({ src: s.src, dest: s.dest, base: s.base });
    expect(r).toMatchObject({ updated: [], conflicts: [] });
    expect(r.fetched).toBe(true);
    const trashDir = trashDirOf(s.root);
    const t = await trashWorkspace({ codeDir: path.dirname(s.dest), trashDir, keepDays: 7, baseHeads: { app: s.base.head } });
    expect(t).toEqual({ kept: false, path: trashDir, repos: [] });
    expect(existsSync(trashDir)).toBe(false);
  });

  it("keeps a session commit in a bundle that restores it", async () => {
    const s = await makeSession(files);
    write(path.join(s.dest, "a.txt"), "session work\n");
    git(s.dest, "commit", "-qam", "session commit");
    const commit = git(s.dest, "rev-parse", "HEAD").trim();
    const trashDir = trashDirOf(s.root);
    const t = await trashWorkspace({ codeDir: path.dirname(s.dest), trashDir, keepDays: 7, baseHeads: { app: s.base.head } });
    expect(t).toEqual({ kept: true, path: trashDir, repos: ["app"] });
    const keep = path.join(trashDir, "app");
    expect(readFileSync(path.join(keep, "README.txt"), "utf8")).toMatch(/git fetch .*repo\.bundle/);
    expect(readFileSync(path.join(keep, "status.txt"), "utf8")).toMatch(/session commit/);
    expect(existsSync(path.join(keep, "uncommitted.patch"))).toBe(false);

    const restored = path.join(tempDir(), "restored");
    execFileSync("git", ["clone", "-q", path.join(keep, "repo.bundle"), restored], { env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" } });
    expect(git(restored, "rev-parse", "HEAD").trim()).toBe(commit);
    expect(readFileSync(path.join(restored, "a.txt"), "utf8")).toBe("session work\n");
  });

  it("keeps uncommitted changes as a binary patch that applies, and untracked files", async () => {
    const s = await makeSession(files);
    const bin = Buffer.from([0, 255, 1, 254, 2, 253, 10, 0]);
    write(path.join(s.dest, "img.bin"), bin);
    write(path.join(s.dest, "a.txt"), "alpha, edited\n");
    write(path.join(s.dest, "staged.txt"), "staged new file\n");
    git(s.dest, "add", "staged.txt");
    write(path.join(s.dest, "notes", "todo.md"), "untracked\n");
    write(path.join(s.dest, ".gitignore"), "ignored.log\n");
    write(path.join(s.dest, "ignored.log"), "build noise\n");
    const trashDir = trashDirOf(s.root);
    const t = await trashWorkspace({ codeDir: path.dirname(s.dest), trashDir, keepDays: 7 });
    expect(t.repos).toEqual(["app"]);
    const keep = path.join(trashDir, "app");
    expect(readFileSync(path.join(keep, "untracked", "notes", "todo.md"), "utf8")).toBe("untracked\n");
    expect(existsSync(path.join(keep, "untracked", "ignored.log"))).toBe(false);

    // Apply to a fresh clone of upstream at the base head: the session's tracked state comes back.
    const clone = path.join(tempDir(), "clone");
    execFileSync("git", ["clone", "-q", s.src, clone], { env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" } });
    git(clone, "apply", "--binary", "--index", path.join(keep, "uncommitted.patch"));
    expect(readFileSync(path.join(clone, "img.bin")).equals(bin)).toBe(true);
    expect(readFileSync(path.join(clone, "a.txt"), "utf8")).toBe("alpha, edited\n");
    expect(readFileSync(path.join(clone, "staged.txt"), "utf8")).toBe("staged new file\n");
  });

  it("never runs a filter driver the session configured", async () => {
    const s = await makeSession(files);
    const marker = path.join(s.root, "pwned");
    git(s.dest, "config", "filter.evil.clean", `touch ${marker}; cat`);
    git(s.dest, "config", "filter.evil.process", `touch ${marker}`);
    write(path.join(s.dest, ".gitattributes"), "* filter=evil\n");
    write(path.join(s.dest, "a.txt"), "edited under an evil filter\n");
    const t = await trashWorkspace({ codeDir: path.dirname(s.dest), trashDir: trashDirOf(s.root), keepDays: 7 });
    expect(t.kept).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it("prunes keepsakes older than keepDays", async () => {
    const root = tempDir();
    const trashRoot = path.join(root, ".trash");
    for (const [name, ageDays] of [["old", 10], ["recent", 1]] as const) {
      mkdirSync(path.join(trashRoot, name, "app"), { recursive: true });
      writeFileSync(path.join(trashRoot, name, "app", "README.txt"), "x");
      const t = Date.now() / 1000 - ageDays * 86400;
      utimesSync(path.join(trashRoot, name), t, t);
    }
    expect(await pruneTrash(trashRoot, 7)).toEqual(["old"]);
    expect(existsSync(path.join(trashRoot, "old"))).toBe(false);
    expect(existsSync(path.join(trashRoot, "recent"))).toBe(true);
    expect(await pruneTrash(path.join(root, "missing"), 7)).toEqual([]);
  });
});

describe("listRepoDirs", () => {
  it("lists repositories at depth 1 and 2, skipping hidden dirs and non-repos", async () => {
    const code = tempDir();
    makeRepo(path.join(code, "hero_lib"));
    makeRepo(path.join(code, "org", "hero_lib"));
    makeRepo(path.join(code, ".hidden"));
    mkdirSync(path.join(code, "org", "not_a_repo"), { recursive: true });
    makeRepo(path.join(code, "hero_lib", "nested")); // inside a repo: not a separate one
    expect(await listRepoDirs(code)).toEqual(["hero_lib", "org/hero_lib"]);
    expect(await listRepoDirs(path.join(code, "missing"))).toEqual([]);
  });
});
