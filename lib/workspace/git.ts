/**
 * Host-side git in a session copy, whose `.git` the sandboxed agent can write.
 * - runs with the safe runner's arguments and environment (hooks, fsmonitor, pagers, helpers
 *   off; no global config);
 * - pins `--git-dir`/`--work-tree` so a planted `core.worktree` or gitfile cannot point git
 *   elsewhere on the host;
 * - `core.alternateRefsCommand` is neutralised (fetch-pack runs it when alternates exist);
 * - with `neutraliseFilters`, every filter driver the copy's config defines is switched off by
 *   name (clean/smudge/process run programs when status/diff hash work-tree files);
 * - stat checks ignore inode/ctime/owner, which the copy cannot share with CODEROOT, so status
 *   does not re-hash every file of a fresh copy.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { OperationFailed } from "../errors";
import { safeGitArgs, safeGitEnv, type GitResult } from "../git/safe";

/**
 * The safe runner's arguments and environment, spawned with stdin closed unless there is input,
 * and with stdin errors handled: a git that exits before reading (EPIPE) must not crash the process.
 */
export function spawnGit(cwd: string, args: readonly string[], opts: { input?: string } = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", safeGitArgs(args), {
      cwd,
      env: safeGitEnv() as NodeJS.ProcessEnv,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), code: code ?? -1 }),
    );
    if (child.stdin) {
      child.stdin.on("error", () => {});
      child.stdin.end(opts.input);
    }
  });
}

export interface CopyGitOptions {
  /** Enumerate the copy's filter drivers and switch each off (needed for status, diff, ls-files -m). */
  neutraliseFilters?: boolean;
}

// No reflogs: ref updates we make must not write under `.git/logs`, which nothing here checks.
const BASE_CONFIG = ["core.alternateRefsCommand=true", "core.trustctime=false", "core.checkStat=minimal", "core.logAllRefUpdates=false"];

/** The global arguments that confine git to the copy at `dir`. */
function locate(dir: string): string[] {
  const abs = path.resolve(dir);
  return [`--git-dir=${path.join(abs, ".git")}`, `--work-tree=${abs}`];
}

/** `-c` overrides that turn off each filter driver named in the copy's config (including includes). */
async function filterOverrides(dir: string): Promise<string[]> {
  const r = await spawnGit(dir, [...locate(dir), "config", "-z", "--get-regexp", "^filter\\."]);
  if (r.code === 1) return []; // no filter configured
  if (r.code !== 0) throw new OperationFailed("git config failed while checking filter drivers", r.stderr);
  const names = new Set<string>();
  for (const rec of r.stdout.split("\0")) {
    const key = rec.split("\n", 1)[0] ?? "";
    const m = /^filter\.(.+)\.[^.]+$/s.exec(key);
    if (m?.[1]) names.add(m[1]);
  }
  const out: string[] = [];
  for (const name of names) {
    // `-c` splits at the first '=', so a driver name with '=' cannot be overridden: refuse to run.
    if (name.includes("=") || name.includes("\n")) {
      throw new OperationFailed(`refusing to run git in ${dir}: unsupported filter driver name ${JSON.stringify(name)}`);
    }
    for (const key of ["clean", "smudge", "process"]) out.push("-c", `filter.${name}.${key}=`);
    out.push("-c", `filter.${name}.required=false`);
  }
  return out;
}

/** A git runner bound to one session copy. */
export interface CopyGit {
  raw(args: readonly string[], opts?: { input?: string }): Promise<GitResult>;
  run(args: readonly string[], opts?: { input?: string }): Promise<string>;
}

/** Prepare a runner for the copy at `dir` (one extra `git config` call with neutraliseFilters). */
export async function copyGit(dir: string, opts: CopyGitOptions = {}): Promise<CopyGit> {
  const prefix = [...BASE_CONFIG.flatMap((c) => ["-c", c]), ...locate(dir)];
  if (opts.neutraliseFilters) prefix.push(...(await filterOverrides(dir)));
  const raw = (args: readonly string[], o: { input?: string } = {}) => spawnGit(dir, [...prefix, ...args], o);
  return {
    raw,
    async run(args, o = {}) {
      const r = await raw(args, o);
      if (r.code !== 0) throw new OperationFailed(`git ${args[0]} failed in ${dir} (exit ${r.code})`, r.stderr || r.stdout);
      return r.stdout;
    },
  };
}
