/**
 * hero_proc, the Hero process supervisor, when it is on PATH: `start` registers the server as the
 * service `hero_claude` and starts it there (hero_proc then restarts it and keeps its logs).
 * - The command hero_proc runs is `node --env-file=<server.env> dist/server.mjs`: the environment
 *   (CODEROOT, API keys…) goes into a mode-0600 file, never onto a command line `ps` would show.
 * - Every hero_proc command line is in HERO_PROC_ARGS below, the one place to adapt to its CLI.
 * - HERO_CLAUDE_NO_HERO_PROC=1 (or `start --no-hero-proc`) ignores hero_proc.
 */
import { execFile, spawn } from "node:child_process";
import { accessSync, constants, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CliError } from "./errors";

export const SERVICE_NAME = "hero_claude";

/** hero_proc's command lines, per operation. */
export const HERO_PROC_ARGS = {
  register: (name: string, command: string) => ["service", "set", name, "--cmd", command],
  start: (name: string) => ["service", "start", name],
  stop: (name: string) => ["service", "stop", name],
  status: (name: string) => ["service", "status", name],
  logs: (name: string, follow: boolean) => ["logs", name, ...(follow ? ["-f"] : [])],
} as const;

/** The environment variables the server reads (CONTRACT.md, "Configuration"), passed on to hero_proc's process. */
const PASSED_ENV = /^(CODEROOT|BUILDDIR|CLAUDE_CONFIG_DIR|HERO_CLAUDE_[A-Z0-9_]+|DOCKER_RUNTIME|DOCKER_HOST|HERO_SOCKET_DIR|HERO_SOCKET_GROUP|ANTHROPIC_API_KEY|ANTHROPIC_BASE_URL|CLAUDE_CODE_OAUTH_TOKEN|GITHUB_TOKEN|GITHUB_API_URL|FORGEJO_TOKEN|GITEA_TOKEN|HOME|PATH|NODE_ENV)$/;

/** The hero_proc executable on PATH, or null (also null when disabled). */
export function findHeroProc(env: NodeJS.ProcessEnv): string | null {
  if (env.HERO_CLAUDE_NO_HERO_PROC && env.HERO_CLAUDE_NO_HERO_PROC !== "0") return null;
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "hero_proc");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Quote one word for a POSIX shell command string. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A value as Node's --env-file reads it: bare when simple, else double-quoted; null when it cannot be written. */
function envValue(v: string): string | null {
  if (v.includes("\n") || v.includes("\r")) return null;
  if (/^[A-Za-z0-9_@%+=:,./~-]*$/.test(v)) return v;
  if (!v.includes('"')) return `"${v}"`;
  if (!v.includes("'")) return `'${v}'`;
  return null;
}

/** Write the env file hero_proc's process reads; returns the names left out (multi-line values). */
export function writeEnvFile(file: string, env: NodeJS.ProcessEnv, overrides: Record<string, string>): string[] {
  const skipped: string[] = [];
  const lines = ["# written by `hero-claude start` for hero_proc; holds secrets, keep it 0600"];
  const merged: Record<string, string | undefined> = { ...env, ...overrides };
  for (const [k, v] of Object.entries(merged).sort(([a], [b]) => a.localeCompare(b))) {
    if (v === undefined || !PASSED_ENV.test(k)) continue;
    const value = envValue(v);
    if (value === null) skipped.push(k);
    else lines.push(`${k}=${value}`);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o600 });
  return skipped;
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const said = `${stderr}${stdout}`.trim().split("\n").slice(-3).join(" | ");
        reject(new CliError(`hero_proc ${args.join(" ")} failed${said ? `: ${said}` : ` (${err.message})`}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

export class HeroProc {
  constructor(
    readonly bin: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Register (or update) the service with the command hero_proc runs. */
  register(command: string[]): Promise<string> {
    return run(this.bin, HERO_PROC_ARGS.register(SERVICE_NAME, command.map(shellQuote).join(" ")), this.env);
  }
  start(): Promise<string> {
    return run(this.bin, HERO_PROC_ARGS.start(SERVICE_NAME), this.env);
  }
  stop(): Promise<string> {
    return run(this.bin, HERO_PROC_ARGS.stop(SERVICE_NAME), this.env);
  }
  status(): Promise<string> {
    return run(this.bin, HERO_PROC_ARGS.status(SERVICE_NAME), this.env);
  }
  /** hero_proc's log of the service, on this terminal. */
  logs(follow: boolean): Promise<number> {
    return new Promise((resolve) => {
      const child = spawn(this.bin, HERO_PROC_ARGS.logs(SERVICE_NAME, follow), { env: this.env, stdio: "inherit" });
      child.on("error", () => resolve(1));
      child.on("exit", (code) => resolve(code ?? 1));
    });
  }
}
