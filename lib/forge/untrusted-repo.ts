/**
 * Host-side git on a repository the sandboxed agent wrote (a session copy), by construction:
 * - git never reads the copy's `.git/config`, hooks or `info/attributes`: every command runs in a
 *   private "shadow" git dir (our own config, HEAD and index) that borrows the copy's object store
 *   through `objects/info/alternates`, with the copy as work tree. Nothing planted in the copy's
 *   config (hooks, fsmonitor, sshCommand, pager, credential helpers, filter/diff/merge drivers,
 *   url rewrites, include.path, uploadpack, receivepack…) is even parsed, so a race with a running
 *   agent rewriting its config cannot win either;
 * - on top: SAFE_GIT_CONFIG `-c` pairs, no global/system config (push excepted, see `hostGitEnv`),
 *   `.gitattributes` drivers left undefined, submodules never recursed, user input after `--`;
 * - the layout is checked first: work tree and `.git` are real directories (no gitfile, no symlink),
 *   no `commondir`, alternates only inside `.git`, no symlink or special file where git reads
 *   objects and refs;
 * - HEAD, refs, index and config are read by this module (no-follow, non-blocking opens), and
 *   results are written back (new objects, one branch, HEAD, index) by it too, never by git in the copy.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { lstat, mkdir, mkdtemp, open, readdir, rename, rm, unlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { OperationFailed } from "../errors";
import { safeGitArgs, safeGitEnv } from "../git/safe";
import { fixOwnership } from "../workspace/owner";
import type { Owner } from "../workspace/rsync";

/** `-c` pairs for every command in a shadow git dir, on top of SAFE_GIT_CONFIG. */
const SHADOW_CONFIG: readonly string[] = [
  "core.trustctime=false",
  "core.excludesFile=/dev/null",
  "core.attributesFile=/dev/null",
  "core.splitIndex=false",
  "core.sparseCheckout=false",
  "core.bare=false",
  "submodule.recurse=false",
  "status.submoduleSummary=false",
  "gc.auto=0",
  "maintenance.auto=false",
  "color.ui=false",
];

/** `-c` pairs for push and ls-remote, which do read the host user's own global/system config. */
const HOST_CONFIG: readonly string[] = [
  "core.hooksPath=/dev/null",
  "core.fsmonitor=false",
  "push.recurseSubmodules=no",
  "submodule.recurse=false",
  "protocol.ext.allow=never",
  "gc.auto=0",
  "maintenance.auto=false",
];

/** Host variables a push may need for the user's own credentials (SSH agent, proxies, CAs). */
const HOST_ENV_PASS = [
  "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TMPDIR", "XDG_CONFIG_HOME",
  "SSH_AUTH_SOCK", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSH_VARIANT",
  "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "no_proxy", "all_proxy",
  "SSL_CERT_FILE", "SSL_CERT_DIR", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH",
];

const HEX = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const MAX_SMALL_FILE = 64 * 1024 * 1024;
const MAX_INDEX_FILE = 1024 * 1024 * 1024;

/** True for a full object id (sha1 or sha256, lowercase hex). */
export function isObjectId(s: unknown): s is string {
  return typeof s === "string" && HEX.test(s);
}

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout was cut at `maxStdout` (the process was stopped). */
  truncated: boolean;
  timedOut: boolean;
}

export interface GitRunOptions {
  input?: string;
  /** Stop reading (and kill git) past this many stdout bytes; `truncated` says so. */
  maxStdout?: number;
  timeoutMs?: number;
  onStderrLine?: (line: string) => void;
  /** Extra environment (e.g. GIT_AUTHOR_NAME for commit-tree). */
  env?: Record<string, string>;
}

