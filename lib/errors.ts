/** Typed application errors; each carries its JSON-RPC code and is mapped once, at the edge. */
export class AppError extends Error {
  readonly code: number = -32603;
  constructor(
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidParams extends AppError {
  override readonly code = -32602;
}
export class SessionNotFound extends AppError {
  override readonly code = -32001;
  constructor(id: string) {
    super(`session not found: ${id}`, { session_id: id });
  }
}
export class InvalidState extends AppError {
  override readonly code = -32002;
}
export class RepoNotFound extends AppError {
  override readonly code = -32003;
  constructor(name: string, why = "no git work tree by that name under CODEROOT") {
    super(`repository not found: ${name} (${why})`, { name });
  }
}
export class RuntimeUnavailable extends AppError {
  override readonly code = -32004;
}
/** An external tool (rsync, git, docker, a forge) failed; `data.log` holds the tail of what it said. */
export class OperationFailed extends AppError {
  override readonly code = -32005;
  constructor(message: string, log: string | string[] = [], extra: Record<string, unknown> = {}) {
    const lines = Array.isArray(log) ? log : log.split("\n");
    super(message, { ...extra, log: lines.filter((l) => l.length > 0).slice(-40).join("\n") });
  }
}
export class Busy extends AppError {
  override readonly code = -32006;
}
export class MethodNotFound extends AppError {
  override readonly code = -32601;
  constructor(method: string) {
    super(`method not found: ${method}`);
  }
}
