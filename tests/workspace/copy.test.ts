import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { OperationFailed } from "../../lib/errors";
import { copyRepo, DEFAULT_EXCLUDES, recordBase, runningAsRoot } from "../../lib/workspace";
import { git, makeRepo, tempDir } from "../helpers/repos";

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

function repoWithBuildDirs(): string {
  const src = makeRepo(path.join(tempDir(), "app"), {
    "README.md": "# app\n",
    "dist.txt": "not a build dir\n",
    "src/main.ts": "export {};\n",
  });
  for (const f of ["node_modules/x/index.js", "dist/out.js", "target/debug/bin", ".next/cache", "pkg/node_modules/y.js", "pkg/dist/z.js"]) {
    // build outputs are untracked, as in real repos
    const p = path.join(src, f);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, "build output\n");
  }
  // A branch whose name puts a `dist/` and a `target/` directory inside .git.
  git(src, "branch", "dist/release");
  git(src, "branch", "target/x");
  return src;
}

describe("copyRepo", () => {
  it("copies the repository with its .git and leaves out build directories", async () => {
    const src = repoWithBuildDirs();
    const dest = path.join(tempDir(), "session", "code", "app");
    const lines: string[] = [];
    const r = await copyRepo({ src, dest, excludes: DEFAULT_EXCLUDES, onLine: (l) => lines.push(l) });
    expect(r.warnings).toEqual([]);
    expect(lines[0]).toMatch(/^\$ rsync -a /);
    expect(lines.some((l) => /Number of files/.test(l))).toBe(true);

    expect(git(dest, "rev-parse", "HEAD")).toBe(git(src, "rev-parse", "HEAD"));
    expect(git(dest, "status", "--porcelain")).toBe("");
    expect(existsSync(path.join(dest, ".git", "refs", "heads", "dist", "release"))).toBe(true);
    expect(existsSync(path.join(dest, ".git", "refs", "heads", "target", "x"))).toBe(true);
    expect(git(dest, "branch", "--list", "dist/*").trim()).toBe("dist/release");
    expect(readFileSync(path.join(dest, "dist.txt"), "utf8")).toBe("not a build dir\n");
    expect(existsSync(path.join(dest, "src", "main.ts"))).toBe(true);
    for (const gone of ["node_modules", "dist", "target", ".next", "pkg/node_modules", "pkg/dist"]) {
      expect(existsSync(path.join(dest, gone)), gone).toBe(false);
    }
    // mtimes are preserved (the base's change detector relies on it)
    expect(statSync(path.join(dest, "README.md")).mtimeMs).toBe(statSync(path.join(src, "README.md")).mtimeMs);
  });

  it("honours custom excludes", async () => {
    const src = repoWithBuildDirs();
    const dest = path.join(tempDir(), "app");
    await copyRepo({ src, dest, excludes: ["src/", "*.txt"] });
    expect(existsSync(path.join(dest, "src"))).toBe(false);
    expect(existsSync(path.join(dest, "dist.txt"))).toBe(false);
    expect(existsSync(path.join(dest, "node_modules", "x", "index.js"))).toBe(true);
  });

  it("fails with OperationFailed and a clear message when rsync is missing", async () => {
    const src = repoWithBuildDirs();
    process.env.PATH = "/nonexistent-dir";
    const lines: string[] = [];
    const err = await copyRepo({ src, dest: path.join(tempDir(), "x"), onLine: (l) => lines.push(l) }).catch((e) => e);
    expect(err).toBeInstanceOf(OperationFailed);
    expect(err.code).toBe(-32005);
    expect(err.message).toMatch(/rsync is not installed/);
    expect(lines.at(-1)).toMatch(/rsync is not installed/);
  });

  it("fails with OperationFailed carrying rsync's output when the source is missing", async () => {
    const root = tempDir();
    const lines: string[] = [];
    const err = await copyRepo({ src: path.join(root, "nope"), dest: path.join(root, "d"), onLine: (l) => lines.push(l) }).catch((e) => e);
    expect(err).toBeInstanceOf(OperationFailed);
    expect(err.message).toMatch(/exit 23/);
    expect((err.data as { log: string }).log).toMatch(/No such file or directory/);
    expect(lines.some((l) => /No such file or directory/.test(l))).toBe(true);
  });

  it.skipIf(!runningAsRoot())("gives the copy to the sandbox user when running as root", async () => {
    const src = repoWithBuildDirs();
    const dest = path.join(tempDir(), "app");
    await copyRepo({ src, dest, chown: { uid: 1234, gid: 2345 } });
    await recordBase(dest, { chown: { uid: 1234, gid: 2345 } });
    for (const p of ["", "README.md", ".git", ".git/HEAD", ".git/objects", "src/main.ts", ".git/refs/hero-claude/upstream/main"]) {
      const st = statSync(path.join(dest, p));
      expect([st.uid, st.gid], p).toEqual([1234, 2345]);
    }
  });
});
