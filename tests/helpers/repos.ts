/** Real git repositories made in temp dirs for tests. */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * git as the tests run it: no user or system config, and no automatic gc or maintenance. A commit of
 * thousands of files otherwise starts a detached `git gc --auto` that still writes into `.git` while
 * the test removes its temp dir (ENOTEMPTY).
 */
export const TEST_GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_COUNT: "2",
  GIT_CONFIG_KEY_0: "gc.auto",
  GIT_CONFIG_VALUE_0: "0",
  GIT_CONFIG_KEY_1: "maintenance.auto",
  GIT_CONFIG_VALUE_1: "false",
};

const GIT_ENV = {
  ...TEST_GIT_ENV,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.invalid",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.invalid",
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "safe.directory=*", ...args], { cwd, env: GIT_ENV, encoding: "utf8" });
}

/** Whether the bare repository `bare` has the branch. */
export function branchExists(bare: string, branch: string): boolean {
  try {
    execFileSync("git", ["--git-dir", bare, "rev-parse", "--verify", "-q", `refs/heads/${branch}`], { env: TEST_GIT_ENV, stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A git repo at `dir` with the given files committed on branch `main`. */
export function makeRepo(dir: string, files: Record<string, string> = { "README.md": "# test\n" }): string {
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "initial commit");
  return dir;
}

export function tempDir(prefix = "hc-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A hash of a whole tree: every path, type, mode, mtime, symlink target and file content. */
export function hashTree(root: string): string {
  const h = createHash("sha256");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const st = lstatSync(p);
      h.update(`${path.relative(root, p)}\0${st.mode}\0${st.mtimeMs}\0`);
      if (st.isSymbolicLink()) h.update(readlinkSync(p));
      else if (st.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(root);
  return h.digest("hex");
}
