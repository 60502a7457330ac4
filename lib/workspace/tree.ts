/**
 * Walking and hashing work trees without git.
 * - a walk lists regular files and symlinks (never following a link), skipping every `.git`
 *   entry, excluded paths and our own temp files; GNU find does it in another process when it
 *   can, else it runs here synchronously one directory at a time (several times faster than
 *   promise-per-file), yielding to the event loop between chunks;
 * - a content hash is the git blob id (`sha1("blob <size>\0" + content)`, sha256 for sha256
 *   repositories), so hashes read from a git index and hashes computed here compare directly.
 */
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { constants as fsConstants, lstatSync, readdirSync } from "node:fs";
import { open, readlink } from "node:fs/promises";
import path from "node:path";

/** What a walk records per path: enough for the size+mtime change detector. */
export interface FileStat {
  size: number;
  mtimeMs: number;
  mode: number;
}

/** Prefix of the temp files sync writes next to their target before the rename. */
export const SYNC_TMP_PREFIX = ".hc-sync.";

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

export function isSymlinkMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFLNK;
}

/**
 * Same file state as far as the change detector cares: size, mtime, file type and the owner
 * execute bit (git's notion of mode; other permission bits may differ between CODEROOT and copy).
 */
export function sameStat(a: FileStat | undefined | null, b: FileStat | undefined | null): boolean {
  if (!a || !b) return !a && !b;
  return (
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    (a.mode & S_IFMT) === (b.mode & S_IFMT) &&
    (a.mode & 0o100) === (b.mode & 0o100)
  );
}

export function statOf(st: { size: number; mtimeMs: number; mode: number }): FileStat {
  return { size: st.size, mtimeMs: st.mtimeMs, mode: st.mode };
}

/** A predicate over paths relative to the tree root, compiled from rsync-style exclude patterns. */
export type PathFilter = (rel: string, isDir: boolean) => boolean;

function globToRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        out += ".*";
        i++;
      } else out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return out;
}

/**
 * Compile exclude patterns the way rsync reads simple ones: a trailing `/` matches directories
 * only, a leading `/` anchors at the tree root, a pattern without `/` matches a name at any
 * depth, one with an inner `/` matches the end of the path; `*`, `**` and `?` are wildcards.
 */
export function compileExcludes(patterns: readonly string[]): PathFilter {
  const rules = patterns
    .filter((p) => p.trim().length > 0)
    .map((raw) => {
      let p = raw;
      const dirOnly = p.endsWith("/");
      if (dirOnly) p = p.replace(/\/+$/, "");
      const anchored = p.startsWith("/");
      if (anchored) p = p.replace(/^\/+/, "");
      const body = globToRegex(p);
      // Unanchored patterns match a whole name, or (with an inner `/`) the end of the path.
      const re = new RegExp(anchored ? `^${body}$` : `(?:^|/)${body}$`);
      return { dirOnly, re };
    });
  if (rules.length === 0) return () => false;
  return (rel, isDir) => rules.some((r) => (!r.dirOnly || isDir) && r.re.test(rel));
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Every regular file and symlink below `root` (relative paths with `/`), with its lstat data.
 * `.git` entries at any depth, excluded paths (rsync-style patterns) and sync temp files are
 * skipped; entries that vanish during the walk are ignored. The root itself must exist.
 * GNU find does the walk in another process (about twice as fast, and it overlaps with our own
 * work); without it, or for patterns find's `-name` cannot express, the walk runs here.
 */
export async function walkTree(root: string, excludes: readonly string[]): Promise<Map<string, FileStat>> {
  const args = findArgs(root, excludes);
  if (args && findUsable !== false) {
    const found = await walkWithFind(args);
    if (found) return found;
  }
  return walkInProcess(root, compileExcludes(excludes));
}

/** false once spawning find failed (not installed); a failing run only falls back that once. */
let findUsable: boolean | null = null;

/** find's arguments for the walk, or null when a pattern is not a plain name glob. */
export function findArgs(root: string, excludes: readonly string[]): string[] | null {
  if (!path.isAbsolute(root)) return null; // a relative root could read as an option
  const prune = ["-name", ".git", "-o", "-name", `${SYNC_TMP_PREFIX}*`];
  for (const raw of excludes) {
    if (raw.trim().length === 0) continue;
    const dirOnly = raw.endsWith("/");
    const p = dirOnly ? raw.replace(/\/+$/, "") : raw;
    // compileExcludes treats '[' and '\\' literally, find as a class and an escape.
    if (p.length === 0 || /[/[\\]/.test(p)) return null;
    prune.push("-o", "(", "-name", p, ...(dirOnly ? ["-type", "d"] : []), ")");
  }
  return ["-H", root, "-mindepth", "1", "(", ...prune, ")", "-prune", "-o", "(", "-type", "f", "-o", "-type", "l", ")", "-printf", "%y %s %T@ %m %P\\0"];
}

/** Parse find's `%y %s %T@ %m %P\0` records into what lstat would have said (same mtimeMs double). */
export function parseFindOutput(text: string): Map<string, FileStat> | null {
  const out = new Map<string, FileStat>();
  let start = 0;
  for (;;) {
    const end = text.indexOf("\0", start);
    if (end < 0) break;
    const a = text.indexOf(" ", start);
    const b = text.indexOf(" ", a + 1);
    const c = text.indexOf(" ", b + 1);
    const d = text.indexOf(" ", c + 1);
    if (a < 0 || d < 0 || d >= end) return null;
    const t = text.slice(b + 1, c);
    const dot = t.indexOf(".");
    if (t.startsWith("-") || dot < 0) return null; // pre-1970 mtimes: let lstat answer
    const sec = Number(t.slice(0, dot));
    const nsec = Number(t.slice(dot + 1, dot + 10).padEnd(9, "0"));
    const perm = parseInt(text.slice(c + 1, d), 8);
    const size = Number(text.slice(a + 1, b));
    if (!Number.isFinite(sec) || !Number.isFinite(nsec) || !Number.isFinite(perm) || !Number.isFinite(size)) return null;
    // Node computes mtimeMs as sec * 1e3 + nsec / 1e6; the same expression gives the same double.
    out.set(text.slice(d + 1, end), {
      size,
      mtimeMs: sec * 1000 + nsec / 1e6,
      mode: (text[start] === "l" ? S_IFLNK : 0o100000) | perm,
    });
    start = end + 1;
  }
  return start === text.length ? out : null;
}

function walkWithFind(args: string[]): Promise<Map<string, FileStat> | null> {
  return new Promise((resolve) => {
    const child = spawn("find", args, { stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, LC_ALL: "C" } });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => chunks.push(b));
    child.on("error", () => {
      findUsable = false;
      resolve(null);
    });
    child.on("close", (code) => {
      // Non-zero: vanished entries, unreadable dirs, or not GNU find; the in-process walk decides.
      if (code !== 0) return resolve(null);
      findUsable = true;
      resolve(parseFindOutput(Buffer.concat(chunks).toString("utf8")));
    });
  });
}