/** Spawn git (argument array, no shell) and collect its output; never throws for an exit code. */
export function execGit(
  cwd: string,
  args: readonly string[],
  env: Record<string, string>,
  opts: GitRunOptions = {},
): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args as string[], { cwd, env: env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let timedOut = false;
    let rest = "";
    const max = opts.maxStdout ?? 512 * 1024 * 1024;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 10 * 60_000);
    child.stdout.on("data", (b: Buffer) => {
      if (truncated) return;
      if (size + b.length > max) {
        out.push(b.subarray(0, max - size));
        size = max;
        truncated = true;
        child.kill("SIGKILL");
        return;
      }
      size += b.length;
      out.push(b);
    });
    child.stderr.on("data", (b: Buffer) => {
      err.push(b);
      if (opts.onStderrLine) {
        const parts = (rest + b.toString("utf8")).split(/\r?\n|\r/);
        rest = parts.pop() ?? "";
        for (const p of parts) if (p.trim()) opts.onStderrLine(p);
      }
    });
    child.stdin.on("error", () => {}); // git may exit before reading its input
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (opts.onStderrLine && rest.trim()) opts.onStderrLine(rest);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        truncated,
        timedOut,
      });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/**
 * Environment for git commands that must use the host user's credentials (push, ls-remote): the
 * user's global/system config IS read (credential helper, sshCommand, url rewrites, proxies: the
 * host user's own, trusted), prompts are off, and `config` pairs are passed as GIT_CONFIG_COUNT
 * entries (no `=` splitting; never inherited by a local receive-pack).
 */
export function hostGitEnv(config: ReadonlyArray<readonly [string, string]>, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of HOST_ENV_PASS) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  const pairs: Array<readonly [string, string]> = [
    ...HOST_CONFIG.map((c) => {
      const i = c.indexOf("=");
      return [c.slice(0, i), c.slice(i + 1)] as const;
    }),
    ...config,
  ];
  pairs.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  env.GIT_CONFIG_COUNT = String(pairs.length);
  return { ...env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", GCM_INTERACTIVE: "never", ...extra };
}

function refuse(dir: string, why: string): never {
  throw new OperationFailed(`refusing host-side git in ${dir}: ${why}`);
}

async function lstatOrNull(p: string) {
  return lstat(p).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT" || e.code === "ENOTDIR") return null;
    throw e;
  });
}

