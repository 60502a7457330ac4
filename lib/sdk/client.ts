/**
 * The typed client: `call(method, params)` plus `client.<namespace>.<method>(params)` for every
 * registry method (a Proxy at runtime, a mapped type at compile time), `watch()` over /events,
 * `health()` and `waitForAgent()`.
 */
import http from "node:http";
import { abortError, errorFromRpc, HeroClaudeError } from "./errors";
import { defaultSocketPath, describe, request, type Endpoint } from "./transport";
import type { CallOptions, ArgsOf, Health, MethodName, Methods, ResultOf, Session } from "./types";
import { Watch, type WatchEvent, type WatchOptions } from "./watch";

export interface ClientOptions {
  /** The server socket; default `$HERO_SOCKET_DIR/hero_claude_server.sock` (`~/hero/var/sockets`). */
  socketPath?: string;
  /** A TCP base URL instead of the socket, e.g. `http://127.0.0.1:8080` (a path prefix is kept). */
  url?: string;
  /** Default per-call timeout in ms (default 10 minutes: creating and finishing sessions copy and push). 0: none. */
  timeoutMs?: number;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Every event seen while waiting (to show the transcript live). */
  onEvent?: (event: WatchEvent) => void;
  /**
   * The call that makes the agent work (session.start, session.prompt). It runs once the event
   * stream is open, and the wait then ends only after the agent was seen working; when the call
   * answers with a Session whose agent is not working (nothing queued), that Session is returned.
   */
  trigger?: () => Promise<unknown>;
}

export interface HeroClaudeClient extends Methods {
  /** A typed call of a registry method. */
  call<M extends MethodName>(method: M, ...args: ArgsOf<M>): Promise<ResultOf<M>>;
  /** A call of a method this SDK does not know (yet): params and result untyped. */
  call<M extends string>(
    method: M extends MethodName ? never : M,
    params?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<unknown>;
  /** Live events (`session`, `transcript`, `log`, `oplog`), of one session or of all. */
  watch(sessionId?: string, options?: WatchOptions): Watch;
  /** `GET /health`. */
  health(options?: CallOptions): Promise<Health>;
  /**
   * Resolve with the Session once its agent is done or failed, or once the session can no longer
   * progress (stopped, failed, completed, destroyed: then `state` says so).
   */
  waitForAgent(sessionId: string, options?: WaitOptions): Promise<Session>;
  /** Where this client talks to (`unix:/path` or the URL). */
  readonly endpoint: string;
  /** Free idle connections (a script may also just exit). */
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

function isSession(v: unknown): v is Session {
  return typeof v === "object" && v !== null && "agent" in v && "state" in v && "id" in v;
}
const CLIENT_KEYS = new Set(["call", "watch", "health", "waitForAgent", "endpoint", "close", "then"]);

/** Create a client; nothing connects until the first call. */
export function createClient(options: ClientOptions = {}): HeroClaudeClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const ep: Endpoint = options.url
    ? { url: new URL(options.url), agent }
    : { socketPath: options.socketPath ?? defaultSocketPath(), agent };
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let nextId = 1;

  async function call(method: string, params?: unknown, opts: CallOptions = {}): Promise<unknown> {
    const id = nextId++;
    const body = JSON.stringify(params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params });
    const answer = await request(ep, {
      method: "POST",
      path: "/rpc",
      body,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs ?? defaultTimeout,
    });
    let msg: { result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } };
    try {
      msg = JSON.parse(answer.body);
    } catch {
      throw new HeroClaudeError(
        `${method}: ${describe(ep)} answered HTTP ${answer.status} with no JSON-RPC body (is it hero_claude?)`,
        0,
        { status: answer.status, body: answer.body.slice(0, 500) },
        method,
      );
    }
    if (msg.error) throw errorFromRpc(msg.error, method);
    if (!("result" in msg)) throw new HeroClaudeError(`${method}: the answer has neither result nor error`, 0, msg, method);
    return msg.result;
  }

  async function health(opts: CallOptions = {}): Promise<Health> {
    const answer = await request(ep, { method: "GET", path: "/health", signal: opts.signal, timeoutMs: opts.timeoutMs ?? 10_000 });
    try {
      if (answer.status === 200) return JSON.parse(answer.body) as Health;
    } catch {
      // fall through
    }
    throw new HeroClaudeError(`GET /health on ${describe(ep)} answered HTTP ${answer.status}`, 0, { status: answer.status });
  }

  function watch(sessionId?: string, opts?: WatchOptions): Watch {
    return new Watch(ep, sessionId, opts);
  }

  async function waitForAgent(sessionId: string, opts: WaitOptions = {}): Promise<Session> {
    const w = watch(sessionId, { signal: opts.signal });
    try {
      await w.ready;
      let sawWorking = !opts.trigger;
      // Queued events may be older than the session.info below: each one can prove the agent
      // worked, but only the newest state (by updated_at) decides whether the wait is over.
      const verdict = (s: Session): Session | undefined => {
        if (sawWorking && (s.agent.state === "done" || s.agent.state === "failed")) return s;
        if (s.state === "stopped" || s.state === "failed" || s.state === "completed" || s.state === "destroyed") return s;
        return undefined;
      };
      if (opts.trigger) {
        const r = await opts.trigger();
        // The call answers with the Session as it left it: an agent not working has nothing to do.
        if (isSession(r) && r.agent.state !== "working") return r;
      }
      let last = (await call("session.info", { session_id: sessionId }, { signal: opts.signal })) as Session;
      if (last.agent.state === "working") sawWorking = true;
      const now = verdict(last);
      if (now) return now;
      for await (const ev of w) {
        opts.onEvent?.(ev);
        if (ev.event !== "session") continue;
        if (!("name" in ev.data)) return { ...last, state: "destroyed" };
        if (ev.data.agent.state === "working") sawWorking = true;
        if (ev.data.updated_at >= last.updated_at) last = ev.data;
        const v = verdict(last);
        if (v) return v;
      }
      if (opts.signal?.aborted) throw abortError(opts.signal);
      throw new HeroClaudeError(`the event stream of session ${sessionId} ended before the agent finished (did the server stop?)`);
    } finally {
      w.close();
    }
  }

  const base = {
    call,
    watch,
    health,
    waitForAgent,
    endpoint: describe(ep),
    close: () => agent.destroy(),
  };
  const namespaces = new Map<string, object>();
  return new Proxy(base, {
    get(target, prop, receiver) {
      if (typeof prop !== "string" || CLIENT_KEYS.has(prop)) return Reflect.get(target, prop, receiver);
      let ns = namespaces.get(prop);
      if (!ns) {
        const prefix = prop;
        ns = new Proxy(
          {},
          {
            get: (_t, fn) =>
              typeof fn === "string" && fn !== "then"
                ? (params?: unknown, opts?: CallOptions) => call(`${prefix}.${fn}`, params, opts)
                : undefined,
          },
        );
        namespaces.set(prop, ns);
      }
      return ns;
    },
  }) as unknown as HeroClaudeClient;
}