/** The same walk, synchronously one directory at a time, yielding to the event loop between chunks. */
export async function walkInProcess(root: string, exclude: PathFilter): Promise<Map<string, FileStat>> {
  const out = new Map<string, FileStat>();
  const base = root.endsWith("/") ? root : `${root}/`;
  const stack: string[] = [""];
  let sinceYield = 0;
  while (stack.length > 0) {
    const rel = stack.pop() as string;
    let entries;
    try {
      entries = readdirSync(rel ? base + rel : root, { withFileTypes: true });
    } catch (e) {
      if (rel !== "" && (errno(e) === "ENOENT" || errno(e) === "ENOTDIR")) continue;
      throw e;
    }
    for (const e of entries) {
      if (e.name === ".git" || e.name.startsWith(SYNC_TMP_PREFIX)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!exclude(r, true)) stack.push(r);
        continue;
      }
      if (!e.isFile() && !e.isSymbolicLink()) continue;
      if (exclude(r, false)) continue;
      // Plain string paths: path.join costs more than the lstat itself at this volume.
      let st;
      try {
        st = lstatSync(base + r, { throwIfNoEntry: false });
      } catch {
        continue; // vanished along with its directory
      }
      if (st && (st.isFile() || st.isSymbolicLink())) out.set(r, { size: st.size, mtimeMs: st.mtimeMs, mode: st.mode });
    }
    sinceYield += entries.length;
    if (sinceYield >= 1024) {
      sinceYield = 0;
      await yieldToLoop();
    }
  }
  return out;
}

export type HashAlgo = "sha1" | "sha256";

/** The algorithm that produced a stored hash (git blob ids: 40 hex digits sha1, 64 sha256). */
export function algoOf(hash: string | null | undefined): HashAlgo {
  return hash && hash.length === 64 ? "sha256" : "sha1";
}

function linkHash(target: Buffer, algo: HashAlgo): string {
  const h = createHash(algo);
  h.update(`blob ${target.length}\0`);
  h.update(target);
  return h.digest("hex");
}

/**
 * The git blob id of what is at `abs` now: a symlink hashes its target string (never followed,
 * as git stores it), a file its bytes. The header carries the size seen at open, so a file that
 * changes while being read yields a hash that matches nothing.
 */
export async function hashPath(abs: string, algo: HashAlgo = "sha1"): Promise<string> {
  let fh;
  try {
    fh = await open(abs, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (e) {
    if (errno(e) === "ELOOP") return linkHash(await readlink(abs, { encoding: "buffer" }), algo);
    throw e;
  }
  try {
    const st = await fh.stat();
    const h = createHash(algo);
    h.update(`blob ${st.size}\0`);
    const buf = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(st.size, 1)));
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
    }
    return h.digest("hex");
  } finally {
    await fh.close();
  }
}

/** Run `fn` over items with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
