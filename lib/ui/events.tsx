"use client";
/**
 * The live feed: one `EventSource` on `<prefix>/events` for the whole app, feeding SWR caches.
 * - `session`: the session's record in every cache that holds it (list, info); `destroyed` removes it;
 * - `transcript`: new events appended to the cached transcript (deduplicated by `seq`);
 * - `log` / `oplog`: handed to subscribers (the log viewer, the operation log), never cached whole;
 * - after a reconnect every cache is revalidated, so nothing missed while offline stays missing.
 */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { unstable_serialize, useSWRConfig, type Cache, type ScopedMutator } from "swr";
import type { LogEntry, Session } from "@/lib/api/schemas";
import type { TranscriptEvent } from "@/lib/agent/transcript";
import { useClient } from "./client";
import { keys, type SessionInfo, type SessionList, type Transcript } from "./hooks";

export type LiveStatus = "connecting" | "live" | "offline";

export interface LogChunk {
  session_id: string;
  kind: string;
  text: string;
}

type Listener<T> = (value: T) => void;

/** A tiny typed pub/sub for events that are not cached. */
class Bus {
  private readonly logs = new Set<Listener<LogChunk>>();
  private readonly oplog = new Set<Listener<LogEntry>>();
  private readonly sessions = new Set<Listener<Session | { id: string; state: "destroyed" }>>();
  onLog(fn: Listener<LogChunk>) {
    this.logs.add(fn);
    return () => void this.logs.delete(fn);
  }
  onOplog(fn: Listener<LogEntry>) {
    this.oplog.add(fn);
    return () => void this.oplog.delete(fn);
  }
  onSession(fn: Listener<Session | { id: string; state: "destroyed" }>) {
    this.sessions.add(fn);
    return () => void this.sessions.delete(fn);
  }
  emitLog(v: LogChunk) {
    for (const fn of this.logs) fn(v);
  }
  emitOplog(v: LogEntry) {
    for (const fn of this.oplog) fn(v);
  }
  emitSession(v: Session | { id: string; state: "destroyed" }) {
    for (const fn of this.sessions) fn(v);
  }
}

interface Live {
  status: LiveStatus;
  bus: Bus;
}

const LiveContext = createContext<Live>({ status: "connecting", bus: new Bus() });

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext).status;
}

/** Subscribe to appended session log text (`log` events) while mounted. */
export function useLogEvents(fn: Listener<LogChunk>): void {
  const { bus } = useContext(LiveContext);
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => bus.onLog((v) => ref.current(v)), [bus]);
}

/** Subscribe to new operation log entries while mounted. */
export function useOplogEvents(fn: Listener<LogEntry>): void {
  const { bus } = useContext(LiveContext);
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => bus.onOplog((v) => ref.current(v)), [bus]);
}

/** Subscribe to session changes while mounted (the caches are already updated when it runs). */
export function useSessionEvents(fn: Listener<Session | { id: string; state: "destroyed" }>): void {
  const { bus } = useContext(LiveContext);
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => bus.onSession((v) => ref.current(v)), [bus]);
}

/**
 * Whether `key` holds data. Live events only update loaded entries: a mutate while the first
 * fetch is in flight makes SWR discard that fetch's answer.
 */
function loaded(cache: Cache, key: readonly unknown[]): boolean {
  return cache.get(unstable_serialize(key))?.data !== undefined;
}

/** Put a changed session into every cache that holds it. */
export function applySession(mutate: ScopedMutator, cache: Cache, s: Session | { id: string; state: "destroyed" }): void {
  const gone = s.state === "destroyed";
  if (loaded(cache, keys.sessions())) void mutate<SessionList>(
    keys.sessions(),
    (list) => {
      if (!list) return list;
      const at = list.sessions.findIndex((x) => x.id === s.id);
      if (gone) {
        return at === -1 ? list : { sessions: list.sessions.filter((x) => x.id !== s.id), total: list.total - 1 };
      }
      const full = s as Session;
      if (at === -1) return { sessions: [full, ...list.sessions], total: list.total + 1 };
      const sessions = list.sessions.slice();
      sessions[at] = full;
      return { sessions, total: list.total };
    },
    { revalidate: false },
  );
  if (loaded(cache, keys.session(s.id))) void mutate<SessionInfo>(
    keys.session(s.id),
    (prev) => {
      if (gone) return prev ? { ...prev, state: "destroyed" } : prev;
      return { ...(s as Session), container: prev?.container ?? null };
    },
    { revalidate: false },
  );
}

function appendTranscript(mutate: ScopedMutator, cache: Cache, sessionId: string, events: TranscriptEvent[]): void {
  const key = keys.transcript(sessionId);
  if (!cache.get(unstable_serialize(key))) return; // nobody has asked for this transcript
  const prev = cache.get(unstable_serialize(key))?.data as Transcript | undefined;
  const last = prev?.events.length ? prev.events[prev.events.length - 1]!.seq : 0;
  const fresh = prev ? events.filter((e) => e.seq > last) : [];
  // Still loading, or a gap (seq is dense): the fetch may have missed these, so fetch again.
  if (!prev || (fresh.length > 0 && fresh[0]!.seq !== last + 1)) {
    void mutate(key);
    return;
  }
  if (fresh.length === 0) return;
  void mutate<Transcript>(key, { events: [...prev.events, ...fresh], next: fresh[fresh.length - 1]!.seq }, { revalidate: false });
}

export function LiveEvents({ children }: { children: ReactNode }) {
  const client = useClient();
  const { mutate, cache } = useSWRConfig();
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [bus] = useState(() => new Bus());

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let infoTimer: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    let wasOffline = false;
    let closed = false;

    // Counts in server.info follow session changes; refresh them at most once a second.
    const refreshInfo = () => {
      if (infoTimer) return;
      infoTimer = setTimeout(() => {
        infoTimer = undefined;
        void mutate(keys.serverInfo());
      }, 1000);
    };

    const parse = <T,>(e: Event): T | undefined => {
      try {
        return JSON.parse((e as MessageEvent<string>).data) as T;
      } catch {
        return undefined;
      }
    };

    const connect = () => {
      if (closed) return;
      source = new EventSource(client.url("/events"));
      source.onopen = () => {
        attempts = 0;
        setStatus("live");
        if (wasOffline) {
          wasOffline = false;
          void mutate(() => true); // catch up on whatever happened while disconnected
        }
      };
      source.onerror = () => {
        // EventSource retries by itself unless the server closed for good; we back off ourselves.
        setStatus("offline");
        wasOffline = true;
        source?.close();
        const delay = Math.min(15_000, 500 * 2 ** attempts++);
        retry = setTimeout(connect, delay);
      };
      source.addEventListener("session", (e) => {
        const s = parse<Session | { id: string; state: "destroyed" }>(e);
        if (!s) return;
        applySession(mutate, cache, s);
        refreshInfo();
        bus.emitSession(s);
      });
      source.addEventListener("transcript", (e) => {
        const t = parse<{ session_id: string; events: TranscriptEvent[] }>(e);
        if (t) appendTranscript(mutate, cache, t.session_id, t.events);
      });
      source.addEventListener("log", (e) => {
        const l = parse<LogChunk>(e);
        if (l) bus.emitLog(l);
      });
      source.addEventListener("oplog", (e) => {
        const l = parse<LogEntry>(e);
        if (l) bus.emitOplog(l);
      });
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(retry);
      clearTimeout(infoTimer);
      source?.close();
    };
  }, [client, mutate, cache, bus]);

  return <LiveContext.Provider value={{ status, bus }}>{children}</LiveContext.Provider>;
}
