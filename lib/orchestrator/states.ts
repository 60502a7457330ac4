/** The session state machine of the contract, in one place: which call is allowed in which state. */
import type { SessionState } from "../api/schemas";
import { InvalidState } from "../errors";

export type SessionCall = "start" | "stop" | "prompt" | "finish" | "destroy" | "sync" | "exec" | "diff";

const ALLOWED: Record<SessionState, readonly SessionCall[]> = {
  created: ["start", "destroy", "sync", "diff"],
  running: ["stop", "prompt", "finish", "destroy", "sync", "exec", "diff"],
  stopped: ["start", "destroy", "sync", "diff", "finish"],
  completing: [],
  completed: ["destroy", "diff"],
  failed: ["start", "finish", "destroy", "diff", "sync"],
  destroyed: [],
};

export function allowedCalls(state: SessionState): readonly SessionCall[] {
  return ALLOWED[state];
}

/** Throw -32002 naming the state and the calls allowed in it. */
export function assertAllowed(id: string, state: SessionState, call: SessionCall): void {
  if (ALLOWED[state].includes(call)) return;
  const allowed = ALLOWED[state];
  throw new InvalidState(
    `session ${id} is ${state}: session.${call} is not allowed` +
      (allowed.length ? ` (allowed: ${allowed.map((c) => `session.${c}`).join(", ")})` : " (no call is allowed now)"),
    { session_id: id, state, allowed: allowed.map((c) => `session.${c}`) },
  );
}
