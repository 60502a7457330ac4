/**
 * Repositories under CODEROOT: discovery, safe name resolution and read-only inspection.
 * CODEROOT is never written to: git runs with optional locks off (no index refresh), hooks and
 * fsmonitor disabled and without the user's global/system config.
 */
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import type { Repo, RepoInfo } from "../api/schemas";
import { RepoNameSchema } from "../api/schemas";
import { InvalidParams, RepoNotFound } from "../errors";
import { mapLimit } from "../workspace/tree";
import { SAFE_GIT_CONFIG, SAFE_GIT_ENV_OVERRIDES, SIMPLE_GIT_ALLOW_SAFE_CONFIG, safeGitEnv } from "../git/safe";

function git(dir: string): SimpleGit {
  return simpleGit({
    baseDir: dir,
    config: [...SAFE_GIT_CONFIG],
    maxConcurrentProcesses: 4,
    unsafe: SIMPLE_GIT_ALLOW_SAFE_CONFIG,
    allowEnvironment: Object.keys(SAFE_GIT_ENV_OVERRIDES),
  }).env(safeGitEnv());
}

async function isGitWorkTree(dir: string): Promise<boolean> {
  try {
    return (await lstat(path.join(dir, ".git"))).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Resolve a repository name to its absolute path, refusing anything that is not a plain git work
 * tree below CODEROOT: `..`, absolute paths, NUL bytes (-32602), symlinks on the way, missing
 * directories (-32003).
 */
export async function resolveRepo(coderoot: string, name: string): Promise<string> {
  const shape = RepoNameSchema.safeParse(name);
  if (!shape.success) {
    throw new InvalidParams(`invalid repository name ${JSON.stringify(name)}: ${shape.error.issues[0]?.message}`, {
      issues: shape.error.issues.map((i) => ({ path: ["name"], message: i.message })),
    });
  }
  const root = await realpath(coderoot);
  let current = root;
  for (const segment of name.split("/")) {
    current = path.join(current, segment);
    let st;
    try {
      st = await lstat(current);
    } catch {
      throw new RepoNotFound(name);
    }
    if (st.isSymbolicLink()) throw new RepoNotFound(name, "it is a symbolic link, which is never followed");
    if (!st.isDirectory()) throw new RepoNotFound(name, "not a directory");
  }
  if (!(await isGitWorkTree(current))) throw new RepoNotFound(name, "not a git work tree (no .git directory)");
  return current;
}

/** Names of every git work tree at depth 1 or 2 below CODEROOT (hidden and symlinked entries skipped). */
export async function listRepoNames(coderoot: string): Promise<string[]> {
  const names: string[] = [];
  const dirsOf = async (dir: string) => {
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name);
    } catch {
      return [];
    }
  };
  for (const first of (await dirsOf(coderoot)).sort()) {
    const dir = path.join(coderoot, first);
    if (await isGitWorkTree(dir)) {
      names.push(first);
      continue;
    }
    for (const second of (await dirsOf(dir)).sort()) {
      if (await isGitWorkTree(path.join(dir, second))) names.push(`${first}/${second}`);
    }
  }
  return names;
}

/** Subject and date of a commit, by its id (a commit never changes, so this never goes stale). */
const commitCache = new Map<string, { subject: string; date: string }>();
/** origin's URL per repository, with the `.git/config` identity (inode, size, mtime) it was read at. */
const remoteCache = new Map<string, { key: string; url: string | null }>();
const COMMIT_CACHE_MAX = 10_000;

async function headCommit(g: SimpleGit, sha: string): Promise<{ subject: string; date: string }> {
  const hit = commitCache.get(sha);
  if (hit) return hit;
  const out = await g.raw(["show", "-s", "--format=%s%x00%cI", sha, "--"]).catch(() => "");
  const [subject = "", date = ""] = out.replace(/\n$/, "").split("\0");
  if (commitCache.size >= COMMIT_CACHE_MAX) commitCache.clear();
  if (date) commitCache.set(sha, { subject, date });
  return { subject, date };
}

