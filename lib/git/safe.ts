/**
 * Host-side git that an untrusted repository cannot turn into code execution.
 * - hooks, fsmonitor, pagers, external diff, textconv and credential helpers are disabled by -c
 *   (command-line config outranks .git/config);
 * - the user's global and system config are not read (GIT_CONFIG_GLOBAL/NOSYSTEM);
 * - GIT_OPTIONAL_LOCKS=0 so read-only commands never refresh (write) the index;
 * - never through a shell; callers put user input after `--`.
 */
import { spawn } from "node:child_process";
import { OperationFailed } from "../errors";

/** `-c key=value` pairs that neutralise every repository-local setting that can run a program. */
export const SAFE_GIT_CONFIG: readonly string[] = [
  "core.hooksPath=/dev/null",
  "core.fsmonitor=false",
  "core.untrackedCache=false",
  "core.pager=cat",
  "core.editor=true",
  "core.sshCommand=ssh",
  "core.askPass=",
  "core.gitProxy=",
  "credential.helper=",
  "diff.external=",
  "gpg.program=gpg",
  "commit.gpgSign=false",
  "tag.gpgSign=false",
  "protocol.ext.allow=never",
  "protocol.file.allow=always",
  "uploadpack.packObjectsHook=",
  "safe.directory=*",
];

/** Environment for host-side git: no global/system config, no prompts, no optional index writes. */
export function safeGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSH_AUTH_SOCK"]) {
    const v = process.env[key];
    if (v !== undefined) env[key] = v;
  }
  return { ...env, ...SAFE_GIT_ENV_OVERRIDES, ...extra };
}

/** The git variables every host-side git command runs with. */
export const SAFE_GIT_ENV_OVERRIDES: Readonly<Record<string, string>> = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  GIT_OPTIONAL_LOCKS: "0",
  GIT_PAGER: "cat",
  GIT_EDITOR: "true",
};

/** The full argument list for one git command, with the safe -c pairs in front. */
export function safeGitArgs(args: readonly string[]): string[] {
  return [...SAFE_GIT_CONFIG.flatMap((c) => ["-c", c]), ...args];
}

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Run one git command in `cwd`; resolves with the exit code (never throws for a non-zero exit). */
export function runGitRaw(
  cwd: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; input?: string; maxBuffer?: number } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", safeGitArgs(args), {
      cwd,
      env: safeGitEnv(opts.env) as NodeJS.ProcessEnv,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const max = opts.maxBuffer ?? 256 * 1024 * 1024;
    child.stdout!.on("data", (b: Buffer) => {
      size += b.length;
      if (size <= max) out.push(b);
    });
    child.stderr!.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        code: code ?? -1,
      }),
    );
    if (child.stdin) {
      // git may exit before reading its input: an EPIPE here must not crash the server.
      child.stdin.on("error", () => {});
      child.stdin.end(opts.input);
    }
  });
}

/** Run one git command; a non-zero exit becomes OperationFailed with git's own words in `data.log`. */
export async function runGit(
  cwd: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; input?: string } = {},
): Promise<string> {
  const r = await runGitRaw(cwd, args, opts);
  if (r.code !== 0) {
    throw new OperationFailed(`git ${args[0]} failed (exit ${r.code})`, r.stderr || r.stdout);
  }
  return r.stdout;
}

/**
 * simple-git refuses `-c` pairs that touch program-running settings, even when they switch them
 * off; these flags let our own SAFE_GIT_CONFIG through (no user input ever reaches those options).
 */
export const SIMPLE_GIT_ALLOW_SAFE_CONFIG = {
  allowUnsafeHooksPath: true,
  allowUnsafeFsMonitor: true,
  allowUnsafePager: true,
  allowUnsafeEditor: true,
  allowUnsafeSshCommand: true,
  allowUnsafeAskPass: true,
  allowUnsafeGitProxy: true,
  allowUnsafeCredentialHelper: true,
  allowUnsafeDiffExternal: true,
  allowUnsafeGpgProgram: true,
  allowUnsafeProtocolOverride: true,
  allowUnsafePack: true,
  allowUnsafeConfigPaths: true,
} as const;
