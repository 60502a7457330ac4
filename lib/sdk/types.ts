/**
 * The SDK's types, all inferred from the method registry (type-only imports: nothing of the server
 * is bundled). A method added to the registry appears here, typed, with no edit in the SDK.
 */
import type { MethodName, ParamsOf, ResultOf } from "../api";

export type { MethodName, ParamsOf, ResultOf };

/** A session as `session.start`/`stop`/`create` return it. */
export type Session = ResultOf<"session.start">;
/** `session.info`: a Session plus its container's live status. */
export type SessionInfo = ResultOf<"session.info">;
export type SessionState = Session["state"];
export type AgentState = Session["agent"]["state"];
export type Repo = ResultOf<"repo.list">[number];
export type RepoInfo = ResultOf<"repo.info">;
export type TranscriptEvent = ResultOf<"session.transcript">["events"][number];
export type LogEntry = ResultOf<"logs.get">[number];
export type ServerInfo = ResultOf<"server.info">;

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call; 0 means none. */
  timeoutMs?: number;
}

/** The arguments of a method: params may be left out when every param is optional. */
export type ArgsOf<M extends MethodName> = {} extends ParamsOf<M>
  ? [params?: ParamsOf<M>, options?: CallOptions]
  : [params: ParamsOf<M>, options?: CallOptions];

export type MethodFn<M extends MethodName> = (...args: ArgsOf<M>) => Promise<ResultOf<M>>;

type NamespaceName<M> = M extends `${infer NS}.${string}` ? NS : never;

/** `client.session`, `client.repo`, …: one function per method of the namespace. */
export type NamespaceClient<NS extends string> = {
  [M in MethodName as M extends `${NS}.${infer F}` ? F : never]: MethodFn<M>;
};

export type Methods = { [NS in NamespaceName<MethodName>]: NamespaceClient<NS> };

/** `GET /health`. */
export interface Health {
  status: string;
  service: string;
  version: string;
  docker: boolean;
}
