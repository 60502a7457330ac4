/**
 * Service management: `start`, `stop`, `restart`, `status`, `logs`, `run`.
 * - start: through hero_proc when it is on PATH, else an own daemon (`node dist/server.mjs`,
 *   detached, output appended to the log file); either way it waits until GET /health answers;
 * - stop: SIGTERM to the pid in `$HERO_SOCKET_DIR/hero_claude.pid` (the server drains, removes its
 *   sockets and the pid file) and waits for the process to be gone; a pid that is not a
 *   hero_claude server is never signalled;
 * - status: pid, sockets, health, container engine and image (exit 1 when the server is down).
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { open as openFile } from "node:fs/promises";
import path from "node:path";
import { createClient, type HeroClaudeClient } from "../sdk/client";
import type { Health, ServerInfo } from "../sdk/types";
import { CliError, EXIT, UsageError } from "./errors";
import { findHeroProc, HeroProc, writeEnvFile } from "./heroproc";
import { duration, keyValues, printJson } from "./output";
import { packageRoot, serverEntry, servicePaths, type ServicePaths } from "./paths";
import { flag, str, type CommandSpec, type Ctx, type Invocation } from "./spec";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pathsOf(ctx: Ctx, inv: Invocation): ServicePaths {
  return servicePaths(ctx.env, ctx.socketPath, str(inv, "log-file"));
}

function clientFor(p: ServicePaths): HeroClaudeClient {
  return createClient({ socketPath: p.serverSocket, timeoutMs: 5000 });
}

/** /health, or null when nothing answers on the socket. */
async function probe(p: ServicePaths, timeoutMs = 3000): Promise<Health | null> {
  const c = clientFor(p);
  try {
    return await c.health({ timeoutMs });
  } catch {
    return null;
  } finally {
    c.close();
  }
}

function readPid(file: string): number | null {
  try {
    const n = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(n) && n > 1 ? n : null;
  } catch {
    return null;
  }
}

/** Whether the process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** Whether the pid runs a hero_claude server (checked on Linux; assumed elsewhere). */
function isServer(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    return /server\.(mjs|ts)|hero_claude/.test(cmd);
  } catch {
    return true;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await sleep(100);
  }
  return !alive(pid);
}

function managedBy(p: ServicePaths): "hero_proc" | "daemon" {
  try {
    return readFileSync(p.managerFile, "utf8").trim() === "hero_proc" ? "hero_proc" : "daemon";
  } catch {
    return "daemon";
  }
}

/** The last `n` lines of a file from byte `from` on. */
function tailOf(file: string, n: number, from = 0): string[] {
  try {
    const text = readFileSync(file, "utf8").slice(from);
    return text.replace(/\n$/, "").split("\n").slice(-n);
  } catch {
    return [];
  }
}

interface StartResult {
  pid: number | null;
  manager: "hero_proc" | "daemon";
  server_socket: string;
  ui_socket: string;
  log: string | null;
  already_running: boolean;
}

