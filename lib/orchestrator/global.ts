/**
 * The process-wide singletons on globalThis. Next.js bundles route handlers and server components
 * into a separate module graph, so a plain module-level singleton would be created twice.
 */
import type { Orchestrator } from "./index";

const ORCHESTRATOR = Symbol.for("hero_claude.orchestrator");
const API = Symbol.for("hero_claude.api");

/** Calls one registry method in-process, exactly as /rpc would (validation and errors included). */
export type ApiCall = (method: string, params?: unknown) => Promise<unknown>;

type Slots = { [ORCHESTRATOR]?: Orchestrator; [API]?: ApiCall };
const slots = globalThis as unknown as Slots;

export function setGlobals(orchestrator: Orchestrator, call: ApiCall): void {
  slots[ORCHESTRATOR] = orchestrator;
  slots[API] = call;
}

export function getOrchestrator(): Orchestrator {
  const o = slots[ORCHESTRATOR];
  if (!o) throw new Error("the orchestrator is not running in this process (start it with server.ts)");
  return o;
}

export function getApi(): ApiCall {
  const call = slots[API];
  if (!call) throw new Error("the API is not running in this process (start it with server.ts)");
  return call;
}
