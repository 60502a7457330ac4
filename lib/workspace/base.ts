/**
 * The base: what a session copy started from, so sync and diff know what changed on each side.
 * - the manifest holds size, mtime and mode per file (outside `.git` and excluded dirs): the
 *   change detector, as rsync's; a content hash is only needed when both sides moved;
 * - hashes are git blob ids; at record time they come free from the copy's git index for tracked
 *   files whose size+mtime still match it (and are not racily clean); everything else stays null
 *   until sync needs it;
 * - recording also pins what came from upstream inside the copy: `refs/hero-claude/base` (HEAD)
 *   and `refs/hero-claude/upstream/<branch>` for every branch, which sync later refreshes.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { OperationFailed } from "../errors";
import { copyGit, type CopyGit } from "./git";
import { fixOwnership } from "./owner";
import { DEFAULT_EXCLUDES, type Owner } from "./rsync";
import { compileExcludes, walkTree, type FileStat } from "./tree";

/** One file of the base: the stat fingerprint of the session's copy, and its git blob id if known. */
export interface BaseFile extends FileStat {
  hash: string | null;
  /** The fingerprint of the same content on the CODEROOT side, when it differs from the session's. */
  upstream?: FileStat;
}

export interface RepoBase {
  version: 1;
  /** The commit the copy's HEAD pointed at when the session was created (null: no commits yet). */
  head: string | null;
  /** The branch checked out at create (null: detached HEAD). */
  branch: string | null;
  /** Relative path (`/`-separated) → state; null-prototype object. */
  manifest: Record<string, BaseFile>;
  /** A fingerprint of CODEROOT's refs at the last fetch; null until the first sync. */
  upstreamRefs: string | null;
  recordedAt: string;
}

/** Where sync keeps upstream branches, and where the start commit is pinned, in each copy. */
export const UPSTREAM_REF_PREFIX = "refs/hero-claude/upstream/";
export const BASE_REF = "refs/hero-claude/base";

/** An empty manifest object that a path like `__proto__` or `constructor` cannot confuse. */
export function emptyManifest(): Record<string, BaseFile> {
  return Object.create(null) as Record<string, BaseFile>;
}

interface IndexEntry {
  hash: string;
  mode: string;
  size: number;
  mtimeMs: number;
  /** true when git's index stores no sub-second part (compare whole seconds only). */
  secondsOnly: boolean;
}

/** Parse `git ls-files -s --debug -z`: stage-0 entries with blob id, size and mtime. */
export function parseIndexDebug(out: string): Map<string, IndexEntry> {
  const entries = new Map<string, IndexEntry>();
  const re = /(\d{6}) ([0-9a-f]{40,64}) (\d)\t([^\0]*)\0((?: {2}[^\n]*\n)*)/g;
  for (let m = re.exec(out); m !== null; m = re.exec(out)) {
    const [, mode = "", hash = "", stage = "", file = "", debug = ""] = m;
    if (stage !== "0") continue;
    const mt = /mtime: (\d+):(\d+)/.exec(debug);
    const sz = /size: (\d+)/.exec(debug);
    if (!mt || !sz) continue;
    const sec = Number(mt[1]);
    const nsec = Number(mt[2]);
    entries.set(file, { hash, mode, size: Number(sz[1]), mtimeMs: sec * 1000 + nsec / 1e6, secondsOnly: nsec === 0 });
  }
  return entries;
}

/** Whether an index entry still describes the file (git's own stat check, mtime and size only). */
function indexMatches(e: IndexEntry, st: FileStat, indexMtimeMs: number): boolean {
  if (e.size !== st.size) return false;
  const isLink = (st.mode & 0o170000) === 0o120000;
  if (isLink ? e.mode !== "120000" : e.mode !== "100644" && e.mode !== "100755") return false;
  const same = e.secondsOnly ? Math.floor(st.mtimeMs / 1000) * 1000 === e.mtimeMs : Math.abs(st.mtimeMs - e.mtimeMs) < 0.001;
  // Racily clean: written in the same tick as the index, git itself would re-hash it.
  return same && st.mtimeMs < indexMtimeMs;
}

