/**
 * The session's work against its base commit, for `session.diff` (and review before finish).
 * - everything counts: the agent's own commits, staged, unstaged and untracked files; the whole
 *   work tree is staged into a private index and compared with the base, so the session's real
 *   index (and anything else in its `.git`) is never touched;
 * - host-side git runs through the untrusted-repo shadow (no repo-local config, hooks or drivers);
 * - renames are detected; binary files are named and flagged, never dumped; the patch is capped;
 * - directories never copied into a session (DEFAULT_EXCLUDES) do not count as deleted.
 */
import { OperationFailed } from "../errors";
import { isObjectId, withUntrustedRepo, type UntrustedRepo } from "../forge/untrusted-repo";
import { DEFAULT_EXCLUDES } from "./rsync";

export type DiffStatus = "added" | "modified" | "deleted" | "renamed";

export interface DiffFile {
  path: string;
  status: DiffStatus;
  additions: number;
  deletions: number;
  /** The path before a rename. */
  old_path?: string;
  /** Content not shown in the patch (git saw binary data); line counts are 0. */
  binary?: boolean;
}

export interface RepoDiff {
  files: DiffFile[];
  patch: string;
  /** The patch was cut at `maxPatchBytes` (at a line boundary). */
  truncated: boolean;
}

/** Default cap of the unified patch returned for one repository. */
export const MAX_PATCH_BYTES = 5 * 1024 * 1024;

export interface DiffOptions {
  maxPatchBytes?: number;
  /** rsync-style patterns of paths left out of the copy (defaults to DEFAULT_EXCLUDES). */
  excludes?: readonly string[];
}

const STATUS: Record<string, DiffStatus> = { A: "added", C: "added", M: "modified", T: "modified", U: "modified", D: "deleted", R: "renamed" };

/** Parse `--name-status -z` output: status letters with one path, or two for renames and copies. */
export function parseNameStatus(out: string): Array<{ status: DiffStatus; path: string; old_path?: string }> {
  const parts = out.split("\0");
  const files: Array<{ status: DiffStatus; path: string; old_path?: string }> = [];
  for (let i = 0; i < parts.length; ) {
    const code = parts[i++] ?? "";
    if (!code) continue;
    const letter = code[0] as string;
    if (letter === "R" || letter === "C") {
      const from = parts[i++] ?? "";
      const to = parts[i++] ?? "";
      files.push(letter === "R" ? { status: "renamed", path: to, old_path: from } : { status: "added", path: to });
    } else {
      files.push({ status: STATUS[letter] ?? "modified", path: parts[i++] ?? "" });
    }
  }
  return files;
}

/** Parse `--numstat -z` output into path → counts (binary files have `-` counts). */
export function parseNumstat(out: string): Map<string, { additions: number; deletions: number; binary: boolean }> {
  const parts = out.split("\0");
  const map = new Map<string, { additions: number; deletions: number; binary: boolean }>();
  for (let i = 0; i < parts.length; ) {
    const rec = parts[i++] ?? "";
    if (!rec) continue;
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(rec);
    if (!m) continue;
    let file = m[3] as string;
    if (file === "") {
      i++; // the old path of a rename
      file = parts[i++] ?? "";
    }
    const binary = m[1] === "-" && m[2] === "-";
    map.set(file, { additions: binary ? 0 : Number(m[1]), deletions: binary ? 0 : Number(m[2]), binary });
  }
  return map;
}

/** Cut a patch at `max` bytes, at the end of the last whole line. */
function capPatch(patch: string, max: number, cut: boolean): { patch: string; truncated: boolean } {
  if (!cut && Buffer.byteLength(patch) <= max) return { patch, truncated: false };
  let text = Buffer.from(patch).subarray(0, max).toString("utf8");
  const nl = text.lastIndexOf("\n");
  text = nl >= 0 ? text.slice(0, nl + 1) : "";
  return { patch: text, truncated: true };
}

/** The diff of an open UntrustedRepo's work tree against `baseHead` (null: a repo with no commits). */
export async function diffUntrusted(repo: UntrustedRepo, baseHead: string | null, opts: DiffOptions = {}): Promise<RepoDiff> {
  if (baseHead !== null && !isObjectId(baseHead)) throw new OperationFailed(`not a commit id: ${JSON.stringify(baseHead)}`);
  const tree = await repo.snapshot(opts.excludes ?? DEFAULT_EXCLUDES);
  let base = repo.emptyTree;
  if (baseHead) {
    const r = await repo.git(["rev-parse", "--verify", "-q", `${baseHead}^{tree}`]);
    if (r.code !== 0) throw new OperationFailed(`the base commit ${baseHead} is not in ${repo.root}`, r.stderr);
    base = r.stdout.trim();
  }
  const max = opts.maxPatchBytes ?? MAX_PATCH_BYTES;
  // An explicit --ignore-submodules keeps git from reading the agent's .gitmodules (it dies on `update = !cmd`).
  const common = ["diff-tree", "-r", "-M", "--ignore-submodules=none", "--no-ext-diff", "--no-textconv", "--no-color"];
  const [names, stats, patch] = await Promise.all([
    repo.run([...common, "--name-status", "-z", base, tree]),
    repo.run([...common, "--numstat", "-z", base, tree]),
    repo.git([...common, "-p", "--src-prefix=a/", "--dst-prefix=b/", base, tree], { maxStdout: max + 1 }),
  ]);
  if (patch.code !== 0 && !patch.truncated) throw new OperationFailed(`git diff-tree failed in ${repo.root} (exit ${patch.code})`, patch.stderr);
  const counts = parseNumstat(stats);
  const files: DiffFile[] = parseNameStatus(names).map((f) => {
    const c = counts.get(f.path);
    const file: DiffFile = { path: f.path, status: f.status, additions: c?.additions ?? 0, deletions: c?.deletions ?? 0 };
    if (f.old_path !== undefined) file.old_path = f.old_path;
    if (c?.binary) file.binary = true;
    return file;
  });
  return { files, ...capPatch(patch.stdout, max, patch.truncated) };
}

/**
 * The session's work in the copy at `repoDir` against its base commit `baseHead` (null: the repo had
 * no commits): the agent's commits plus every uncommitted and untracked change, per file and as a patch.
 */
export async function diffRepo(repoDir: string, baseHead: string | null, opts: DiffOptions = {}): Promise<RepoDiff> {
  return withUntrustedRepo(repoDir, (repo) => diffUntrusted(repo, baseHead, opts));
}