/** Read a regular file without following a symlink or blocking on a FIFO; null when absent. */
export async function readFileNoFollow(p: string, max = MAX_SMALL_FILE): Promise<Buffer | null> {
  let fh;
  try {
    fh = await open(p, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    if (code === "ELOOP") throw new OperationFailed(`refusing to read ${p}: it is a symlink`);
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new OperationFailed(`refusing to read ${p}: not a regular file`);
    if (st.size > max) throw new OperationFailed(`refusing to read ${p}: ${st.size} bytes is more than ${max}`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/** Every entry below `root` must be a real directory or a regular file (no symlink, FIFO, device). */
async function walkPlain(dir: string, root: string): Promise<void> {
  const pending = [root];
  while (pending.length > 0) {
    const d = pending.pop() as string;
    const entries = await readdir(d, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return [];
      throw e;
    });
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) pending.push(p);
      else if (!e.isFile()) refuse(dir, `${path.relative(dir, p)} is a symlink or special file`);
    }
  }
}

/**
 * Check that `dir` is a plain git work tree the host may run git on: returns the absolute work tree,
 * its `.git`, and the object directories git will read (the copy's own plus in-`.git` alternates).
 */
export async function checkRepoLayout(dir: string): Promise<{ root: string; gitDir: string; objectDirs: string[] }> {
  const root = path.resolve(dir);
  const st = await lstatOrNull(root);
  if (!st || !st.isDirectory()) refuse(root, st?.isSymbolicLink() ? "the work tree is a symlink" : "not a directory");
  const gitDir = path.join(root, ".git");
  const g = await lstatOrNull(gitDir);
  if (!g) refuse(root, "no .git directory");
  if (g.isSymbolicLink()) refuse(root, ".git is a symlink");
  if (!g.isDirectory()) refuse(root, ".git is not a directory (a gitfile pointing elsewhere?)");
  if (await lstatOrNull(path.join(gitDir, "commondir"))) refuse(root, ".git/commondir is set (it points git elsewhere)");
  for (const d of ["objects", "refs", "info"]) {
    const s = await lstatOrNull(path.join(gitDir, d));
    if (s && !s.isDirectory()) refuse(root, `.git/${d} is not a directory`);
    if (!s && d === "objects") refuse(root, ".git/objects is missing");
  }
  for (const f of ["HEAD", "config", "index", "packed-refs", "shallow", "info/exclude"]) {
    const s = await lstatOrNull(path.join(gitDir, f));
    if (s && !s.isFile()) refuse(root, `.git/${f} is not a regular file`);
  }
  const objectDirs: string[] = [];
  const queue = [path.join(gitDir, "objects")];
  while (queue.length > 0) {
    const od = queue.shift() as string;
    if (objectDirs.includes(od)) continue;
    if (objectDirs.length >= 8) refuse(root, "too many alternates");
    const s = await lstatOrNull(od);
    if (!s || !s.isDirectory()) refuse(root, `object directory ${od} is not a directory`);
    objectDirs.push(od);
    const alt = await readFileNoFollow(path.join(od, "info", "alternates"), 1024 * 1024);
    for (const raw of (alt?.toString("utf8") ?? "").split("\n")) {
      const line = raw.trim();
      if (!line || line.startsWith("#")) continue;
      if (line.startsWith('"')) refuse(root, "a quoted alternates entry");
      const target = path.resolve(od, line);
      if (!inside(target, gitDir)) refuse(root, `objects/info/alternates points outside the repository (${line})`);
      queue.push(target);
    }
  }
  for (const od of objectDirs) await walkPlain(root, od);
  await walkPlain(root, path.join(gitDir, "refs"));
  return { root, gitDir, objectDirs };
}

const REF_SEGMENT = /^(?!\.)(?!.*\.lock$)(?!.*\.\.)[^\x00-\x20\x7f~^:?*[\\]+$/;

/** A conservative check of a full ref name (`refs/...`), so it can be used as a path below `.git`. */
export function isSafeRefName(name: string): boolean {
  if (!name.startsWith("refs/") || name.includes("@{") || name.endsWith("/")) return false;
  return name.split("/").every((s) => s.length > 0 && REF_SEGMENT.test(s));
}

async function readPackedRefs(gitDir: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const buf = await readFileNoFollow(path.join(gitDir, "packed-refs"));
  for (const line of (buf?.toString("utf8") ?? "").split("\n")) {
    const m = /^([0-9a-f]{40}|[0-9a-f]{64}) (refs\/\S+)$/.exec(line.trim());
    if (m) map.set(m[2] as string, m[1] as string);
  }
  return map;
}

/** Resolve a ref of the copy by reading its files (loose first, then packed-refs); null when absent. */
export async function readRef(gitDir: string, name: string, depth = 0): Promise<string | null> {
  if (depth > 5 || !isSafeRefName(name)) return null;
  const loose = await readFileNoFollow(path.join(gitDir, ...name.split("/")), 1024).catch(() => null);
  const text = loose?.toString("utf8").trim();
  if (text !== undefined) {
    if (isObjectId(text)) return text;
    const m = /^ref: (refs\/\S+)$/.exec(text);
    return m ? readRef(gitDir, m[1] as string, depth + 1) : null;
  }
  return (await readPackedRefs(gitDir)).get(name) ?? null;
}

/** The copy's HEAD: its commit (null: unborn or unreadable) and branch (null: detached). */
export async function readHead(gitDir: string): Promise<{ head: string | null; branch: string | null }> {
  const text = (await readFileNoFollow(path.join(gitDir, "HEAD"), 4096))?.toString("utf8").trim() ?? "";
  if (isObjectId(text)) return { head: text, branch: null };
  const m = /^ref: (refs\/\S+)$/.exec(text);
  if (!m) return { head: null, branch: null };
  const ref = m[1] as string;
  return { head: await readRef(gitDir, ref), branch: ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : null };
}

function bool(v: string | undefined): boolean | null {
  if (v === undefined) return null;
  const s = v.trim().toLowerCase();
  if (["", "true", "yes", "on", "1"].includes(s)) return true;
  if (["false", "no", "off", "0"].includes(s)) return false;
  return null;
}

/** Parse `git config -z --list` output into a map (last value wins; a bare key means true). */
export function parseConfigList(out: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const rec of out.split("\0")) {
    if (!rec) continue;
    const i = rec.indexOf("\n");
    if (i < 0) map.set(rec.toLowerCase(), "");
    else map.set(rec.slice(0, i).toLowerCase(), rec.slice(i + 1));
  }
  return map;
}

/** A session copy opened for host-side git through a shadow git dir; call `close()` when done. */
export interface UntrustedRepo {
  /** The work tree (the session copy), absolute. */
  readonly root: string;
  /** The copy's own `.git` (read by this module only). */
  readonly gitDir: string;
  /** The private git dir every command runs in. */
  readonly shadow: string;
  /** HEAD when opened: commit (null: no commits) and branch (null: detached). */
  readonly head: string | null;
  readonly branch: string | null;
  readonly objectFormat: "sha1" | "sha256";
  /** The empty tree's id in this object format. */
  readonly emptyTree: string;
  /** Run git in the shadow with the copy as work tree (never throws for an exit code). */
  git(args: readonly string[], opts?: GitRunOptions): Promise<GitRun>;
  /** Like `git`, but a non-zero exit is OperationFailed with git's words in `data.log`. */
  run(args: readonly string[], opts?: GitRunOptions): Promise<string>;
  /** Stage the whole work tree into the shadow index (`add -A`, minus `excludes`) and return its tree id. */
  snapshot(excludes?: readonly string[]): Promise<string>;
  /** Resolve a ref of the copy (loose or packed), read by this module. */
  readRef(name: string): Promise<string | null>;
  /**
   * Write results back into the copy: every object git created in the shadow, `refs/heads/<branch>`
   * = commit, and with `checkout` also the shadow index and HEAD → that branch.
   */
  publish(p: { branch: string; commit: string; checkout: boolean; owner?: Owner }): Promise<void>;
  close(): Promise<void>;
}

const EMPTY_TREE = {
  sha1: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
  sha256: "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
} as const;

/**
 * Turn rsync-style exclude patterns (`dist/`, `/build/`, `*.log`) into git exclude pathspecs, so
 * tracked files under directories that were never copied into the session do not count as deleted.
 */
export function excludePathspecs(patterns: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of patterns) {
    let p = raw.trim();
    if (!p || p.includes("\n")) continue;
    const dirOnly = p.endsWith("/");
    p = p.replace(/\/+$/, "");
    const anchored = p.startsWith("/");
    p = p.replace(/^\/+/, "");
    if (!p) continue;
    const base = anchored ? p : `**/${p}`;
    out.push(`:(exclude,glob)${base}/**`);
    if (!dirOnly) out.push(`:(exclude,glob)${base}`);
  }
  return out;
}