async function startService(ctx: Ctx, inv: Invocation): Promise<StartResult> {
  const p = pathsOf(ctx, inv);
  const waitS = Number(str(inv, "wait-s") ?? "90");
  if (!Number.isFinite(waitS) || waitS <= 0) throw new UsageError("--wait-s takes a positive number of seconds");
  if (await probe(p)) {
    return { pid: readPid(p.pidFile), manager: managedBy(p), server_socket: p.serverSocket, ui_socket: p.uiSocket, log: p.logFile, already_running: true };
  }
  const old = readPid(p.pidFile);
  if (old && alive(old) && isServer(old)) {
    throw new CliError(`a server (pid ${old}) holds ${p.pidFile} but does not answer on ${p.serverSocket}; \`hero-claude stop\` it first`);
  }
  const entry = serverEntry();
  if (!existsSync(entry)) throw new CliError(`${entry} is missing: build first (\`npm run build\` or \`make build\`)`);
  const env: NodeJS.ProcessEnv = { ...ctx.env, HERO_SOCKET_DIR: p.socketDir, NODE_ENV: ctx.env.NODE_ENV || "production" };

  const heroProcBin = flag(inv, "no-hero-proc") ? null : findHeroProc(ctx.env);
  if (heroProcBin) {
    const hp = new HeroProc(heroProcBin, env);
    try {
      const skipped = writeEnvFile(p.envFile, ctx.env, { HERO_SOCKET_DIR: p.socketDir, NODE_ENV: env.NODE_ENV! });
      if (skipped.length) ctx.err(`warning: multi-line values of ${skipped.join(", ")} are not passed to hero_proc`);
      await hp.register([process.execPath, `--env-file=${p.envFile}`, entry]);
      await hp.start();
      mkdirSync(p.socketDir, { recursive: true });
      writeFileSync(p.managerFile, "hero_proc\n");
      const started = Date.now();
      while (Date.now() - started < waitS * 1000) {
        if (await probe(p, 1000)) {
          return { pid: readPid(p.pidFile), manager: "hero_proc", server_socket: p.serverSocket, ui_socket: p.uiSocket, log: null, already_running: false };
        }
        if (ctx.signal.aborted) throw new CliError("interrupted", EXIT.interrupted);
        await sleep(250);
      }
      throw new CliError(`hero_proc started ${entry} but ${p.serverSocket} did not answer within ${waitS} s; see \`hero-claude logs\``);
    } catch (err) {
      if (!(err instanceof CliError) || err.message.includes("did not answer")) throw err;
      ctx.err(`warning: ${err.message}; starting an own daemon instead (--no-hero-proc skips hero_proc)`);
    }
  }

  mkdirSync(path.dirname(p.logFile), { recursive: true });
  mkdirSync(p.socketDir, { recursive: true });
  rmSync(p.managerFile, { force: true });
  const from = existsSync(p.logFile) ? statSync(p.logFile).size : 0;
  const fd = openSync(p.logFile, "a");
  let child;
  try {
    child = spawn(process.execPath, [entry], { cwd: packageRoot(), env, detached: true, stdio: ["ignore", fd, fd] });
  } finally {
    closeSync(fd);
  }
  let exited: number | null | undefined;
  child.on("exit", (code, signal) => (exited = code ?? (signal ? 128 : 1)));
  child.on("error", () => (exited = 1));
  child.unref();
  const started = Date.now();
  while (Date.now() - started < waitS * 1000) {
    if (exited !== undefined) {
      const tail = tailOf(p.logFile, 5, from).filter(Boolean);
      throw new CliError(`the server exited (code ${exited}) before answering:\n  ${tail.join("\n  ") || "(no output)"}\n(log: ${p.logFile})`);
    }
    if (await probe(p, 1000)) {
      return { pid: child.pid ?? readPid(p.pidFile), manager: "daemon", server_socket: p.serverSocket, ui_socket: p.uiSocket, log: p.logFile, already_running: false };
    }
    if (ctx.signal.aborted) throw new CliError("interrupted while starting; the server may still come up (`hero-claude status`)", EXIT.interrupted);
    await sleep(200);
  }
  throw new CliError(`the server (pid ${child.pid}) did not answer on ${p.serverSocket} within ${waitS} s; see ${p.logFile}`);
}

interface StopResult {
  stopped: boolean;
  pid: number | null;
  message: string;
}

async function stopService(ctx: Ctx, inv: Invocation): Promise<StopResult> {
  const p = pathsOf(ctx, inv);
  const timeoutS = Number(str(inv, "wait-s") ?? "30");
  const pid = readPid(p.pidFile);
  if (managedBy(p) === "hero_proc") {
    const bin = findHeroProc(ctx.env);
    if (bin) {
      await new HeroProc(bin, ctx.env).stop();
      rmSync(p.managerFile, { force: true });
      if (pid && !(await waitGone(pid, timeoutS * 1000))) {
        throw new CliError(`hero_proc stopped the service but pid ${pid} is still running after ${timeoutS} s`);
      }
      return { stopped: true, pid, message: `stopped through hero_proc${pid ? ` (pid ${pid})` : ""}` };
    }
    ctx.err("warning: started through hero_proc, which is no longer on PATH; stopping the pid directly");
  }
  if (pid === null) {
    if (await probe(p)) throw new CliError(`a server answers on ${p.serverSocket} but there is no pid file at ${p.pidFile}; stop it where it was started`);
    return { stopped: false, pid: null, message: "not running" };
  }
  if (!alive(pid)) {
    rmSync(p.pidFile, { force: true });
    return { stopped: false, pid, message: `not running (removed the stale pid file of pid ${pid})` };
  }
  if (!isServer(pid)) {
    throw new CliError(`pid ${pid} in ${p.pidFile} is not a hero_claude server; remove the stale pid file if the server is gone`);
  }
  process.kill(pid, "SIGTERM");
  if (!(await waitGone(pid, timeoutS * 1000))) {
    if (!flag(inv, "force")) throw new CliError(`pid ${pid} is still running ${timeoutS} s after SIGTERM; \`hero-claude stop --force\` kills it`);
    process.kill(pid, "SIGKILL");
    await waitGone(pid, 5000);
    rmSync(p.pidFile, { force: true });
    return { stopped: true, pid, message: `killed pid ${pid} (it did not stop on SIGTERM)` };
  }
  return { stopped: true, pid, message: `stopped (pid ${pid})` };
}

