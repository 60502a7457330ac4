/**
 * Bring upstream (CODEROOT) changes into a session copy without losing any session change.
 * - CODEROOT is only read: its files are compared by lstat against the base, and git runs in the
 *   COPY (`fetch-pack` from the CODEROOT path, which runs a read-only upload-pack there), and only
 *   when CODEROOT's refs changed since the last fetch;
 * - per file, a three-way decision between base, upstream and session, size+mtime first and
 *   blob hashes only where both sides moved; only paths upstream touched are looked at in the
 *   session, so a session's own changes cost nothing;
 * - a file is replaced by temp-file + rename after re-checking that the session did not touch it
 *   since the walk; nothing is ever written through a symlink on the session side;
 * - upstream branches land in `refs/hero-claude/upstream/*`; HEAD, index and branches stay; the
 *   copy's `.git` layout is checked first (no symlinks where git will write).
 */
import { createHash, randomBytes } from "node:crypto";
import { constants as fsConstants, lstatSync, readdirSync } from "node:fs";
import { chmod, copyFile, lchown, lstat, mkdir, readlink, rename, rmdir, symlink, unlink, utimes } from "node:fs/promises";
import path from "node:path";
import { OperationFailed } from "../errors";
import { checkRepoLayout } from "../forge/untrusted-repo";
import { emptyManifest, refPaths, UPSTREAM_REF_PREFIX, type BaseFile, type RepoBase } from "./base";
import { copyGit } from "./git";
import { fixOwnership } from "./owner";
import { DEFAULT_EXCLUDES, runningAsRoot, type Owner } from "./rsync";
import {
  algoOf,
  hashPath,
  isSymlinkMode,
  mapLimit,
  sameStat,
  statOf,
  SYNC_TMP_PREFIX,
  walkTree,
  type FileStat,
  type HashAlgo,
} from "./tree";

export interface SyncRepoOptions {
  /** The repository in CODEROOT (read only). */
  src: string;
  /** The session's copy. */
  dest: string;
  base: RepoBase;
  excludes?: readonly string[];
  chown?: Owner;
  onLine?: (line: string) => void;
}

export interface SyncResult {
  /** Files brought from upstream (written, added or deleted in the copy). */
  updated: string[];
  /** Files changed on both sides; the session's version was kept as it is. */
  conflicts: string[];
  /** The base to save for the next sync. */
  base: RepoBase;
  /** Whether upstream refs changed and were fetched. */
  fetched: boolean;
  /** Whether `base` differs from the one passed in (false: no need to save it). */
  changed: boolean;
}

/** A session-side path changed under us, or cannot take a file (a directory, a symlinked parent). */
class Clash extends Error {}
/** The upstream file disappeared between the walk and the copy. */
class Vanished extends Error {}

