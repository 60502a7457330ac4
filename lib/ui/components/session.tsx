"use client";
/** Session pieces shared by the overview and the session page: state badges, allowed calls, repo chips. */
import { ALLOWED_CALLS, type Session, type SessionCall, type SessionState } from "@/lib/api/schemas";
import { Badge, type Tone } from "./ui";

/** Whether the state machine allows `call` now; the server remains the judge (-32002), this only picks buttons. */
export function allows(state: SessionState, call: SessionCall): boolean {
  return ALLOWED_CALLS[state]?.includes(call) ?? false;
}

const STATE_TONE: Record<SessionState, Tone> = {
  created: "info",
  running: "ok",
  stopped: "neutral",
  completing: "violet",
  completed: "violet",
  failed: "danger",
  destroyed: "neutral",
};

export function StateBadge({ state }: { state: SessionState }) {
  return (
    <Badge tone={STATE_TONE[state]} dot pulse={state === "running" || state === "completing"}>
      <span data-testid="state-badge">{state}</span>
    </Badge>
  );
}

const AGENT_TONE: Record<Session["agent"]["state"], Tone> = {
  idle: "neutral",
  working: "accent",
  done: "ok",
  failed: "danger",
};

export function AgentBadge({ agent }: { agent: Session["agent"] }) {
  return (
    <Badge tone={AGENT_TONE[agent.state]} dot={agent.state === "working"} pulse={agent.state === "working"} title="agent state">
      {agent.state === "working" ? "working" : agent.state}
    </Badge>
  );
}

export function RepoChips({ repos, max = 3 }: { repos: string[]; max?: number }) {
  const shown = repos.slice(0, max);
  const more = repos.length - shown.length;
  return (
    <span className="inline-flex min-w-0 flex-wrap items-center gap-1">
      {shown.map((r) => (
        <span key={r} className="max-w-[12rem] truncate rounded border border-line bg-surface-2 px-1.5 font-mono text-[11px] leading-[18px] text-muted">
          {r}
        </span>
      ))}
      {more > 0 && <span className="text-[11px] text-faint" title={repos.slice(max).join(", ")}>+{more}</span>}
    </span>
  );
}