function printStarted(ctx: Ctx, r: StartResult): void {
  if (ctx.json) return printJson(r);
  const head = r.already_running ? "hero_claude is already running" : `hero_claude started${r.manager === "hero_proc" ? " through hero_proc" : ""}`;
  ctx.out(`${ctx.st.green(head)}${r.pid ? ` (pid ${r.pid})` : ""}`);
  const pairs: [string, string][] = [
    ["server socket", r.server_socket],
    ["ui socket", r.ui_socket],
  ];
  if (r.log) pairs.push(["log", r.log]);
  ctx.out(keyValues(pairs, ctx.st));
}

const LOG_FILE_OPTION = {
  "log-file": { type: "string", value: "FILE", desc: "the server log (default ~/hero/var/hero_claude/server.log)", complete: "files" },
} as const;

/** Follow a growing file (like tail -F: a truncated or replaced file is read from the start). */
async function follow(file: string, from: number, signal: AbortSignal): Promise<void> {
  let pos = from;
  let partial = "";
  while (!signal.aborted) {
    let size = -1;
    try {
      size = statSync(file).size;
    } catch {
      // not there (yet)
    }
    if (size >= 0 && size < pos) pos = 0;
    if (size > pos) {
      const fh = await openFile(file, "r");
      try {
        const buf = Buffer.alloc(Math.min(size - pos, 1 << 20));
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        pos += bytesRead;
        const text = partial + buf.subarray(0, bytesRead).toString("utf8");
        const cut = text.lastIndexOf("\n") + 1;
        process.stdout.write(text.slice(0, cut));
        partial = text.slice(cut);
      } finally {
        await fh.close();
      }
      continue;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const t = setTimeout(done, 250);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

export const serviceCommands: CommandSpec[] = [
  {
    path: ["start"],
    summary: "start the server in the background (through hero_proc when on PATH) and wait until it answers",
    details:
      "Without hero_proc: runs `node dist/server.mjs` detached, output appended to the log file, pid in $HERO_SOCKET_DIR/hero_claude.pid.\nThe server's configuration comes from the environment (CODEROOT, BUILDDIR, HERO_SOCKET_DIR…).",
    options: {
      ...LOG_FILE_OPTION,
      "no-hero-proc": { type: "boolean", desc: "run an own daemon even when hero_proc is on PATH" },
      "wait-s": { type: "string", value: "SECONDS", desc: "how long to wait for the server to answer (default 90)" },
    },
    maxArgs: 0,
    async run(ctx, inv) {
      printStarted(ctx, await startService(ctx, inv));
    },
  },
  {
    path: ["stop"],
    summary: "stop the server (SIGTERM: it drains and removes its sockets) and wait until it is gone",
    options: {
      ...LOG_FILE_OPTION,
      force: { type: "boolean", desc: "SIGKILL when it does not stop in time" },
      "wait-s": { type: "string", value: "SECONDS", desc: "how long to wait (default 30)" },
    },
    maxArgs: 0,
    async run(ctx, inv) {
      const r = await stopService(ctx, inv);
      if (ctx.json) return printJson(r);
      ctx.out(r.message);
    },
  },
  {
    path: ["restart"],
    summary: "stop, then start",
    options: {
      ...LOG_FILE_OPTION,
      "no-hero-proc": { type: "boolean", desc: "run an own daemon even when hero_proc is on PATH" },
      force: { type: "boolean", desc: "SIGKILL when it does not stop in time" },
    },
    maxArgs: 0,
    async run(ctx, inv) {
      const stopped = await stopService(ctx, { ...inv, values: { ...inv.values, "wait-s": undefined } });
      if (!ctx.json) ctx.out(stopped.message);
      const started = await startService(ctx, { ...inv, values: { ...inv.values, "wait-s": undefined } });
      printStarted(ctx, started);
    },
  },
  {
    path: ["status"],
    summary: "pid, sockets, health, container engine and image (exit status 1 when down)",
    options: LOG_FILE_OPTION,
    maxArgs: 0,
    async run(ctx, inv) {
      const p = pathsOf(ctx, inv);
      const pid = readPid(p.pidFile);
      const pidAlive = pid !== null && alive(pid);
      const health = await probe(p);
      let info: ServerInfo | null = null;
      let infoError: string | null = null;
      if (health) {
        const c = clientFor(p);
        try {
          info = await c.server.info(undefined, { timeoutMs: 10_000 });
        } catch (err) {
          infoError = (err as Error).message;
        } finally {
          c.close();
        }
      }
      const manager = managedBy(p);
      const up = health !== null;
      if (ctx.json) {
        printJson({
          running: up,
          pid: pidAlive ? pid : null,
          manager,
          sockets: { server: p.serverSocket, ui: p.uiSocket, server_exists: existsSync(p.serverSocket), ui_exists: existsSync(p.uiSocket) },
          health,
          info,
          log: p.logFile,
        });
        return up ? EXIT.ok : EXIT.failure;
      }
      const st = ctx.st;
      if (!up) {
        ctx.out(
          `hero_claude: ${st.red("not running")}${pidAlive ? ` (pid ${pid} is alive but does not answer on ${p.serverSocket})` : ` (nothing answers on ${p.serverSocket})`}`,
        );
        ctx.out(st.dim("start it: hero-claude start"));
        return EXIT.failure;
      }
      ctx.out(`hero_claude: ${st.green("running")}${pidAlive ? ` (pid ${pid}${manager === "hero_proc" ? ", hero_proc" : ""})` : ""}, version ${health.version}${info ? `, up ${duration(info.uptime_s)}` : ""}`);
      const pairs: [string, string][] = [
        ["server socket", p.serverSocket],
        ["ui socket", `${p.uiSocket}${existsSync(p.uiSocket) ? "" : st.yellow(" (missing)")}`],
      ];
      if (info) {
        pairs.push([
          "docker",
          info.runtime.reachable
            ? st.green(`reachable (${info.runtime.kind}${info.runtime.version ? ` ${info.runtime.version}` : ""})`)
            : st.red(`unreachable (${info.runtime.kind}): sessions cannot start; make docker`),
        ]);
        pairs.push(["image", `${info.image.name} ${info.image.present ? st.green("present") : st.yellow("missing: make image")}`]);
        const counts = Object.entries(info.sessions.by_state).map(([k, v]) => `${k} ${v}`).join(", ");
        pairs.push(["sessions", `${info.sessions.total}${counts ? ` (${counts})` : ""}`]);
        pairs.push(["coderoot", info.coderoot]);
      } else {
        pairs.push(["docker", health.docker ? st.green("reachable") : st.red("unreachable")]);
        if (infoError) pairs.push(["server.info", st.red(infoError)]);
      }
      if (manager === "daemon") pairs.push(["log", p.logFile]);
      ctx.out(keyValues(pairs, st));
      return EXIT.ok;
    },
  },
  {
    path: ["logs"],
    summary: "the server's log (`logs get`/`logs clear`: the operation log)",
    options: {
      ...LOG_FILE_OPTION,
      follow: { type: "boolean", short: "f", desc: "keep printing new lines" },
      lines: { type: "string", short: "n", value: "N", desc: "last N lines (default 200)" },
    },
    maxArgs: 0,
    async run(ctx, inv) {
      const p = pathsOf(ctx, inv);
      if (managedBy(p) === "hero_proc") {
        const bin = findHeroProc(ctx.env);
        if (bin) return new HeroProc(bin, ctx.env).logs(flag(inv, "follow"));
      }
      const n = Number(str(inv, "lines") ?? "200");
      if (!Number.isInteger(n) || n < 0) throw new UsageError("--lines takes a whole number");
      if (!existsSync(p.logFile) && !flag(inv, "follow")) throw new CliError(`no log at ${p.logFile} (the server was not started with \`hero-claude start\`?)`);
      const size = existsSync(p.logFile) ? statSync(p.logFile).size : 0;
      const text = existsSync(p.logFile) ? readFileSync(p.logFile, "utf8") : "";
      const lines = text.replace(/\n$/, "").split("\n");
      if (text) process.stdout.write(`${lines.slice(-n || lines.length).join("\n")}\n`);
      if (flag(inv, "follow")) await follow(p.logFile, size, ctx.signal);
    },
  },
  {
    path: ["run"],
    summary: "serve in the foreground (Ctrl-C or SIGTERM stops it cleanly)",
    maxArgs: 0,
    async run(ctx) {
      const p = servicePaths(ctx.env, ctx.socketPath);
      const entry = serverEntry();
      if (!existsSync(entry)) throw new CliError(`${entry} is missing: build first (\`npm run build\`)`);
      const child = spawn(process.execPath, [entry], {
        cwd: packageRoot(),
        env: { ...ctx.env, HERO_SOCKET_DIR: p.socketDir, NODE_ENV: ctx.env.NODE_ENV || "production" },
        stdio: "inherit",
      });
      const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
      const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((s) => [s, forward(s)] as const);
      for (const [s, h] of handlers) process.on(s, h);
      return new Promise<number>((resolve) => {
        child.on("exit", (code, signal) => {
          for (const [s, h] of handlers) process.off(s, h);
          resolve(code ?? (signal ? 128 + 15 : 1));
        });
      });
    },
  },
];
