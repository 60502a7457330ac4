/**
 * GET /events: live updates as Server-Sent Events.
 * - `?session_id=` narrows to one session; `?after=N` first replays its transcript after seq N;
 * - events: `session` (a Session changed, or `{id, state: "destroyed"}`), `transcript` (new events),
 *   `log` (lines appended to a session log: `{session_id, kind, text}`), `oplog` (operation log entries);
 * - a comment ping every 15 s keeps proxies from closing it; never compressed or buffered;
 * - the listener is removed when the client goes away, and every stream ends at shutdown.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { LogEntry } from "../api/schemas";
import type { Orchestrator } from "../orchestrator";
import { sendJson } from "./api";

const PING_MS = 15_000;

export function eventsRoute(orchestrator: Orchestrator) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "GET") {
      sendJson(res, 405, { error: "use GET /events" });
      return;
    }
    const url = new URL(req.url ?? "/", "http://x");
    const sessionId = url.searchParams.get("session_id") ?? undefined;
    const afterRaw = url.searchParams.get("after");
    if (sessionId !== undefined && !/^[0-9a-f]{8}$/.test(sessionId)) {
      sendJson(res, 400, { error: "session_id is 8 lowercase hex characters" });
      return;
    }
    if (sessionId && !orchestrator.store.has(sessionId)) {
      sendJson(res, 404, { error: `session not found: ${sessionId}` });
      return;
    }
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.flushHeaders();
    const send = (event: string, data: unknown) => {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const mine = (id: string | undefined) => !sessionId || id === sessionId;

    const onSession = (s: { id: string }) => mine(s.id) && send("session", s);
    // While the replay of `after` is read, live transcript events wait, so the client sees each seq once, in order.
    let replaying: { session_id: string; events: { seq: number }[] }[] | null = null;
    let lastSeq = 0;
    const sendTranscript = (t: { session_id: string; events: { seq: number }[] }) => {
      const events = t.events.filter((e) => e.seq > lastSeq);
      if (events.length === 0) return;
      lastSeq = events[events.length - 1]!.seq;
      send("transcript", { ...t, events });
    };
    const onTranscript = (t: { session_id: string; events: { seq: number }[] }) => {
      if (!mine(t.session_id)) return;
      if (replaying) replaying.push(t);
      else if (sessionId) sendTranscript(t);
      else send("transcript", t);
    };
    const onLog = (l: { session_id: string }) => mine(l.session_id) && send("log", l);
    const onOplog = (e: LogEntry) => mine(e.session_id) && send("oplog", e);
    const ping = setInterval(() => !res.writableEnded && res.write(`: ping\n\n`), PING_MS);
    const close = () => {
      clearInterval(ping);
      orchestrator.events.off("session", onSession);
      orchestrator.events.off("transcript", onTranscript);
      orchestrator.events.off("session_log", onLog);
      orchestrator.events.off("log", onOplog);
      orchestrator.events.off("shutdown", end);
    };
    const end = () => {
      close();
      res.end();
    };
    orchestrator.events.on("session", onSession);
    orchestrator.events.on("transcript", onTranscript);
    orchestrator.events.on("session_log", onLog);
    orchestrator.events.on("log", onOplog);
    orchestrator.events.on("shutdown", end);
    res.on("close", close);

    res.write(`: connected\n\n`);
    if (sessionId) {
      send("session", orchestrator.getSession(sessionId));
      if (afterRaw !== null && /^\d+$/.test(afterRaw)) {
        replaying = [];
        lastSeq = Number(afterRaw);
        void orchestrator
          .sessionTranscript(sessionId, lastSeq, 100_000)
          .then(({ events }) => sendTranscript({ session_id: sessionId, events }))
          .catch(() => {})
          .finally(() => {
            const waiting = replaying ?? [];
            replaying = null;
            for (const t of waiting) sendTranscript(t);
          });
      }
    }
  };
}
