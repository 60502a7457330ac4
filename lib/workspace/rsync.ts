/**
 * The first copy of a repository into a session: one real `rsync -a` pass, `.git` included.
 * - excludes never apply inside `.git` (a branch named `dist/x` lives in `.git/refs/heads/dist/`);
 * - `--chown` only as root; otherwise the copy is made user-writable with `--chmod`;
 * - every line rsync prints goes to `onLine`; exit 24 (files vanished) is a warning, any other
 *   failure is OperationFailed with the tail of rsync's output.
 */
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { OperationFailed } from "../errors";

/** Build and dependency directories never copied into a session (at any depth, outside `.git`). */
export const DEFAULT_EXCLUDES: readonly string[] = ["target/", "node_modules/", ".next/", "dist/"];

export interface Owner {
  uid: number;
  gid: number;
}

export interface CopyRepoOptions {
  src: string;
  dest: string;
  excludes?: readonly string[];
  /** Owner of the copy (applied only when this process runs as root). */
  chown?: Owner;
  onLine?: (line: string) => void;
}

/** True when this process may give files away (`--chown`, lchown). */
export function runningAsRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

const RSYNC_EXIT: Record<number, string> = {
  1: "syntax or usage error",
  2: "protocol incompatibility",
  3: "errors selecting input/output files or directories",
  5: "error starting client-server protocol",
  10: "error in socket I/O",
  11: "error in file I/O",
  12: "error in rsync protocol data stream",
  13: "errors with program diagnostics",
  14: "error in IPC code",
  20: "received SIGUSR1 or SIGINT",
  22: "error allocating core memory buffers",
  23: "partial transfer due to error",
  24: "partial transfer due to vanished source files",
  30: "timeout in data send/receive",
};

/** The filter arguments: everything under any `.git` first (first match wins), then the excludes. */
export function rsyncFilterArgs(excludes: readonly string[]): string[] {
  return ["--include=.git/***", ...excludes.filter((e) => e.trim()).map((e) => `--exclude=${e}`)];
}

/** Split a byte stream into lines (\n or \r), calling `emit` for each complete non-empty one. */
function lineSplitter(emit: (line: string) => void): { push(b: Buffer): void; end(): void } {
  let rest = "";
  return {
    push(b) {
      const parts = (rest + b.toString("utf8")).split(/\r?\n|\r/);
      rest = parts.pop() ?? "";
      for (const p of parts) if (p.length > 0) emit(p);
    },
    end() {
      if (rest.length > 0) emit(rest);
      rest = "";
    },
  };
}

/** Run rsync with `args`; resolves with the exit code and every output line (also fed to onLine). */
export function runRsync(
  args: readonly string[],
  onLine: (line: string) => void = () => {},
): Promise<{ code: number; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    const emit = (l: string) => {
      lines.push(l);
      if (lines.length > 400) lines.splice(0, lines.length - 200);
      onLine(l);
    };
    emit(`$ rsync ${args.join(" ")}`);
    const child = spawn("rsync", args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    const out = lineSplitter(emit);
    const err = lineSplitter(emit);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") {
        const msg = "rsync is not installed or not on PATH (install the rsync package)";
        emit(msg);
        reject(new OperationFailed(msg, lines));
      } else reject(new OperationFailed(`could not start rsync: ${e.message}`, lines));
    });
    child.on("close", (code, signal) => {
      out.end();
      err.end();
      resolve({ code: code ?? (signal ? 128 : -1), lines });
    });
  });
}

/**
 * Copy the repository at `src` (its `.git` included) into `dest` with one `rsync -a` pass.
 * Returns warnings (files that vanished during the copy); throws OperationFailed otherwise.
 */
export async function copyRepo(opts: CopyRepoOptions): Promise<{ warnings: string[] }> {
  const src = path.resolve(opts.src);
  const dest = path.resolve(opts.dest);
  const onLine = opts.onLine ?? (() => {});
  await mkdir(path.dirname(dest), { recursive: true });
  const args = ["-a", "--stats", ...rsyncFilterArgs(opts.excludes ?? DEFAULT_EXCLUDES)];
  if (opts.chown && runningAsRoot()) args.push(`--chown=${opts.chown.uid}:${opts.chown.gid}`);
  // Not root: ownership cannot change, so at least make sure the owner can write everything.
  if (!runningAsRoot()) args.push("--chmod=Du+rwx,Fu+rw");
  // Trailing slashes: copy the contents of src into dest; absolute paths cannot be read as host:path.
  args.push("--", `${src}/`, `${dest}/`);
  const { code, lines } = await runRsync(args, onLine);
  if (code === 0) return { warnings: [] };
  if (code === 24) {
    const w = `rsync: some files vanished from ${src} during the copy (exit 24); the copy has the rest`;
    onLine(w);
    return { warnings: [w] };
  }
  const why = RSYNC_EXIT[code] ?? "unknown error";
  throw new OperationFailed(`rsync ${src} -> ${dest} failed (exit ${code}: ${why})`, lines, { exit_code: code });
}
