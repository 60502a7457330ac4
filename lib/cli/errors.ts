/**
 * Exit codes and the one-line error messages of the CLI. An error prints one line (what went
 * wrong and what to do); the stack and the server's `data` only with --debug.
 */
import {
  BusyError,
  ConnectionError,
  HeroClaudeError,
  InvalidParamsError,
  InvalidStateError,
  MethodNotFoundError,
  OperationFailedError,
  RepoNotFoundError,
  RuntimeUnavailableError,
  SessionNotFoundError,
  TimeoutError,
} from "../sdk/errors";

/** What each exit status means (also printed by `hero-claude --help`). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  invalidState: 4,
  runtimeUnavailable: 5,
  busy: 6,
  unreachable: 7,
  methodMissing: 8,
  interrupted: 130,
} as const;

export const EXIT_HELP: [number, string][] = [
  [EXIT.ok, "success"],
  [EXIT.failure, "failure (an operation failed, the agent failed, the server is down for `status`)"],
  [EXIT.usage, "usage error: bad arguments or params the server rejected (-32602)"],
  [EXIT.notFound, "not found: session (-32001) or repository (-32003)"],
  [EXIT.invalidState, "not allowed in the session's current state (-32002)"],
  [EXIT.runtimeUnavailable, "container runtime unavailable (-32004): start Docker"],
  [EXIT.busy, "busy: another operation holds the session (-32006); retry"],
  [EXIT.unreachable, "the server cannot be reached (not running, or a wrong --socket)"],
  [EXIT.methodMissing, "the server does not offer this method (-32601): upgrade it"],
];

/** A mistake in the command line. */
export class UsageError extends Error {}

/** A failure the CLI itself detected, with its exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof SessionNotFoundError || err instanceof RepoNotFoundError) return EXIT.notFound;
  if (err instanceof InvalidStateError) return EXIT.invalidState;
  if (err instanceof RuntimeUnavailableError) return EXIT.runtimeUnavailable;
  if (err instanceof BusyError) return EXIT.busy;
  if (err instanceof InvalidParamsError) return EXIT.usage;
  if (err instanceof ConnectionError) return EXIT.unreachable;
  if (err instanceof MethodNotFoundError) return EXIT.methodMissing;
  if (err instanceof Error && err.name === "AbortError") return EXIT.interrupted;
  return EXIT.failure;
}

/** The one line to print for an error, with a hint of what to do. */
export function describeError(err: unknown): string {
  if (err instanceof UsageError) return `${err.message} (see --help)`;
  if (err instanceof CliError) return err.message;
  if (err instanceof SessionNotFoundError) return `${err.message}; list sessions with \`hero-claude session list\``;
  if (err instanceof RepoNotFoundError) return `${err.message}; list repositories with \`hero-claude repo list\``;
  if (err instanceof InvalidStateError) return err.message;
  if (err instanceof RuntimeUnavailableError)
    return `${err.message}; start the container engine (\`make docker\`) and check \`hero-claude status\``;
  if (err instanceof BusyError) return `${err.message}; another operation holds the session, retry in a moment`;
  if (err instanceof InvalidParamsError) {
    const more = err.issues.length > 1 ? ` (+${err.issues.length - 1} more; --debug lists them)` : "";
    return `${err.message}${more}`;
  }
  if (err instanceof MethodNotFoundError)
    return `${err.message}: this server does not offer it yet; upgrade hero_claude (\`hero-claude server info\` shows its version)`;
  if (err instanceof OperationFailedError) return `${err.message}${err.log ? " (--debug shows the tool output)" : ""}`;
  if (err instanceof ConnectionError) return `${err.message}; start it with \`hero-claude start\` or pick one with --socket`;
  if (err instanceof TimeoutError) return `${err.message}; raise --timeout or check \`hero-claude status\``;
  if (err instanceof HeroClaudeError) return err.message;
  if (err instanceof Error && err.name === "AbortError") return "interrupted";
  if (err instanceof Error) return `unexpected error: ${err.message} (--debug shows the stack)`;
  return `unexpected error: ${String(err)}`;
}

/** The details --debug adds: server data (issues, tool log) and the stack. */
export function debugDetails(err: unknown): string {
  const parts: string[] = [];
  if (err instanceof HeroClaudeError) {
    parts.push(`code: ${err.code}${err.method ? `, method: ${err.method}` : ""}`);
    if (err instanceof InvalidParamsError) {
      for (const i of err.issues) parts.push(`  ${i.path.join(".") || "(params)"}: ${i.message}`);
    }
    if (err instanceof OperationFailedError && err.log) parts.push(`tool output:\n${err.log}`);
    else if (err.data !== undefined) parts.push(`data: ${JSON.stringify(err.data, null, 2)}`);
  }
  if (err instanceof Error && err.stack) parts.push(err.stack);
  return parts.join("\n");
}

/** The error as JSON for --json output. */
export function errorJson(err: unknown): { error: { code: number | null; message: string; data?: unknown; exit: number } } {
  const exit = exitCodeOf(err);
  if (err instanceof HeroClaudeError) {
    return { error: { code: err.code || null, message: err.message, ...(err.data !== undefined ? { data: err.data } : {}), exit } };
  }
  return { error: { code: null, message: err instanceof Error ? err.message : String(err), exit } };
}
