/** Start the real built server (dist/server.mjs) on sockets in a temp dir, against a temp CODEROOT. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { rpc, rpcRaw } from "./http";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface RunningServer {
  proc: ChildProcess;
  dir: string;
  coderoot: string;
  builddir: string;
  serverSocket: string;
  uiSocket: string;
  output: () => string;
  rpc: <T = any>(method: string, params?: unknown) => Promise<T>;
  rpcRaw: (method: string, params?: unknown) => Promise<{ result?: any; error?: any }>;
  /** SIGTERM and wait for the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export async function startServer(opts: { coderoot: string; env?: Record<string, string>; dir?: string }): Promise<RunningServer> {
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), "hc-srv-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    CODEROOT: opts.coderoot,
    BUILDDIR: path.join(dir, "build"),
    HERO_SOCKET_DIR: path.join(dir, "sock"),
    CLAUDE_CONFIG_DIR: path.join(dir, "claude-config"),
    NODE_ENV: "production",
    ...opts.env,
  };
  const proc = spawn(process.execPath, [path.join(ROOT, "dist/server.mjs")], { env, cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  proc.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60s:\n${out}`)), 60_000);
    const check = () => {
      if (out.includes("listening:")) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on("data", check);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  const serverSocket = path.join(env.HERO_SOCKET_DIR!, "hero_claude_server.sock");
  return {
    proc,
    dir,
    coderoot: opts.coderoot,
    builddir: env.BUILDDIR!,
    serverSocket,
    uiSocket: path.join(env.HERO_SOCKET_DIR!, "hero_claude_ui.sock"),
    output: () => out,
    rpc: (m, p) => rpc(serverSocket, m, p),
    rpcRaw: (m, p) => rpcRaw(serverSocket, m, p),
    stop: async (signal = "SIGTERM") => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Run the server to completion with a given environment (for start-up failures). */
export function runServerExpectingExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [path.join(ROOT, "dist/server.mjs")], {
      env: { PATH: process.env.PATH, NODE_ENV: "production", ...env },
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stdout.on("data", (b: Buffer) => (out += b.toString()));
    proc.stderr.on("data", (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output: out });
    });
  });
}
