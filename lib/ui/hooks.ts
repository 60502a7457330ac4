"use client";
/**
 * Every piece of server data the dashboard shows, as SWR hooks over the typed client, with their
 * cache keys in one place (`keys`) so the live feed (events.tsx) and mutations update the same
 * entries. Components never fetch on their own.
 */
import { useCallback, useState } from "react";
import useSWR, { unstable_serialize, useSWRConfig, type SWRConfiguration, type SWRResponse } from "swr";
import type { Session } from "@/lib/api/schemas";
import { RpcError, type MethodName, type ParamsOf, type ResultOf } from "./api";
import { useClient } from "./client";

export type SessionList = { sessions: Session[]; total: number };
export type SessionInfo = ResultOf<"session.info">;
export type Transcript = ResultOf<"session.transcript">;
export type ServerInfo = ResultOf<"server.info">;
export type Diff = ResultOf<"session.diff">;
export type RepoList = ResultOf<"repo.list">;
export type RepoInfo = ResultOf<"repo.info">;
export type OpLogFilter = ParamsOf<"logs.get">;

/** Cache keys: `[method, params]` for plain calls, so the default fetcher can serve them. */
export const keys = {
  serverInfo: () => ["server.info", {}] as const,
  /** Not a method: useSessions() fetches every page of session.list for it. */
  sessions: () => ["sessions", "all"] as const,
  session: (id: string) => ["session.info", { session_id: id }] as const,
  transcript: (id: string) => ["session.transcript", { session_id: id }] as const,
  diff: (id: string) => ["session.diff", { session_id: id }] as const,
  repos: () => ["repo.list", {}] as const,
  repo: (name: string) => ["repo.info", { name }] as const,
  oplog: (f: OpLogFilter) => ["logs.get", f] as const,
  openrpc: () => ["rpc.discover", {}] as const,
};

/** Server status; refreshed every 15 s for the uptime and the engine's state. */
export function useServerInfo(): SWRResponse<ServerInfo, RpcError> {
  return useSWR(keys.serverInfo(), { refreshInterval: 15_000 });
}

const PAGE = 1000;

/** All sessions, newest first (fetched in pages of 1000), kept live by the event stream. */
export function useSessions(): SWRResponse<SessionList, RpcError> {
  const client = useClient();
  return useSWR(keys.sessions(), async () => {
    const first = await client.call("session.list", { limit: PAGE });
    const sessions = first.sessions.slice();
    while (sessions.length < first.total) {
      const next = await client.call("session.list", { limit: PAGE, offset: sessions.length });
      if (next.sessions.length === 0) break;
      sessions.push(...next.sessions);
    }
    return { sessions, total: Math.max(first.total, sessions.length) };
  });
}

/** One session with its container's status. */
export function useSession(id: string, config?: SWRConfiguration): SWRResponse<SessionInfo, RpcError> {
  return useSWR(keys.session(id), config);
}

/** The whole transcript (read in pages until no more come); new events arrive through the event stream. */
export function useTranscript(id: string): SWRResponse<Transcript, RpcError> {
  const client = useClient();
  return useSWR(
    keys.transcript(id),
    async () => {
      const events: Transcript["events"] = [];
      let after = 0;
      for (;;) {
        const page = await client.call("session.transcript", { session_id: id, after });
        if (page.events.length === 0) break;
        events.push(...page.events);
        after = page.next;
      }
      return { events, next: after };
    },
    { revalidateOnFocus: false },
  );
}

export function useDiff(id: string, enabled = true): SWRResponse<Diff, RpcError> {
  return useSWR(enabled ? keys.diff(id) : null, { revalidateOnFocus: false });
}

export function useRepos(): SWRResponse<RepoList, RpcError> {
  return useSWR(keys.repos());
}

export function useRepoInfo(name: string | null): SWRResponse<RepoInfo, RpcError> {
  return useSWR(name ? keys.repo(name) : null);
}

export function useOpLog(filter: OpLogFilter): SWRResponse<ResultOf<"logs.get">, RpcError> {
  return useSWR(keys.oplog(filter), { revalidateOnFocus: false });
}

/** The OpenRPC document (`rpc.discover`). */
export function useOpenRpc(): SWRResponse<OpenRpcDocument, RpcError> {
  return useSWR(keys.openrpc(), { revalidateOnFocus: false, revalidateIfStale: false });
}

export interface OpenRpcMethod {
  name: string;
  summary?: string;
  description?: string;
  params: { name: string; required?: boolean; schema: JsonSchema }[];
  result: { name: string; schema: JsonSchema };
  errors?: { code: number; message: string }[];
}
export interface OpenRpcDocument {
  openrpc: string;
  info: { title: string; version: string; description?: string };
  methods: OpenRpcMethod[];
}
export type JsonSchema = Record<string, unknown>;

export interface ActionState<T> {
  run: () => Promise<T | undefined>;
  pending: boolean;
  error: RpcError | null;
  reset: () => void;
}

/**
 * A mutation through `/rpc` with its own pending and error state, so the error is shown next to
 * the control that caused it. `onDone` updates caches with the result.
 */
export function useAction<M extends MethodName>(
  method: M,
  params: ParamsOf<M> | (() => ParamsOf<M>),
  onDone?: (result: ResultOf<M>) => void,
): ActionState<ResultOf<M>> {
  const client = useClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<RpcError | null>(null);
  const run = useCallback(async () => {
    setPending(true);
    setError(null);
    try {
      const p = typeof params === "function" ? (params as () => ParamsOf<M>)() : params;
      const result = await (client.call as (m: M, p: ParamsOf<M>) => Promise<ResultOf<M>>)(method, p);
      onDone?.(result);
      return result;
    } catch (err) {
      setError(err instanceof RpcError ? err : new RpcError(-32603, (err as Error).message));
      return undefined;
    } finally {
      setPending(false);
    }
  }, [client, method, params, onDone]);
  return { run, pending, error, reset: useCallback(() => setError(null), []) };
}

/** Store a Session a mutation returned in the caches (the event stream would, a moment later). */
export function useApplySession(): (s: Session) => void {
  const { mutate, cache } = useSWRConfig();
  return useCallback(
    (s: Session) => {
      void mutate<SessionInfo>(keys.session(s.id), (prev) => ({ ...s, container: prev?.container ?? null }), { revalidate: true });
      // Only a loaded list: a mutate during its first fetch would make SWR drop that fetch's answer.
      if (cache.get(unstable_serialize(keys.sessions()))?.data === undefined) return;
      void mutate<SessionList>(
        keys.sessions(),
        (list) => {
          if (!list) return list;
          const at = list.sessions.findIndex((x) => x.id === s.id);
          if (at === -1) return { sessions: [s, ...list.sessions], total: list.total + 1 };
          const sessions = list.sessions.slice();
          sessions[at] = s;
          return { ...list, sessions };
        },
        { revalidate: false },
      );
    },
    [mutate, cache],
  );
}