function failure(rel: string, e: unknown): OperationFailed {
  return e instanceof OperationFailed ? e : new OperationFailed(`sync failed at ${rel}: ${(e as Error).message}`);
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * A fingerprint of CODEROOT's refs (HEAD, packed-refs, loose refs, reftable) from lstat alone;
 * null when `.git` is not a plain directory (then sync always fetches).
 */
export function upstreamRefsStamp(src: string): string | null {
  const gitDir = path.join(src, ".git");
  try {
    if (!lstatSync(gitDir).isDirectory()) return null;
  } catch {
    return null;
  }
  const h = createHash("sha1");
  const visit = (rel: string) => {
    let st;
    try {
      st = lstatSync(path.join(gitDir, rel));
    } catch {
      h.update(`${rel}\0-\n`);
      return;
    }
    h.update(`${rel}\0${st.size}\0${st.mtimeMs}\0${st.ino}\n`);
    if (st.isDirectory()) {
      for (const name of readdirSync(path.join(gitDir, rel)).sort()) visit(`${rel}/${name}`);
    }
  };
  for (const top of ["HEAD", "packed-refs", "refs", "reftable", "shallow"]) visit(top);
  return h.digest("hex");
}

/**
 * Fetch every upstream branch into `refs/hero-claude/upstream/<branch>` of the copy (pruning
 * branches gone upstream). `git fetch-pack` takes the path as a URL, so no remote configuration
 * in the agent-writable copy can redirect it or choose the upload-pack program.
 */
export async function fetchUpstream(
  src: string,
  dest: string,
  opts: { chown?: Owner; onLine?: (line: string) => void } = {},
): Promise<void> {
  const onLine = opts.onLine ?? (() => {});
  const srcAbs = path.resolve(src);
  // git writes objects and refs below the copy's .git as this (host) user: refuse a layout the
  // agent rigged with symlinks, special files or alternates pointing out of the copy.
  await checkRepoLayout(dest);
  const g = await copyGit(dest);
  // fetch-pack has no `--`; an absolute path cannot be taken for an option or a host:path URL.
  const r = await g.raw(["fetch-pack", "--all", "--quiet", "--no-progress", "--upload-pack=git-upload-pack", srcAbs]);
  let fetched: string[] = [];
  if (r.code === 0) fetched = r.stdout.split("\n");
  else if (!/no matching remote head/i.test(r.stderr)) {
    for (const l of r.stderr.split("\n")) if (l) onLine(`fetch: ${l}`);
    throw new OperationFailed(`git fetch-pack from ${srcAbs} failed (exit ${r.code})`, r.stderr || r.stdout);
  }
  const upstream = new Map<string, string>();
  for (const line of fetched) {
    const m = /^([0-9a-f]{40,64}) refs\/heads\/(.+)$/.exec(line);
    if (m?.[1] && m[2]) upstream.set(`${UPSTREAM_REF_PREFIX}${m[2]}`, m[1]);
  }
  const current = new Map<string, string>();
  for (const line of (await g.run(["for-each-ref", "--format=%(objectname) %(refname)", UPSTREAM_REF_PREFIX])).split("\n")) {
    const m = /^([0-9a-f]{40,64}) (.+)$/.exec(line);
    if (m?.[1] && m[2]) current.set(m[2], m[1]);
  }
  const cmds: string[] = [];
  for (const [ref, sha] of upstream) {
    if (current.get(ref) === sha) continue;
    cmds.push(`update ${ref} ${sha}`);
    onLine(`fetch: ${ref} -> ${sha.slice(0, 12)}`);
  }
  for (const ref of current.keys()) {
    if (upstream.has(ref)) continue;
    cmds.push(`delete ${ref}`);
    onLine(`fetch: ${ref} deleted upstream`);
  }
  if (cmds.length > 0) await g.run(["update-ref", "--stdin"], { input: `${cmds.join("\n")}\n` });
  const gitDir = path.join(path.resolve(dest), ".git");
  await fixOwnership([path.join(gitDir, "objects"), path.join(gitDir, "shallow"), ...refPaths(path.resolve(dest))], opts.chown);
}

/** The parts of a file state git cares about besides bytes: kind and the execute bit. */
function kindOf(st: FileStat): string {
  return `${isSymlinkMode(st.mode) ? "l" : "f"}${st.mode & 0o100 ? "x" : "-"}`;
}

type Decision =
  | { kind: "keep"; entry: BaseFile | null }
  | { kind: "skip" }
  | { kind: "write"; s: FileStat; observed: FileStat | undefined }
  | { kind: "delete"; observed: FileStat }
  | { kind: "conflict"; entry: BaseFile | null; why: string };

/**
 * Bring upstream changes from `src` into `dest` (see the module comment). A file changed only
 * upstream is copied, added or deleted (`updated`); one changed on both sides keeps the session's
 * version (`conflicts`); a session-only change stays. Returns the new base.
 */
export async function syncRepo(opts: SyncRepoOptions): Promise<SyncResult> {
  const src = path.resolve(opts.src);
  const dest = path.resolve(opts.dest);
  const onLine = opts.onLine ?? (() => {});
  const chown = opts.chown && runningAsRoot() ? opts.chown : undefined;
  for (const [dir, what] of [
    [src, "the upstream repository"],
    [dest, "the session copy"],
  ] as const) {
    const st = await lstat(dir).catch(() => null);
    if (!st?.isDirectory()) throw new OperationFailed(`cannot sync: ${what} ${dir} is missing or not a directory`);
  }
  const base = opts.base;

  // 1. Commits: fetch only when CODEROOT's refs moved since the last fetch.
  const stamp = upstreamRefsStamp(src);
  let fetched = false;
  if (stamp === null || stamp !== base.upstreamRefs) {
    await fetchUpstream(src, dest, { chown, onLine });
    fetched = true;
  }

  // 2. Files: walk upstream (lstat only) against the base; only paths upstream touched need a
  // look at the session side, so an unchanged upstream costs one walk whatever the session did.
  const up = await walkTree(src, opts.excludes ?? DEFAULT_EXCLUDES).catch((e: unknown) => {
    // Never guess: an unreadable upstream directory would look like deleted files.
    throw new OperationFailed(`cannot sync: reading ${src} failed: ${(e as Error).message}`);
  });
  const manifest = base.manifest;
  const touched: string[] = [];
  const baseOf = (rel: string): BaseFile | undefined => (Object.hasOwn(manifest, rel) ? manifest[rel] : undefined);
  for (const rel of Object.keys(manifest)) {
    const b = manifest[rel] as BaseFile;
    if (!sameStat(up.get(rel), b.upstream ?? b)) touched.push(rel);
  }
  for (const rel of up.keys()) if (!Object.hasOwn(manifest, rel)) touched.push(rel);
  touched.sort();

  const decideOrSkip = (rel: string): Promise<Decision> =>
    decide(rel).catch((e: unknown) => {
      // A file that vanished on either side mid-sync is decided on the next sync.
      if (errno(e) === "ENOENT" || errno(e) === "ENOTDIR") return { kind: "skip" } as const;
      throw new OperationFailed(`sync failed reading ${rel}: ${(e as Error).message}`);
    });
  const decide = async (rel: string): Promise<Decision> => {
    const b = baseOf(rel);
    const s = up.get(rel);
    const d = await sessionStat(dest, rel);
    const algo: HashAlgo = algoOf(b?.hash);
    let hs: Promise<string> | undefined;
    let hd: Promise<string> | undefined;
    const hashS = () => (hs ??= hashPath(path.join(src, rel), algo));
    const hashD = () => (hd ??= hashPath(path.join(dest, rel), algo));
    const sameContent = async (x: FileStat, y: FileStat) =>
      x.size === y.size && kindOf(x) === kindOf(y) && (await hashS()) === (await hashD());
    const entryFor = async (x: FileStat, upstreamSide?: FileStat): Promise<BaseFile> => ({
      ...statOf(x),
      hash: await hashS(),
      ...(upstreamSide && !sameStat(x, upstreamSide) ? { upstream: statOf(upstreamSide) } : {}),
    });
    const sessionUnchanged = b ? sameStat(d, b) : !d;
    if (sessionUnchanged) {
      if (!s) return d ? { kind: "delete", observed: d } : { kind: "keep", entry: null };
      if (d && (await sameContent(s, d))) return { kind: "keep", entry: await entryFor(d, s) };
      return { kind: "write", s, observed: d };
    }
    // Both sides moved by stat: identical results are no conflict.
    if (!s && !d) return { kind: "keep", entry: null };
    if (s && d && (await sameContent(s, d))) return { kind: "keep", entry: await entryFor(d, s) };
    // With the base's content known, a side that only touched the file did not change it.
    if (b?.hash) {
      const baseKey = `${kindOf(b)}:${b.hash}`;
      if (s && `${kindOf(s)}:${await hashS()}` === baseKey) return { kind: "keep", entry: { ...b, upstream: statOf(s) } };
      if (d && `${kindOf(d)}:${await hashD()}` === baseKey) {
        return s ? { kind: "write", s, observed: d } : { kind: "delete", observed: d };
      }
    }
    const why = !d ? "deleted in the session, changed upstream" : !s ? "changed in the session, deleted upstream" : b ? "changed on both sides" : "added on both sides with different content";
    return { kind: "conflict", entry: s ? { ...statOf(s), hash: hs ? await hs : null } : null, why };
  };

  const decisions = await mapLimit(touched, 8, decideOrSkip);
  let next: Record<string, BaseFile> | null = null; // copied on the first change only
  let changed = fetched;
  const updated: string[] = [];
  const conflicts: string[] = [];
  const setEntry = (rel: string, entry: BaseFile | null) => {
    changed = true;
    next ??= Object.assign(emptyManifest(), manifest);
    if (entry) next[rel] = entry;
    else delete next[rel];
  };
  const conflict = (rel: string, why: string, s: FileStat | undefined) => {
    conflicts.push(rel);
    onLine(`sync: conflict ${rel}: ${why}; the session's version is kept`);
    setEntry(rel, s ? { ...statOf(s), hash: null } : null);
  };

  // Deletions first, so a file upstream turned into a directory frees its path for the writes.
  const order = touched.map((rel, i) => ({ rel, d: decisions[i] as Decision }));
  order.sort((x, y) => Number(y.d.kind === "delete") - Number(x.d.kind === "delete"));
  for (const { rel, d } of order) {
    if (d.kind === "skip") {
      continue;
    } else if (d.kind === "keep") {
      setEntry(rel, d.entry);
    } else if (d.kind === "conflict") {
      conflicts.push(rel);
      onLine(`sync: conflict ${rel}: ${d.why}; the session's version is kept`);
      setEntry(rel, d.entry);
    } else if (d.kind === "delete") {
      try {
        await removeFile(src, dest, rel, d.observed);
        updated.push(rel);
        onLine(`sync: deleted ${rel} (deleted upstream)`);
        setEntry(rel, null);
      } catch (e) {
        if (!(e instanceof Clash)) throw failure(rel, e);
        conflict(rel, e.message, undefined);
      }
    } else {
      try {
        const entry = await installFile(src, dest, rel, d.s, d.observed, chown);
        updated.push(rel);
        onLine(`sync: updated ${rel}`);
        setEntry(rel, entry);
      } catch (e) {
        if (e instanceof Vanished) continue;
        if (!(e instanceof Clash)) throw failure(rel, e);
        conflict(rel, e.message, d.s);
      }
    }
  }
  updated.sort();
  conflicts.sort();
  const newBase: RepoBase =
    changed || stamp !== base.upstreamRefs ? { ...base, manifest: next ?? manifest, upstreamRefs: stamp } : base;
  if (updated.length + conflicts.length > 0) onLine(`sync: ${updated.length} updated, ${conflicts.length} conflicts`);
  return { updated, conflicts, base: newBase, fetched, changed: newBase !== base };
}

/** Make sure every directory on the way to `relDir` is a real directory (creating missing ones). */
async function ensureDirs(root: string, relDir: string, chown: Owner | undefined): Promise<void> {
  if (relDir === "" || relDir === ".") return;
  let p = root;
  for (const seg of relDir.split("/")) {
    p = path.join(p, seg);
    const st = await lstat(p).catch((e: unknown) => {
      if (errno(e) === "ENOENT") return null;
      throw e;
    });
    if (st === null) {
      await mkdir(p, 0o755);
      if (chown) await lchown(p, chown.uid, chown.gid);
    } else if (!st.isDirectory()) {
      throw new Clash(`${path.relative(root, p)} is not a directory in the session`);
    }
  }
}

/** Whether every directory on the way to `relDir` exists as a real directory (no symlinks). */
async function realDirs(root: string, relDir: string): Promise<boolean> {
  if (relDir === "" || relDir === ".") return true;
  let p = root;
  for (const seg of relDir.split("/")) {
    p = path.join(p, seg);
    const st = await lstat(p).catch(() => null);
    if (!st?.isDirectory()) return false;
  }
  return true;
}

/**
 * The session's file at `rel` as the walk would see it: undefined when absent, a directory, or
 * reached through something that is not a real directory (a symlink the session put there).
 */
async function sessionStat(dest: string, rel: string): Promise<FileStat | undefined> {
  if (!(await realDirs(dest, path.posix.dirname(rel)))) return undefined;
  const st = await lstat(path.join(dest, rel)).catch((e: unknown) => {
    if (errno(e) === "ENOENT" || errno(e) === "ENOTDIR") return null;
    throw e;
  });
  return st && (st.isFile() || st.isSymbolicLink()) ? statOf(st) : undefined;
}

async function currentStat(p: string): Promise<FileStat | undefined> {
  try {
    const st = await lstat(p);
    return st.isDirectory() ? { size: -1, mtimeMs: st.mtimeMs, mode: st.mode } : statOf(st);
  } catch (e) {
    if (errno(e) === "ENOENT" || errno(e) === "ENOTDIR") return undefined;
    throw e;
  }
}

/**
 * Copy upstream's `rel` over the session's, via a temp file and rename, after re-checking that the
 * session's file is still what the decision saw. Returns the new base entry.
 */
async function installFile(
  src: string,
  dest: string,
  rel: string,
  s: FileStat,
  observed: FileStat | undefined,
  chown: Owner | undefined,
): Promise<BaseFile> {
  const from = path.join(src, rel);
  const target = path.join(dest, rel);
  await ensureDirs(dest, path.posix.dirname(rel), chown);
  const tmp = path.join(path.dirname(target), `${SYNC_TMP_PREFIX}${randomBytes(6).toString("hex")}.tmp`);
  try {
    try {
      if (isSymlinkMode(s.mode)) await symlink(await readlink(from), tmp);
      else await copyFile(from, tmp, fsConstants.COPYFILE_EXCL);
    } catch (e) {
      if (errno(e) === "ENOENT" && !(await lstat(from).catch(() => null))) throw new Vanished(rel);
      throw e;
    }
    if (!isSymlinkMode(s.mode)) {
      await chmod(tmp, (s.mode & 0o7777) | (runningAsRoot() ? 0 : 0o600));
      await utimes(tmp, new Date(), s.mtimeMs / 1000);
    }
    if (chown) await lchown(tmp, chown.uid, chown.gid);
    const hash = await hashPath(tmp);
    const now = await currentStat(target);
    if (!sameStat(now, observed)) throw new Clash("changed in the session while syncing");
    await rename(tmp, target).catch((e: unknown) => {
      if (errno(e) === "EISDIR" || errno(e) === "ENOTEMPTY" || errno(e) === "EEXIST" || errno(e) === "ENOTDIR") {
        throw new Clash("a directory is in the way in the session");
      }
      throw e;
    });
    const after = statOf(await lstat(target));
    return { ...after, hash, ...(sameStat(after, s) ? {} : { upstream: statOf(s) }) };
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/** Delete the session's `rel` (still as observed), then its parents that are empty and gone upstream. */
async function removeFile(src: string, dest: string, rel: string, observed: FileStat): Promise<void> {
  const dir = path.posix.dirname(rel);
  if (!(await realDirs(dest, dir))) throw new Clash("a parent directory changed in the session");
  const target = path.join(dest, rel);
  if (!sameStat(await currentStat(target), observed)) throw new Clash("changed in the session while syncing");
  await unlink(target);
  for (let d = dir; d !== "." && d !== ""; d = path.posix.dirname(d)) {
    const upstreamDir = await lstat(path.join(src, d)).catch(() => null);
    if (upstreamDir?.isDirectory()) break;
    try {
      await rmdir(path.join(dest, d));
    } catch {
      break;
    }
  }
}
