import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyRepo, recordBase } from "../../lib/workspace";
import { parseIndex } from "../../lib/workspace/base";
import { compileExcludes, findArgs, parseFindOutput, walkInProcess, walkTree } from "../../lib/workspace/tree";
import { git, makeRepo, tempDir } from "../helpers/repos";

function repo(format: "sha1" | "sha256", indexVersion: number): string {
  const dir = tempDir("hc-idx-");
  execFileSync("git", ["init", "-q", `--object-format=${format}`, dir], { env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" } });
  for (const f of ["a.txt", "dir/b.txt", "dir/sub/c", "dir/sub/d", "e with space", "ünïcode.md", `${"long/".repeat(30)}f`]) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), `content of ${f}\n`);
  }
  git(dir, "add", "-A");
  git(dir, "update-index", `--index-version=${indexVersion}`);
  git(dir, "update-index", "--skip-worktree", "a.txt"); // an extended flag (v3+)
  return dir;
}

describe("parseIndex", () => {
  for (const [format, version] of [["sha1", 2], ["sha1", 3], ["sha1", 4], ["sha256", 2], ["sha256", 4]] as const) {
    it(`reads blob ids like git ls-files (${format}, index v${version})`, () => {
      const dir = repo(format, version);
      const expected = new Map(
        git(dir, "ls-files", "-s", "-z")
          .split("\0")
          .filter(Boolean)
          .map((l) => {
            const [meta = "", name = ""] = l.split("\t");
            return [name, meta.split(" ")[1]] as const;
          }),
      );
      const parsed = parseIndex(readFileSync(path.join(dir, ".git", "index")), format === "sha256" ? 32 : 20);
      expect(parsed).not.toBeNull();
      expect(new Map([...parsed!].map(([k, v]) => [k, v.hash]))).toEqual(expected);
    });
  }

  it("refuses what it does not understand", () => {
    expect(parseIndex(Buffer.from("not an index at all, really"), 20)).toBeNull();
  });
});

describe("compileExcludes", () => {
  it("matches like rsync's simple patterns", () => {
    const ex = compileExcludes(["dist/", "*.log", "/root-only", "a/b", "**/gen/*.ts"]);
    expect(ex("dist", true)).toBe(true);
    expect(ex("pkg/dist", true)).toBe(true);
    expect(ex("dist", false)).toBe(false); // a file named dist is not a directory
    expect(ex("dist.txt", false)).toBe(false);
    expect(ex("x/y.log", false)).toBe(true);
    expect(ex("root-only", false)).toBe(true);
    expect(ex("sub/root-only", false)).toBe(false);
    expect(ex("z/a/b", false)).toBe(true);
    expect(ex("za/b", false)).toBe(false);
    expect(ex("src/gen/x.ts", false)).toBe(true);
  });
});

describe("recordBase", () => {
  it("records HEAD and branch for a branch, a detached HEAD and a repository without commits", async () => {
    const root = tempDir();
    const onBranch = makeRepo(path.join(root, "a"));
    git(onBranch, "checkout", "-q", "-b", "feature/x");
    const detached = makeRepo(path.join(root, "b"));
    git(detached, "checkout", "-q", "--detach");
    const empty = path.join(root, "c");
    execFileSync("git", ["init", "-q", "-b", "trunk", empty], { env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" } });
    writeFileSync(path.join(empty, "f"), "x");

    const results = [];
    for (const src of [onBranch, detached, empty]) {
      const dest = path.join(root, "copies", path.basename(src));
      await copyRepo({ src, dest });
      results.push({ dest, base: await recordBase(dest) });
    }
    const [a, b, c] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
    const shaA = git(onBranch, "rev-parse", "HEAD").trim();
    expect([a.base.head, a.base.branch]).toEqual([shaA, "feature/x"]);
    expect(git(a.dest, "rev-parse", "refs/hero-claude/upstream/feature/x", "refs/hero-claude/upstream/main", "refs/hero-claude/base").trim().split("\n")).toEqual([shaA, shaA, shaA]);
    expect([b.base.head, b.base.branch]).toEqual([git(detached, "rev-parse", "HEAD").trim(), null]);
    expect([c.base.head, c.base.branch]).toEqual([null, "trunk"]);
    expect(Object.keys(c.base.manifest)).toEqual(["f"]);
  });
});

describe("walkTree", () => {
  it("gives the same answer through GNU find as in process, lstat values included", async () => {
    const root = tempDir("hc-walk-");
    const files = ["a.txt", "with space/b c", "ünïcode/ß.md", "x/node_modules/skip.js", "x/dist/skip", "dist.txt", "sub/.git/HEAD", ".hc-sync.abc.tmp", "deep/er/and/deeper/f"];
    for (const f of files) {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      writeFileSync(path.join(root, f), f);
    }
    symlinkSync("a.txt", path.join(root, "link"));
    symlinkSync("/nonexistent/target", path.join(root, "dangling"));
    chmodSync(path.join(root, "a.txt"), 0o755);
    const excludes = ["node_modules/", "dist/", "*.log"];
    const viaFind = parseFindOutput(execFileSync("find", findArgs(root, excludes)!, { encoding: "utf8" }));
    const inProcess = await walkInProcess(root, compileExcludes(excludes));
    expect(viaFind).not.toBeNull();
    expect(new Map([...viaFind!].sort())).toEqual(new Map([...inProcess].sort()));
    expect([...inProcess.keys()].sort()).toEqual(["a.txt", "dangling", "deep/er/and/deeper/f", "dist.txt", "link", "with space/b c", "ünïcode/ß.md"]);
    expect(await walkTree(root, excludes)).toEqual(inProcess);
    expect(findArgs(root, ["/anchored"])).toBeNull(); // not expressible with -name: walked in process
    expect([...(await walkTree(root, ["/a.txt"])).keys()]).not.toContain("a.txt");
  });
});