async function originUrl(g: SimpleGit, dir: string): Promise<string | null> {
  const st = await stat(path.join(dir, ".git", "config")).catch(() => null);
  const key = st ? `${st.ino}:${st.size}:${st.mtimeMs}` : "";
  const hit = remoteCache.get(dir);
  if (hit && key && hit.key === key) return hit.url;
  // `--default` so git always prints a line: simple-git waits 50 ms more for a silent process.
  const url = (await g.raw(["config", "--default", "", "--get", "remote.origin.url"]).catch(() => "")).trim() || null;
  remoteCache.set(dir, { key, url });
  return url;
}

/**
 * The summary of one repository, read without writing anything in it. One `git status` per call
 * (branch, head commit and dirtiness); the head's subject/date and origin's URL are cached by
 * commit id and by `.git/config` identity.
 */
export async function describeRepo(coderoot: string, name: string, dir: string): Promise<Repo> {
  const g = git(dir);
  const [status, remote] = await Promise.all([
    g.raw(["status", "--porcelain=v2", "--branch", "--no-renames"]).catch(() => ""),
    originUrl(g, dir),
  ]);
  const lines = status.split("\n").filter(Boolean);
  const header = (k: string) => lines.find((l) => l.startsWith(`# branch.${k} `))?.slice(`# branch.${k} `.length);
  const oid = header("oid");
  const head = header("head");
  const sha = oid && /^[0-9a-f]{40,64}$/.test(oid) ? oid : null;
  return {
    name,
    path: path.join(coderoot, name),
    branch: head && head !== "(detached)" ? head : null,
    remote_url: remote,
    head: sha ? { sha, ...(await headCommit(g, sha)) } : null,
    dirty: lines.some((l) => !l.startsWith("# ")),
  };
}

/** Every repository under CODEROOT. */
export async function listRepos(coderoot: string): Promise<Repo[]> {
  const names = await listRepoNames(coderoot);
  return mapLimit(names, 8, (name) => describeRepo(coderoot, name, path.join(coderoot, name)));
}

/**
 * An rsync exclude (`target/`, `/dist`, `*.o`) as a git pathspec that leaves out the same paths:
 * unanchored patterns match at any depth, a trailing `/` means a directory and all below it.
 */
export function excludePathspec(pattern: string): string {
  const anchored = pattern.startsWith("/");
  const dir = pattern.endsWith("/");
  const core = pattern.replace(/^\/+/, "").replace(/\/+$/, "");
  return `:(exclude,glob)${anchored ? "" : "**/"}${core}${dir ? "/**" : ""}`;
}

/**
 * Whether a work tree has uncommitted changes (tracked or untracked) outside the `excludes`, read
 * without writing anything in it.
 */
export async function hasUncommittedChanges(dir: string, excludes: readonly string[]): Promise<boolean> {
  const pathspecs = excludes.filter((e) => e.trim()).map(excludePathspec);
  // `--branch` makes git always print a line: simple-git waits 50 ms more for a silent process.
  const status = await git(dir)
    .raw(["status", "--porcelain=v1", "--branch", "--no-renames", "--", ".", ...pathspecs])
    .catch(() => "");
  return status.split("\n").some((l) => l !== "" && !l.startsWith("## "));
}

async function sizeOf(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (e) => {
        const p = path.join(d, e.name);
        if (e.isDirectory()) return walk(p);
        if (e.isFile()) {
          files++;
          bytes += (await stat(p).catch(() => ({ size: 0 }))).size;
        }
      }),
    );
  };
  await walk(dir);
  return { bytes, files };
}

/** One repository with its branches, size, file count (tracked files) and recent commits. */
export async function repoInfo(coderoot: string, name: string): Promise<RepoInfo> {
  const dir = await resolveRepo(coderoot, name);
  const g = git(dir);
  const [base, branches, log, tracked, size] = await Promise.all([
    describeRepo(coderoot, name, dir),
    g.raw(["for-each-ref", "--format=%(refname:short)", "refs/heads"]).catch(() => ""),
    g.raw(["log", "-20", "--format=%H%x00%s%x00%an%x00%cI"]).catch(() => ""),
    g.raw(["ls-files", "-z"]).catch(() => ""),
    sizeOf(dir),
  ]);
  return {
    ...base,
    branches: branches.split("\n").filter(Boolean),
    size_bytes: size.bytes,
    file_count: tracked.split("\0").filter(Boolean).length,
    recent_commits: log
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [sha = "", subject = "", author = "", date = ""] = line.split("\0");
        return { sha, subject, author, date };
      }),
  };
}
