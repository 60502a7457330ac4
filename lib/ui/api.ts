/**
 * The dashboard's one typed client for the JSON-RPC API (`POST <prefix>/rpc`).
 * - method names, params and results are typed from the registry (type-only imports: no server
 *   code reaches the browser bundle);
 * - a JSON-RPC error becomes an `RpcError` carrying the contract's code, message and data
 *   (`data.issues` for -32602, `data.log` for -32005); a transport failure is `RpcError` code 0;
 * - every URL the browser uses is built under the mount prefix (lib/ui/prefix.ts).
 */
import type { MethodName as RegistryMethod, ParamsOf as RegistryParams, ResultOf as RegistryResult } from "@/lib/api";
import type { Session } from "@/lib/api/schemas";
import { withPrefix } from "./prefix";

/** A changed file of `session.diff` (CONTRACT.md). */
export interface DiffFile {
  path: string;
  status: "added" | "modified" | "deleted" | "renamed";
  additions: number;
  deletions: number;
  old_path?: string;
  binary?: boolean;
}

/**
 * Methods of the contract that the registry may not declare yet, typed from CONTRACT.md. Once the
 * registry has a method, its own types win (see `ParamsOf`/`ResultOf` below) and this entry is inert.
 */
interface ContractOnly {
  "session.diff": {
    params: { session_id: string; repo?: string };
    result: { repos: { name: string; files: DiffFile[]; patch: string; truncated?: boolean }[] };
  };
  "session.finish": {
    params: { session_id: string; title?: string; body?: string; draft?: boolean };
    result: Session;
  };
}

export type MethodName = RegistryMethod | keyof ContractOnly;
export type ParamsOf<M extends MethodName> = M extends RegistryMethod
  ? RegistryParams<M>
  : M extends keyof ContractOnly
    ? ContractOnly[M]["params"]
    : never;
export type ResultOf<M extends MethodName> = M extends RegistryMethod
  ? RegistryResult<M>
  : M extends keyof ContractOnly
    ? ContractOnly[M]["result"]
    : never;

/** One zod issue as the server reports it in `data.issues`. */
export interface RpcIssue {
  path: (string | number)[];
  message: string;
  code?: string;
}

/** Codes of the contract (CONTRACT.md, "Errors"), for messages and decisions in the UI. */
export const RPC_ERRORS: Record<number, string> = {
  [-32700]: "parse error",
  [-32600]: "invalid request",
  [-32601]: "method not found",
  [-32602]: "invalid params",
  [-32603]: "internal error",
  [-32001]: "session not found",
  [-32002]: "not allowed in this state",
  [-32003]: "repository not found",
  [-32004]: "container runtime unavailable",
  [-32005]: "operation failed",
  [-32006]: "busy",
  0: "network error",
};

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    readonly method?: string,
  ) {
    super(message);
    this.name = "RpcError";
  }

  /** The zod issues of an invalid-params error (empty otherwise). */
  get issues(): RpcIssue[] {
    const issues = (this.data as { issues?: unknown } | undefined)?.issues;
    return Array.isArray(issues) ? (issues as RpcIssue[]) : [];
  }

  /** The tail of what rsync/git/docker/a forge said, for -32005. */
  get log(): string | undefined {
    const log = (this.data as { log?: unknown } | undefined)?.log;
    return typeof log === "string" && log.trim() ? log : undefined;
  }

  /** Whether retrying later can help (network, busy). */
  get transient(): boolean {
    return this.code === 0 || this.code === -32006;
  }
}

/** Params are optional exactly when every param is. */
type ParamsArg<M extends MethodName> = Record<string, never> extends ParamsOf<M> ? [params?: ParamsOf<M>] : [params: ParamsOf<M>];

export interface ApiClient {
  /** The mount prefix ("" at root). */
  readonly prefix: string;
  /** Call one method; resolves with its typed result or rejects with an RpcError. */
  call<M extends MethodName>(method: M, ...params: ParamsArg<M>): Promise<ResultOf<M>>;
  /** An app path (`/sessions/x`) as the browser must request it. */
  url(path: string): string;
}

let nextId = 1;

/** A client for the dashboard mounted at `prefix`. */
export function createClient(prefix: string, fetchImpl: typeof fetch = (...a) => fetch(...a)): ApiClient {
  const endpoint = withPrefix(prefix, "/rpc");
  return {
    prefix,
    url: (path) => withPrefix(prefix, path),
    async call(method, ...[params]) {
      const id = nextId++;
      let res: Response;
      try {
        res = await fetchImpl(endpoint, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id, method, params: params ?? {} }),
          cache: "no-store",
        });
      } catch (err) {
        throw new RpcError(0, `cannot reach the server: ${(err as Error).message}`, undefined, method);
      }
      let body: { result?: unknown; error?: { code: number; message: string; data?: unknown } };
      try {
        body = (await res.json()) as typeof body;
      } catch {
        throw new RpcError(0, `the server answered HTTP ${res.status} without a JSON-RPC body`, undefined, method);
      }
      if (body.error) throw new RpcError(body.error.code, body.error.message, body.error.data, method);
      if (!("result" in body)) throw new RpcError(-32603, "the server answered without a result", undefined, method);
      return body.result as ResultOf<typeof method>;
    },
  };
}

/** A readable one-line description of any error thrown by `call`. */
export function errorMessage(err: unknown): string {
  if (err instanceof RpcError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
