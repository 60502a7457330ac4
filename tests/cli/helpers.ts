/** Run the real `hero-claude` bin (dist/cli.mjs) and the examples as a user would. */
import { execFile } from "node:child_process";
import path from "node:path";
import { ROOT } from "../helpers/server";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export const BIN = path.join(ROOT, "bin/hero-claude.mjs");

/** A clean environment: no colours forced, no hero_proc unless a test puts one on PATH. */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: "C.UTF-8", ...extra } as Record<string, string | undefined> as NodeJS.ProcessEnv;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

function exec(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env, cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

/** `hero-claude ...args`. */
export function cli(args: string[], env: NodeJS.ProcessEnv = baseEnv(), timeoutMs = 120_000, input?: string): Promise<Run> {
  return exec(process.execPath, [BIN, ...args], env, timeoutMs, input);
}

/** `npx tsx examples/<name> ...args`. */
export function example(name: string, args: string[], env: NodeJS.ProcessEnv = baseEnv()): Promise<Run> {
  return exec(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "examples", name), ...args], env, 120_000);
}