async function writeNew(p: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const fh = await open(p, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Create `rel` (a list of segments) below `base` as real directories; refuse any non-directory on the way. */
async function ensureDirs(base: string, segments: readonly string[], created: string[]): Promise<string> {
  let cur = base;
  for (const seg of segments) {
    cur = path.join(cur, seg);
    const st = await lstatOrNull(cur);
    if (!st) {
      await mkdir(cur).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== "EEXIST") throw e;
      });
      const again = await lstat(cur);
      if (!again.isDirectory()) throw new OperationFailed(`cannot create ${cur}: something else appeared there`);
      created.push(cur);
    } else if (!st.isDirectory()) {
      throw new OperationFailed(`cannot write below ${cur}: it is ${st.isSymbolicLink() ? "a symlink" : "not a directory"}`);
    }
  }
  return cur;
}

/** Write `data` to `dir/name` atomically (new temp file, rename over the old name, which is never followed). */
async function replaceFile(dir: string, name: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const tmp = path.join(dir, `.hc-tmp-${randomBytes(6).toString("hex")}`);
  await writeNew(tmp, data, mode);
  try {
    await rename(tmp, path.join(dir, name));
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw new OperationFailed(`cannot write ${path.join(dir, name)}: ${(e as Error).message}`);
  }
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const d = pending.pop() as string;
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) pending.push(p);
      else if (e.isFile()) out.push(p);
    }
  }
  return out;
}

/**
 * Open the session copy at `dir` for host-side git: check its layout, then build a private shadow
 * git dir (mode 0700 under the OS temp dir) with our own config, the copy's HEAD, a copy of its index
 * (a stat cache; mtime kept so git's racy-clean check still works), its info/exclude and shallow.
 */
