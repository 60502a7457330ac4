/**
 * The base: what a session copy started from, so sync and diff know what changed on each side.
 * - the manifest holds size, mtime and mode per file (outside `.git` and excluded dirs): the
 *   change detector, as rsync's; a content hash is only needed when both sides moved;
 * - hashes are git blob ids; at record time they come free from the copy's git index file (read
 *   directly) for tracked files whose size+mtime still match it and are not racily clean;
 *   everything else stays null until sync needs it;
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
import { walkTree, type FileStat } from "./tree";

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
  mode: number;
  size: number;
  mtimeMs: number;
  /** true when the index stores no sub-second part (compare whole seconds only). */
  secondsOnly: boolean;
}

/**
 * Parse a git index file (versions 2 to 4) into its stage-0 entries: blob id, mode, size, mtime.
 * Reading the file directly costs a few ms where `git ls-files --debug` costs a process and a
 * large text to parse. Returns null for anything unexpected, and for a split index (`link`).
 */
export function parseIndex(buf: Buffer, oidLen: 20 | 32): Map<string, IndexEntry> | null {
  if (buf.length < 12 + oidLen || buf.toString("latin1", 0, 4) !== "DIRC") return null;
  const version = buf.readUInt32BE(4);
  if (version < 2 || version > 4) return null;
  const count = buf.readUInt32BE(8);
  const entries = new Map<string, IndexEntry>();
  const end = buf.length - oidLen;
  let off = 12;
  let prev: Buffer = Buffer.alloc(0);
  for (let i = 0; i < count; i++) {
    if (off + 42 + oidLen > end) return null;
    const mtimeS = buf.readUInt32BE(off + 8);
    const mtimeNs = buf.readUInt32BE(off + 12);
    const mode = buf.readUInt32BE(off + 24);
    const size = buf.readUInt32BE(off + 36);
    const hash = buf.toString("hex", off + 40, off + 40 + oidLen);
    const flags = buf.readUInt16BE(off + 40 + oidLen);
    let p = off + 42 + oidLen;
    if (version >= 3 && flags & 0x4000) p += 2;
    let name: Buffer;
    if (version === 4) {
      // Path prefix compression: drop n bytes of the previous path, append the NUL-terminated suffix.
      let c = buf[p++] as number;
      let n = c & 0x7f;
      while (c & 0x80) {
        c = buf[p++] as number;
        n = ((n + 1) << 7) | (c & 0x7f);
      }
      const nul = buf.indexOf(0, p);
      if (nul < 0 || nul >= end || n > prev.length) return null;
      name = Buffer.concat([prev.subarray(0, prev.length - n), buf.subarray(p, nul)]);
      prev = name;
      off = nul + 1;
    } else {
      const nul = buf.indexOf(0, p);
      if (nul < 0 || nul >= end) return null;
      name = buf.subarray(p, nul);
      // Entries are NUL-padded to a multiple of 8 bytes (1 to 8 NULs).
      off += (p - off + name.length + 8) & ~7;
    }
    const type = mode & 0o170000;
    if ((flags >> 12) & 3 || (type !== 0o100000 && type !== 0o120000)) continue;
    entries.set(name.toString("utf8"), {
      hash,
      mode,
      size,
      mtimeMs: mtimeS * 1000 + mtimeNs / 1e6,
      secondsOnly: mtimeNs === 0,
    });
  }
  // Extensions: a split index keeps most entries in another file, which we do not read.
  while (off + 8 <= end) {
    if (buf.toString("latin1", off, off + 4) === "link") return null;
    off += 8 + buf.readUInt32BE(off + 4);
  }
  return entries;
}

/** Whether an index entry still describes the file (git's own stat check, mtime and size only). */
function indexMatches(e: IndexEntry, st: FileStat, indexMtimeMs: number): boolean {
  if (e.size !== st.size || (e.mode & 0o170000) !== (st.mode & 0o170000)) return false;
  const same = e.secondsOnly ? Math.floor(st.mtimeMs / 1000) * 1000 === e.mtimeMs : Math.abs(st.mtimeMs - e.mtimeMs) < 0.001;
  // Racily clean: written in the same tick as the index, git itself would re-hash it.
  return same && st.mtimeMs < indexMtimeMs;
}

/**
 * HEAD, the branch and every branch tip of the copy, from `.git/HEAD` and one for-each-ref
 * (a rev-parse only for the rare HEAD that is a symref outside refs/heads).
 */
async function readRefs(root: string, g: CopyGit): Promise<{ head: string | null; branch: string | null; branches: Map<string, string> }> {
  const [headFile, refs] = await Promise.all([
    readFile(path.join(root, ".git", "HEAD"), "utf8").catch(() => ""),
    g.run(["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/"]),
  ]);
  const branches = new Map<string, string>();
  for (const line of refs.split("\n")) {
    const m = /^([0-9a-f]{40,64}) refs\/heads\/(.+)$/.exec(line);
    if (m?.[1] && m[2]) branches.set(m[2], m[1]);
  }
  const text = headFile.trim();
  const symref = /^ref:\s*(\S+)$/.exec(text)?.[1];
  if (symref?.startsWith("refs/heads/")) {
    const branch = symref.slice("refs/heads/".length);
    return { head: branches.get(branch) ?? null, branch, branches };
  }
  if (/^[0-9a-f]{40,64}$/.test(text)) return { head: text, branch: null, branches };
  const r = await g.raw(["rev-parse", "--verify", "-q", "HEAD^{commit}"]);
  return { head: r.code === 0 ? r.stdout.trim() || null : null, branch: null, branches };
}

/** The blob ids the copy's own index knows, with what they need to be trusted. */
async function indexHashes(root: string): Promise<{ entries: Map<string, IndexEntry>; indexMtimeMs: number }> {
  const none = { entries: new Map<string, IndexEntry>(), indexMtimeMs: 0 };
  try {
    const file = path.join(root, ".git", "index");
    const [st, buf, config] = await Promise.all([
      lstat(file),
      readFile(file),
      readFile(path.join(root, ".git", "config"), "utf8").catch(() => ""),
    ]);
    const oidLen = /^\s*objectformat\s*=\s*sha256\s*$/im.test(config) ? 32 : 20;
    const entries = st.isFile() ? parseIndex(buf, oidLen) : null;
    return entries ? { entries, indexMtimeMs: st.mtimeMs } : none;
  } catch {
    return none;
  }
}

/** Pin HEAD as refs/hero-claude/base and every branch as refs/hero-claude/upstream/<branch>. */
async function pinUpstreamRefs(g: CopyGit, head: string | null, branches: Map<string, string>): Promise<void> {
  const lines = [...branches].map(([name, sha]) => `update ${UPSTREAM_REF_PREFIX}${name} ${sha}`);
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
  // git runs in other processes while this one walks: start it first.
  const [headInfo, index, files] = await Promise.all([
    readRefs(root, g).then(async ({ head, branch, branches }) => {
      await pinUpstreamRefs(g, head, branches);
      await fixOwnership(refPaths(root), opts.chown);
      return { head, branch };
    }),
    indexHashes(root),
    walkTree(root, opts.excludes ?? DEFAULT_EXCLUDES),
  ]);
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
