/**
 * The command table's shape. Each command is declared once (path, arguments, options, summary,
 * handler); parsing, `--help`, and the bash/zsh completion scripts are all derived from it.
 */
import type { HeroClaudeClient } from "../sdk/client";
import type { Style } from "./output";

/** What a completion offers for an option value or an argument. */
export type Completer = "sessions" | "repos" | "files" | readonly string[];

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in help, e.g. NAME. */
  value?: string;
  desc: string;
  complete?: Completer;
}

export interface Invocation {
  values: Record<string, string | boolean | string[] | undefined>;
  /** Positional arguments before `--`. */
  args: string[];
  /** Everything after `--` (for `session exec`). */
  rest: string[];
}

export interface Ctx {
  json: boolean;
  debug: boolean;
  /** Styles for stdout and stderr (plain unless that stream is a colour TTY). */
  st: Style;
  stErr: Style;
  /** The server socket chosen with --socket, or undefined for the default. */
  socketPath: string | undefined;
  url: string | undefined;
  timeoutMs: number | undefined;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C, so watches and waits end cleanly. */
  signal: AbortSignal;
  client(): HeroClaudeClient;
  out(line: string): void;
  err(line: string): void;
}

export interface CommandSpec {
  path: readonly string[];
  /** Positional arguments for help, e.g. "ID MESSAGE". */
  args?: string;
  /** Required positional count (checked before the handler runs). */
  minArgs?: number;
  maxArgs?: number;
  /** Completion for each positional. */
  argComplete?: readonly Completer[];
  /** Accepts `-- cmd args...`. */
  passthrough?: boolean;
  summary: string;
  /** Extra help text. */
  details?: string;
  options?: Record<string, OptionSpec>;
  /** Not listed in help (internal helpers for completion). */
  hidden?: boolean;
  run(ctx: Ctx, inv: Invocation): Promise<number | void>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: "boolean", desc: "machine output: one JSON document on stdout (errors too)" },
  socket: { type: "string", value: "PATH", desc: "the server socket (default $HERO_SOCKET_DIR/hero_claude_server.sock)", complete: "files" },
  url: { type: "string", value: "URL", desc: "talk to a TCP listener instead, e.g. http://127.0.0.1:8080" },
  timeout: { type: "string", value: "SECONDS", desc: "per-call timeout (default 600; 0 = none)" },
  debug: { type: "boolean", desc: "print stack traces and the server's error data" },
  "no-color": { type: "boolean", desc: "no colours (also: NO_COLOR=1; colours are only used on a TTY)" },
  help: { type: "boolean", short: "h", desc: "help for the command" },
};

/** Read an option as a string (undefined when absent). */
export function str(inv: Invocation, name: string): string | undefined {
  const v = inv.values[name];
  return typeof v === "string" ? v : undefined;
}

export function flag(inv: Invocation, name: string): boolean {
  return inv.values[name] === true;
}

export function list(inv: Invocation, name: string): string[] {
  const v = inv.values[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}