export async function openUntrustedRepo(dir: string): Promise<UntrustedRepo> {
  const { root, gitDir } = await checkRepoLayout(dir);
  const shadow = await mkdtemp(path.join(tmpdir(), "hc-git-"));
  try {
    await mkdir(path.join(shadow, "objects", "info"), { recursive: true });
    await mkdir(path.join(shadow, "refs", "heads"), { recursive: true });
    await mkdir(path.join(shadow, "refs", "tags"), { recursive: true });
    await mkdir(path.join(shadow, "info"), { recursive: true });

    // The copy's config is read as data (a private copy, parsed by `git config --file`), never used.
    const cfgBuf = await readFileNoFollow(path.join(gitDir, "config"), 1024 * 1024);
    const cfgCopy = path.join(shadow, "session-config");
    await writeFile(cfgCopy, cfgBuf ?? "");
    const listed = await execGit(shadow, safeGitArgs(["config", "--file", cfgCopy, "--no-includes", "-z", "--list"]), safeGitEnv());
    await unlink(cfgCopy);
    if (listed.code !== 0) refuse(root, `its .git/config does not parse: ${listed.stderr.trim()}`);
    const cfg = parseConfigList(listed.stdout);
    const version = Number(cfg.get("core.repositoryformatversion") ?? "0");
    if (!(version === 0 || version === 1)) refuse(root, `unsupported core.repositoryformatversion ${version}`);
    const fmt = (version === 1 ? cfg.get("extensions.objectformat") : undefined)?.toLowerCase() ?? "sha1";
    if (fmt !== "sha1" && fmt !== "sha256") refuse(root, `unsupported object format ${fmt}`);
    const refStorage = version === 1 ? cfg.get("extensions.refstorage") : undefined;
    if (refStorage && refStorage.toLowerCase() !== "files") refuse(root, `unsupported ref storage ${refStorage}`);
    const objectFormat = fmt as "sha1" | "sha256";

    const lines = ["[core]", `\trepositoryformatversion = ${objectFormat === "sha256" ? 1 : 0}`, "\tbare = false", "\tlogallrefupdates = false"];
    const filemode = bool(cfg.get("core.filemode"));
    lines.push(`\tfilemode = ${filemode ?? true}`);
    for (const k of ["ignorecase", "precomposeunicode", "symlinks"]) {
      const v = bool(cfg.get(`core.${k}`));
      if (v !== null) lines.push(`\t${k} = ${v}`);
    }
    if (objectFormat === "sha256") lines.push("[extensions]", "\tobjectformat = sha256");
    await writeFile(path.join(shadow, "config"), `${lines.join("\n")}\n`);
    await writeFile(path.join(shadow, "objects", "info", "alternates"), `${path.join(gitDir, "objects")}\n`);

    const { head, branch } = await readHead(gitDir);
    await writeFile(path.join(shadow, "HEAD"), head ? `${head}\n` : "ref: refs/heads/unborn\n");
    for (const f of ["info/exclude", "shallow"]) {
      const b = await readFileNoFollow(path.join(gitDir, f));
      if (b) await writeFile(path.join(shadow, f), b);
    }
    const idxPath = path.join(gitDir, "index");
    const idx = await readFileNoFollow(idxPath, MAX_INDEX_FILE).catch(() => null);
    if (idx) {
      const st = await lstat(idxPath).catch(() => null);
      await writeFile(path.join(shadow, "index"), idx);
      if (st) await utimes(path.join(shadow, "index"), st.atime, st.mtime);
    }
    return makeRepo({ root, gitDir, shadow, head, branch, objectFormat });
  } catch (e) {
    await rm(shadow, { recursive: true, force: true });
    throw e;
  }
}