async function readHead(g: CopyGit): Promise<{ head: string | null; branch: string | null }> {
  const [head, branch] = await Promise.all([
    g.raw(["rev-parse", "--verify", "-q", "HEAD^{commit}"]),
    g.raw(["symbolic-ref", "-q", "--short", "HEAD"]),
  ]);
  return {
    head: head.code === 0 ? head.stdout.trim() || null : null,
    branch: branch.code === 0 ? branch.stdout.trim() || null : null,
  };
}

async function indexHashes(dest: string, g: CopyGit): Promise<{ entries: Map<string, IndexEntry>; indexMtimeMs: number }> {
  const st = await lstat(path.join(dest, ".git", "index")).catch(() => null);
  if (!st) return { entries: new Map(), indexMtimeMs: 0 };
  const r = await g.raw(["ls-files", "-s", "--debug", "-z"]);
  return { entries: r.code === 0 ? parseIndexDebug(r.stdout) : new Map(), indexMtimeMs: st.mtimeMs };
}

/** Pin HEAD as refs/hero-claude/base and every branch as refs/hero-claude/upstream/<branch>. */
async function pinUpstreamRefs(g: CopyGit, head: string | null): Promise<void> {
  const refs = await g.run(["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/"]);
  const lines: string[] = [];
  for (const line of refs.split("\n")) {
    const m = /^([0-9a-f]{40,64}) refs\/heads\/(.+)$/.exec(line);
    if (m) lines.push(`update ${UPSTREAM_REF_PREFIX}${m[2]} ${m[1]}`);
  }
  if (head) lines.push(`update ${BASE_REF} ${head}`);
  if (lines.length > 0) await g.run(["update-ref", "--stdin"], { input: `${lines.join("\n")}\n` });
}

/** The paths under a copy's `.git` that host-side ref updates may create or replace. */
export function refPaths(root: string): string[] {
  const git = path.join(root, ".git");
  return [path.join(git, "refs", "hero-claude"), path.join(git, "logs", "refs", "hero-claude"), path.join(git, "packed-refs")];
}

/**
 * Record the base of a fresh copy at `dest`: HEAD, branch and the manifest of every file outside
 * `.git` and the excluded dirs. Runs git only in the copy, never in CODEROOT.
 */
export async function recordBase(
  dest: string,
  opts: { excludes?: readonly string[]; chown?: Owner } = {},
): Promise<RepoBase> {
  const root = path.resolve(dest);
  const g = await copyGit(root);
  const [files, headInfo, index] = await Promise.all([
    walkTree(root, compileExcludes(opts.excludes ?? DEFAULT_EXCLUDES)),
    readHead(g),
    indexHashes(root, g),
  ]);
  await pinUpstreamRefs(g, headInfo.head);
  await fixOwnership(refPaths(root), opts.chown);
  const manifest = emptyManifest();
  for (const [rel, st] of files) {
    const e = index.entries.get(rel);
    manifest[rel] = { ...st, hash: e && indexMatches(e, st, index.indexMtimeMs) ? e.hash : null };
  }
  return { version: 1, ...headInfo, manifest, upstreamRefs: null, recordedAt: new Date().toISOString() };
}

/** Write `base` to `file` atomically (temp file, fsync, rename, fsync of the directory). */
export async function saveBase(file: string, base: RepoBase): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", 0o600);
  try {
    await fh.writeFile(JSON.stringify(base));
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  const d = await open(dir, "r").catch(() => null);
  if (d) await d.sync().catch(() => {}).finally(() => d.close());
}

/** Read a base written by saveBase; a missing or malformed file is OperationFailed. */
export async function loadBase(file: string): Promise<RepoBase> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new OperationFailed(`cannot read the workspace base ${file}: ${(e as Error).message}`);
  }
  const b = parsed as Partial<RepoBase> | null;
  if (!b || b.version !== 1 || typeof b.manifest !== "object" || b.manifest === null) {
    throw new OperationFailed(`the workspace base ${file} is not a version 1 base`);
  }
  const manifest = Object.assign(emptyManifest(), b.manifest);
  return {
    version: 1,
    head: typeof b.head === "string" ? b.head : null,
    branch: typeof b.branch === "string" ? b.branch : null,
    manifest,
    upstreamRefs: typeof b.upstreamRefs === "string" ? b.upstreamRefs : null,
    recordedAt: typeof b.recordedAt === "string" ? b.recordedAt : "",
  };
}
