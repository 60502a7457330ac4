/** Enforcing the session state machine (the table is ALLOWED_CALLS in lib/api/schemas.ts). */
import { ALLOWED_CALLS as ALLOWED, type SessionCall, type SessionState } from "../api/schemas";
import { InvalidState } from "../errors";

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

export type { SessionCall };
