/** Where the service's files are: the same defaults as the server (CONTRACT.md), without loading its config. */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const SERVER_SOCKET = "hero_claude_server.sock";
export const UI_SOCKET = "hero_claude_ui.sock";
export const PID_FILE = "hero_claude.pid";
/** Written when `start` handed the server to hero_proc, so `stop`/`logs` go through it too. */
export const MANAGER_FILE = "hero_claude.manager";

export interface ServicePaths {
  socketDir: string;
  serverSocket: string;
  uiSocket: string;
  pidFile: string;
  managerFile: string;
  logFile: string;
  /** The env file a hero_proc-managed server reads (mode 0600: it may hold API keys). */
  envFile: string;
}

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

/** The paths for a server socket chosen with --socket, or from HERO_SOCKET_DIR / ~/hero/var/sockets. */
export function servicePaths(env: NodeJS.ProcessEnv, socket?: string, logFile?: string): ServicePaths {
  const socketDir = socket ? path.dirname(path.resolve(socket)) : env.HERO_SOCKET_DIR || path.join(home(env), "hero/var/sockets");
  const log = path.resolve(logFile || path.join(home(env), "hero/var/hero_claude/server.log"));
  return {
    socketDir,
    serverSocket: socket ? path.resolve(socket) : path.join(socketDir, SERVER_SOCKET),
    uiSocket: path.join(socketDir, UI_SOCKET),
    pidFile: path.join(socketDir, PID_FILE),
    managerFile: path.join(socketDir, MANAGER_FILE),
    logFile: log,
    envFile: path.join(path.dirname(log), "server.env"),
  };
}

/** The package root: the nearest directory above this file holding package.json (dist/ or lib/cli/). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The built server entry point. */
export function serverEntry(): string {
  return path.join(packageRoot(), "dist/server.mjs");
}
