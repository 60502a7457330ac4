/**
 * `GET /events` as an async iterator.
 * - connecting starts at once; `ready` resolves when the server accepted the stream (listeners are
 *   in place from then on, so nothing that happens afterwards is missed);
 * - events arrive typed (`session`, `transcript`, `log`, `oplog`); comments and pings are skipped,
 *   unknown event names are skipped too (a newer server may add some);
 * - `close()`, `break` in a for-await loop, or the signal end the stream quietly; a server that goes
 *   away ends it too (no reconnect: the caller decides).
 */
import type http from "node:http";
import { errorFromRpc, HeroClaudeError, InvalidParamsError, SessionNotFoundError } from "./errors";
import { SseParser } from "./sse";
import { describe, open, type Endpoint } from "./transport";
import type { LogEntry, Session, TranscriptEvent } from "./types";

/** What a `session` event carries: the Session as it now is, or a tombstone once destroyed. */
export type SessionUpdate = Session | { id: string; state: "destroyed" };

export type WatchEvent =
  | { event: "session"; data: SessionUpdate }
  | { event: "transcript"; data: { session_id: string; events: TranscriptEvent[] } }
  | { event: "log"; data: { session_id: string; kind: string; text: string } }
  | { event: "oplog"; data: LogEntry };

export interface WatchOptions {
  /** Replay the session's transcript after this seq first (the server sends it as one `transcript` event). */
  after?: number;
  signal?: AbortSignal;
  /** How long connecting may take; default 30 s. The stream itself has no timeout. */
  connectTimeoutMs?: number;
}

const KNOWN = new Set(["session", "transcript", "log", "oplog"]);

export class Watch implements AsyncIterableIterator<WatchEvent> {
  /** Resolves once the server accepted the stream; rejects like a call would (e.g. SessionNotFoundError). */
  readonly ready: Promise<void>;
  private readonly queue: WatchEvent[] = [];
  private waiting: { resolve: (r: IteratorResult<WatchEvent>) => void; reject: (e: unknown) => void } | null = null;
  private error: unknown = null;
  private ended = false;
  private req: http.ClientRequest | null = null;
  private res: http.IncomingMessage | null = null;
  private readonly parser = new SseParser();
  private readonly onAbort = () => this.close();

  constructor(
    private readonly ep: Endpoint,
    sessionId: string | undefined,
    private readonly options: WatchOptions = {},
  ) {
    const q = new URLSearchParams();
    if (sessionId !== undefined) q.set("session_id", sessionId);
    if (options.after !== undefined) q.set("after", String(options.after));
    const query = q.toString();
    this.ready = this.connect(`/events${query ? `?${query}` : ""}`, sessionId);
    this.ready.catch(() => {}); // the error also reaches next(); nobody has to await `ready`
  }

  private async connect(urlPath: string, sessionId: string | undefined): Promise<void> {
    const { signal } = this.options;
    try {
      const { req, res } = await open(this.ep, {
        method: "GET",
        path: urlPath,
        accept: "text/event-stream",
        signal,
        timeoutMs: this.options.connectTimeoutMs ?? 30_000,
      });
      this.req = req;
      this.res = res;
      if (res.statusCode !== 200) {
        const body = await readAll(res);
        throw httpError(res.statusCode ?? 0, body, sessionId, describe(this.ep));
      }
      if (this.ended) {
        req.destroy();
        return;
      }
      signal?.addEventListener("abort", this.onAbort, { once: true });
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        for (const m of this.parser.push(chunk)) {
          if (!KNOWN.has(m.event)) continue;
          try {
            this.push({ event: m.event, data: JSON.parse(m.data) } as WatchEvent);
          } catch {
            // a malformed event is dropped; the stream goes on
          }
        }
      });
      res.on("end", () => this.finish());
      res.on("close", () => this.finish());
      res.on("error", () => this.finish());
    } catch (err) {
      if (signal?.aborted || this.ended) {
        this.finish();
        return;
      }
      this.fail(err);
      throw err;
    }
  }

  private push(ev: WatchEvent): void {
    if (this.ended) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ value: ev, done: false });
    } else {
      this.queue.push(ev);
    }
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ value: undefined, done: true });
    }
  }

  private fail(err: unknown): void {
    this.error = err;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      this.ended = true;
      w.reject(err);
    }
  }

  next(): Promise<IteratorResult<WatchEvent>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.error) {
      const err = this.error;
      this.error = null;
      this.ended = true;
      return Promise.reject(err);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<WatchEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Stop watching; the iterator ends after the events already received. */
  close(): void {
    this.req?.destroy();
    this.res?.destroy();
    this.finish();
  }
}

function readAll(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

/** A refused /events request as the typed error a call would give. */
function httpError(status: number, body: string, sessionId: string | undefined, where: string): HeroClaudeError {
  let message = body.trim() || `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === "string") message = parsed.error;
    else if (parsed.error && typeof parsed.error === "object") return errorFromRpc(parsed.error, "events");
  } catch {
    // not JSON: keep the text
  }
  if (status === 404 && sessionId !== undefined) return new SessionNotFoundError(message, -32001, { session_id: sessionId }, "events");
  if (status === 400) return new InvalidParamsError(message, -32602, { issues: [{ path: ["session_id"], message }] }, "events");
  return new HeroClaudeError(`GET /events on ${where} answered HTTP ${status}: ${message}`, 0, { status }, "events");
}
