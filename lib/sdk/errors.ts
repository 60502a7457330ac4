/**
 * Typed errors of the SDK. Every JSON-RPC error code of the contract has its own class, so callers
 * write `catch (e) { if (e instanceof SessionNotFoundError) ... }` instead of comparing numbers.
 * Errors with no JSON-RPC answer behind them (connection refused, timeout) carry code 0.
 */

/** Base class of every error the SDK throws (except an AbortError when the caller aborts). */
export class HeroClaudeError extends Error {
  /** The JSON-RPC error code, or 0 when the server gave no JSON-RPC answer (connection, timeout, HTTP). */
  readonly code: number;
  /** The JSON-RPC error's `data`, as the server sent it. */
  readonly data: unknown;
  /** The method called, when the error answers a call. */
  readonly method: string | undefined;

  constructor(message: string, code = 0, data?: unknown, method?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.data = data;
    this.method = method;
  }
}

/** -32700: the server could not parse the request (a bug in the client, or a proxy in the way). */
export class ParseError extends HeroClaudeError {}
/** -32600: not a valid JSON-RPC request. */
export class InvalidRequestError extends HeroClaudeError {}
/** -32601: the server has no such method (an older server, or a typo in a generic `call`). */
export class MethodNotFoundError extends HeroClaudeError {}

/** One zod issue of a -32602 answer: where (`path`) and what (`message`). */
export interface ParamIssue {
  path: (string | number)[];
  message: string;
  code?: string;
}

/** -32602: params rejected by the method's schema; `issues` lists each problem with its path. */
export class InvalidParamsError extends HeroClaudeError {
  get issues(): ParamIssue[] {
    const d = this.data as { issues?: ParamIssue[] } | undefined;
    return Array.isArray(d?.issues) ? d.issues : [];
  }
}
/** -32603: the server failed unexpectedly. */
export class InternalError extends HeroClaudeError {}
/** -32001: no session with that id. */
export class SessionNotFoundError extends HeroClaudeError {}
/** -32002: the call is not allowed in the session's current state (the message names both). */
export class InvalidStateError extends HeroClaudeError {}
/** -32003: no repository by that name under CODEROOT. */
export class RepoNotFoundError extends HeroClaudeError {}
/** -32004: the container runtime (Docker, nerdctl) is not reachable. */
export class RuntimeUnavailableError extends HeroClaudeError {}
/** -32005: an external tool failed; `log` holds the tail of what rsync/git/docker/the forge said. */
export class OperationFailedError extends HeroClaudeError {
  get log(): string {
    const d = this.data as { log?: unknown } | undefined;
    return typeof d?.log === "string" ? d.log : "";
  }
}
/** -32006: another operation holds the session; retry shortly. */
export class BusyError extends HeroClaudeError {}

/** The server could not be reached (no socket, connection refused, reset). */
export class ConnectionError extends HeroClaudeError {}
/** No answer within the call's timeout. */
export class TimeoutError extends HeroClaudeError {}

const BY_CODE: Record<number, typeof HeroClaudeError> = {
  [-32700]: ParseError,
  [-32600]: InvalidRequestError,
  [-32601]: MethodNotFoundError,
  [-32602]: InvalidParamsError,
  [-32603]: InternalError,
  [-32001]: SessionNotFoundError,
  [-32002]: InvalidStateError,
  [-32003]: RepoNotFoundError,
  [-32004]: RuntimeUnavailableError,
  [-32005]: OperationFailedError,
  [-32006]: BusyError,
};

/** The typed error for a JSON-RPC error object. */
export function errorFromRpc(error: { code?: unknown; message?: unknown; data?: unknown }, method?: string): HeroClaudeError {
  const code = typeof error.code === "number" ? error.code : -32603;
  const message = typeof error.message === "string" && error.message ? error.message : `JSON-RPC error ${code}`;
  const Cls = BY_CODE[code] ?? HeroClaudeError;
  return new Cls(message, code, error.data, method);
}

/** The error a caller's abort rejects with: the signal's reason when it is an Error, else an AbortError. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(typeof reason === "string" ? reason : "the operation was aborted", "AbortError");
}