function makeRepo(s: {
  root: string;
  gitDir: string;
  shadow: string;
  head: string | null;
  branch: string | null;
  objectFormat: "sha1" | "sha256";
}): UntrustedRepo {
  const env = safeGitEnv({
    GIT_DIR: s.shadow,
    GIT_WORK_TREE: s.root,
    GIT_INDEX_FILE: path.join(s.shadow, "index"),
    GIT_CEILING_DIRECTORIES: path.dirname(s.root),
  });
  const prefix = SHADOW_CONFIG.flatMap((c) => ["-c", c]);
  const git = (args: readonly string[], opts: GitRunOptions = {}) =>
    execGit(s.root, safeGitArgs([...prefix, ...args]), opts.env ? { ...env, ...opts.env } : env, opts);
  const run = async (args: readonly string[], opts: GitRunOptions = {}) => {
    const r = await git(args, opts);
    if (r.code !== 0 || r.timedOut) {
      throw new OperationFailed(`git ${args[0]} failed in ${s.root} (${r.timedOut ? "timed out" : `exit ${r.code}`})`, r.stderr || r.stdout);
    }
    return r.stdout;
  };
  const addAll = (excludes: readonly string[]) => git(["add", "-A", "--", ":/", ...excludePathspecs(excludes)]);
  return {
    ...s,
    emptyTree: EMPTY_TREE[s.objectFormat],
    git,
    run,
    async snapshot(excludes = []) {
      let r = await addAll(excludes);
      if (r.code !== 0) {
        // The copied index may be unreadable by the host (split index, corrupt, objects gone): start from HEAD.
        await rm(path.join(s.shadow, "index"), { force: true });
        if (s.head) await run(["read-tree", s.head]);
        r = await addAll(excludes);
        if (r.code !== 0) throw new OperationFailed(`git add failed in ${s.root} (exit ${r.code})`, r.stderr);
      }
      return (await run(["write-tree"])).trim();
    },
    readRef: (name) => readRef(s.gitDir, name),
    async publish({ branch, commit, checkout, owner }) {
      const ref = `refs/heads/${branch}`;
      if (!isSafeRefName(ref)) throw new OperationFailed(`refusing to write branch ${JSON.stringify(branch)}: not a plain branch name`);
      if (!isObjectId(commit)) throw new OperationFailed(`refusing to write branch ${branch}: ${commit} is not an object id`);
      const created: string[] = [];
      // Objects first (loose and packs, .pack before .idx), so no ref ever points at a missing object.
      const shadowObjects = path.join(s.shadow, "objects");
      const files = (await listFiles(shadowObjects))
        .map((f) => path.relative(shadowObjects, f))
        .filter((rel) => !rel.startsWith(`info${path.sep}`) && !path.basename(rel).startsWith("tmp_"))
        .sort((a, b) => Number(a.endsWith(".idx")) - Number(b.endsWith(".idx")));
      const objects = path.join(s.gitDir, "objects");
      for (const rel of files) {
        const segs = rel.split(path.sep);
        const name = segs.pop() as string;
        const dir = await ensureDirs(objects, segs, created);
        if (await lstatOrNull(path.join(dir, name))) continue;
        const data = await readFileNoFollow(path.join(shadowObjects, rel), Number.MAX_SAFE_INTEGER);
        if (data) {
          await replaceFile(dir, name, data, 0o444);
          created.push(path.join(dir, name));
        }
      }
      const segs = ref.split("/");
      const leaf = segs.pop() as string;
      const refDir = await ensureDirs(s.gitDir, segs, created);
      const existing = await lstatOrNull(path.join(refDir, leaf));
      if (existing?.isDirectory()) throw new OperationFailed(`cannot write ${ref}: a directory of refs has that name`);
      await replaceFile(refDir, leaf, `${commit}\n`);
      created.push(path.join(refDir, leaf));
      if (checkout) {
        const idx = await readFileNoFollow(path.join(s.shadow, "index"), MAX_INDEX_FILE);
        if (idx) {
          await replaceFile(s.gitDir, "index", idx);
          created.push(path.join(s.gitDir, "index"));
        }
        await replaceFile(s.gitDir, "HEAD", `ref: ${ref}\n`);
        created.push(path.join(s.gitDir, "HEAD"));
      }
      await fixOwnership(created, owner);
    },
    close: () => rm(s.shadow, { recursive: true, force: true }),
  };
}

/** Open `dir` as an UntrustedRepo, run `fn`, and always remove the shadow git dir. */
export async function withUntrustedRepo<T>(dir: string, fn: (repo: UntrustedRepo) => Promise<T>): Promise<T> {
  const repo = await openUntrustedRepo(dir);
  try {
    return await fn(repo);
  } finally {
    await repo.close();
  }
}
