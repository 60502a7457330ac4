"use client";
/**
 * The transcript as a conversation: prompts, the agent's Markdown, each tool call collapsible with
 * its input and result, run summaries; live through the event stream; a box for follow-ups.
 */
import { memo, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import type { Session } from "@/lib/api/schemas";
import type { TranscriptEvent } from "@/lib/agent/transcript";
import { highlight, languageForPath } from "../../components/highlight";
import { IconAlert, IconArrowDown, IconCheck, IconChevronRight, IconInfo, IconSend, IconSpark, IconUser, IconWrench, IconX } from "../../components/icons";
import { MarkdownText } from "../../components/markdown";
import { allows } from "../../components/session";
import { Ago, Badge, Button, Card, cx, EmptyState, ErrorBox, Kbd, Skeleton, Spinner, Textarea, useNow } from "../../components/ui";
import { count, duration, timeOfDay, usd } from "../../format";
import { useAction, useApplySession, useTranscript } from "../../hooks";

type Ev<T extends TranscriptEvent["type"]> = Extract<TranscriptEvent, { type: T }>;

function Stats({ s, model }: { s: Session; model?: string }) {
  const a = s.agent;
  const item = (label: string, value: ReactNode, testId?: string) => (
    <div className="flex items-baseline gap-1.5" data-testid={testId}>
      <span className="text-muted">{label}</span>
      <span className="font-medium tabular">{value}</span>
    </div>
  );
  return (
    <div className="flex flex-wrap items-center gap-x-5 gap-y-1 text-xs" data-testid="transcript-stats">
      {item("Turns", a.turns, "stat-turns")}
      {item("Cost", usd(a.cost_usd), "stat-cost")}
      {item("Tokens", `${count(a.input_tokens)} in · ${count(a.output_tokens)} out`)}
      {model && item("Model", <span className="font-mono">{model}</span>)}
    </div>
  );
}

function clip(text: string, max: number): [string, boolean] {
  return text.length > max ? [text.slice(0, max), true] : [text, false];
}

function Pre({ text, lang, max = 6000 }: { text: string; lang?: string; max?: number }) {
  const [all, setAll] = useState(false);
  const [shown, cut] = all ? [text, false] : clip(text, max);
  const html = useMemo(() => highlight(shown, lang), [shown, lang]);
  return (
    <div>
      <pre className="max-h-[28rem] overflow-auto rounded-md border border-line bg-surface-2 p-2.5 font-mono text-[12px] leading-[1.55] whitespace-pre-wrap break-words">
        <code dangerouslySetInnerHTML={{ __html: html }} />
      </pre>
      {cut && (
        <button type="button" className="mt-1 text-xs text-accent underline" onClick={() => setAll(true)}>
          Show all {count(text.length)} characters
        </button>
      )}
    </div>
  );
}

/** One line that says what a tool call does, from its usual inputs. */
function toolSummary(name: string, input: unknown): string {
  const i = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
  const pick = (...ks: string[]) => ks.map((k) => i[k]).find((v) => typeof v === "string" && v) as string | undefined;
  const s = pick("command", "file_path", "path", "pattern", "url", "query", "description", "prompt", "notebook_path") ?? "";
  const short = s.replace(/^\/workspace\/code\//, "").split("\n")[0] ?? "";
  return name === "Bash" ? `$ ${short}` : short;
}

function ToolInput({ name, input }: { name: string; input: unknown }) {
  const i = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
  if (name === "Bash" && typeof i.command === "string") return <Pre text={i.command} lang="bash" />;
  if (name === "Write" && typeof i.content === "string" && typeof i.file_path === "string") {
    return (
      <div className="space-y-1">
        <div className="font-mono text-xs text-muted">{i.file_path}</div>
        <Pre text={i.content} lang={languageForPath(i.file_path)} />
      </div>
    );
  }
  if (name === "Edit" && typeof i.old_string === "string" && typeof i.new_string === "string") {
    const lang = typeof i.file_path === "string" ? languageForPath(i.file_path) : undefined;
    return (
      <div className="space-y-1">
        {typeof i.file_path === "string" && <div className="font-mono text-xs text-muted">{i.file_path}</div>}
        <div className="overflow-hidden rounded-md border border-line font-mono text-[12px] leading-[1.55]">
          <pre className="overflow-x-auto bg-diff-del px-2.5 py-1.5 whitespace-pre-wrap">
            <code dangerouslySetInnerHTML={{ __html: highlight(i.old_string, lang) }} />
          </pre>
          <pre className="overflow-x-auto border-t border-line bg-diff-add px-2.5 py-1.5 whitespace-pre-wrap">
            <code dangerouslySetInnerHTML={{ __html: highlight(i.new_string, lang) }} />
          </pre>
        </div>
      </div>
    );
  }
  return <Pre text={JSON.stringify(input, null, 2)} lang="json" />;
}

/** How long the agent may say nothing before the transcript points at where to look. */
const QUIET_MS = 5 * 60_000;

/** "Claude is working…", with the time of its last output, and a hint once it has been quiet long. */
function WorkingLine({ since }: { since: string | undefined }) {
  const now = useNow();
  const quiet = !!since && now > 0 && now - Date.parse(since) > QUIET_MS;
  return (
    <div className={cx("flex flex-wrap items-center gap-x-2 gap-y-1 pl-10 text-xs", quiet ? "text-warn" : "text-muted")} data-testid="agent-working">
      <Spinner size={12} /> Claude is working…
      {since && (
        <span>
          last output <Ago iso={since} />
        </span>
      )}
      {quiet && <span data-testid="agent-quiet">· nothing new for a while: a long-running tool, or a stalled API call (the claude log under Logs has its stderr)</span>}
    </div>
  );
}

const ToolCall = memo(function ToolCall({ use, result, working }: { use: Ev<"tool_use">; result?: Ev<"tool_result">; working: boolean }) {
  const summary = toolSummary(use.name, use.input);
  const status = result ? (result.is_error ? "error" : "ok") : working ? "running" : "none";
  return (
    <details className="group rounded-lg border border-line bg-surface shadow-card" data-testid="tool-call">
      <summary className="flex min-h-9 cursor-pointer list-none items-center gap-2 px-3 py-1.5 select-none">
        <IconChevronRight size={13} className="shrink-0 text-faint transition-transform group-open:rotate-90" />
        <IconWrench size={13} className="shrink-0 text-muted" />
        <span className="shrink-0 font-mono text-[12.5px] font-semibold">{use.name}</span>
        <span className="min-w-0 flex-1 truncate font-mono text-xs text-muted" title={summary}>
          {summary}
        </span>
        {status === "ok" && <IconCheck size={14} className="shrink-0 text-ok" aria-label="succeeded" />}
        {status === "error" && <IconX size={14} className="shrink-0 text-danger" aria-label="failed" />}
        {status === "running" && <Spinner size={13} className="shrink-0 text-muted" />}
      </summary>
      <div className="space-y-3 border-t border-line px-3 py-3">
        <div>
          <div className="mb-1 text-[11px] font-medium tracking-wide text-faint uppercase">Input</div>
          <ToolInput name={use.name} input={use.input} />
        </div>
        {result && (
          <div>
            <div className={cx("mb-1 text-[11px] font-medium tracking-wide uppercase", result.is_error ? "text-danger" : "text-faint")}>
              {result.is_error ? "Error" : "Result"}
            </div>
            {result.content ? <Pre text={result.content} /> : <div className="text-xs text-muted">(no output)</div>}
          </div>
        )}
      </div>
    </details>
  );
});

function Row({ icon, children, className }: { icon?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <div className={cx("flex gap-3", className)}>
      <div className="flex w-7 shrink-0 justify-center pt-0.5">{icon}</div>
      <div className="min-w-0 flex-1">{children}</div>
    </div>
  );
}

const Avatar = ({ children, tone }: { children: ReactNode; tone: "user" | "agent" }) => (
  <span className={cx("flex size-7 items-center justify-center rounded-full", tone === "user" ? "bg-surface-3 text-muted" : "bg-accent text-accent-fg")}>{children}</span>
);

const Event = memo(function Event({
  e,
  results,
  first,
  working,
}: {
  e: TranscriptEvent;
  results: Map<string, Ev<"tool_result">>;
  first: boolean;
  working: boolean;
}) {
  const sub = "parent_tool_use_id" in e && e.parent_tool_use_id ? "ml-10 border-l-2 border-line pl-3" : "";
  switch (e.type) {
    case "user_prompt":
      return (
        <Row icon={<Avatar tone="user"><IconUser size={14} /></Avatar>} className="pt-2">
          <div className="mb-1 flex items-center gap-2 text-xs text-muted">
            <span className="font-medium text-fg">{first ? "Task" : "Follow-up"}</span>
            <span className="tabular">{timeOfDay(e.ts)}</span>
          </div>
          <div className="rounded-lg border border-line bg-surface-2 px-3.5 py-2.5 whitespace-pre-wrap break-words" data-testid="user-prompt">
            {e.text}
          </div>
        </Row>
      );
    case "assistant_text":
      return (
        <Row icon={<Avatar tone="agent"><IconSpark size={14} /></Avatar>} className={cx("pt-1", sub)}>
          <div className="pt-0.5" data-testid="assistant-text">
            <MarkdownText text={e.text} />
          </div>
        </Row>
      );
    case "tool_use":
      return (
        <Row className={sub}>
          <ToolCall use={e} result={results.get(e.id)} working={working} />
        </Row>
      );
    case "tool_result":
      // Shown inside its tool call; only an orphan (its call not in view) gets a row.
      return (
        <Row className={sub}>
          <div className="rounded-lg border border-line px-3 py-2 text-xs">
            <div className="mb-1 text-muted">Tool result</div>
            <Pre text={e.content} />
          </div>
        </Row>
      );
    case "system":
      return (
        <div className="flex items-center gap-3 py-1 text-[11.5px] text-faint">
          <span className="h-px flex-1 bg-line" />
          <span className="inline-flex items-center gap-1.5">
            <IconInfo size={12} />
            Claude Code{e.claude_code_version ? ` ${e.claude_code_version}` : ""} · <span className="font-mono">{e.model || "model ?"}</span> · {e.tools.length} tools
            {e.mcp_servers.length > 0 && <> · MCP {e.mcp_servers.map((m) => `${m.name} (${m.status})`).join(", ")}</>}
          </span>
          <span className="h-px flex-1 bg-line" />
        </div>
      );
    case "result":
      return (
        <div className={cx("flex items-center gap-3 py-1 text-[11.5px]", e.is_error ? "text-danger" : "text-muted")} data-testid="run-result">
          <span className="h-px flex-1 bg-line" />
          <span className="inline-flex flex-wrap items-center justify-center gap-x-1.5">
            {e.is_error ? <IconAlert size={12} /> : <IconCheck size={12} className="text-ok" />}
            {e.is_error ? `Run failed (${e.subtype})` : "Run complete"} · {e.num_turns} turns · {usd(e.total_cost_usd)} total · {duration(e.duration_ms)} ·{" "}
            {count(e.usage.input_tokens)} in / {count(e.usage.output_tokens)} out
          </span>
          <span className="h-px flex-1 bg-line" />
        </div>
      );
    case "error":
      return (
        <Row icon={<IconAlert size={16} className="mt-1 text-danger" />}>
          <div className="rounded-lg border border-danger/30 bg-danger-soft px-3 py-2 text-[13px]" data-testid="transcript-error">
            {e.message}
            {e.api_error_status ? <span className="ml-2 font-mono text-xs text-muted">HTTP {e.api_error_status}</span> : null}
            {e.raw && <pre className="mt-1 overflow-x-auto font-mono text-[11px] text-muted">{e.raw}</pre>}
          </div>
        </Row>
      );
    case "unknown":
      return (
        <Row>
          <details className="rounded-lg border border-dashed border-line px-3 py-1.5 text-xs text-muted">
            <summary className="cursor-pointer select-none">Other event</summary>
            <Pre text={JSON.stringify(e.raw, null, 2)} lang="json" max={3000} />
          </details>
        </Row>
      );
  }
});

function Composer({ s }: { s: Session }) {
  const applySession = useApplySession();
  const [message, setMessage] = useState("");
  const enabled = allows(s.state, "prompt");
  const send = useAction("session.prompt", () => ({ session_id: s.id, message }), (r) => {
    applySession(r);
    setMessage("");
  });
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && (e.metaKey || e.ctrlKey) && message.trim()) {
      e.preventDefault();
      void send.run();
    }
  };
  return (
    <div className="border-t border-line bg-surface-2/40 p-3">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (message.trim()) void send.run();
        }}
        className="flex items-end gap-2"
      >
        <Textarea
          rows={2}
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          onKeyDown={onKey}
          disabled={!enabled || send.pending}
          aria-label="Follow-up message"
          placeholder={enabled ? (s.agent.state === "working" ? "Queue a follow-up; it runs when the agent finishes this turn…" : "Send the agent a follow-up…") : "Start the session to send a follow-up."}
          className="min-h-[52px] resize-none bg-surface"
          data-testid="prompt-input"
        />
        <Button type="submit" variant="primary" icon={<IconSend size={13} />} loading={send.pending} disabled={!enabled || !message.trim()} className="h-[52px]" data-testid="prompt-send">
          Send
        </Button>
      </form>
      <div className="mt-1.5 flex min-h-4 items-center justify-between text-[11px] text-muted">
        <span>
          <Kbd>Ctrl</Kbd> + <Kbd>Enter</Kbd> to send
        </span>
        {send.error && <span className="text-danger" role="alert">{send.error.message}</span>}
      </div>
    </div>
  );
}

export function TranscriptTab({ s }: { s: Session }) {
  const { data, error, mutate } = useTranscript(s.id);
  const scroller = useRef<HTMLDivElement>(null);
  const [stuck, setStuck] = useState(true);
  const events = useMemo(() => data?.events ?? [], [data]);

  const { results, attached, model, firstPrompt } = useMemo(() => {
    const results = new Map<string, Ev<"tool_result">>();
    const uses = new Set<string>();
    let model: string | undefined;
    let firstPrompt = -1;
    for (const e of events) {
      if (e.type === "tool_use") uses.add(e.id);
      if (e.type === "tool_result" && uses.has(e.tool_use_id)) results.set(e.tool_use_id, e);
      if (e.type === "system" && e.model) model = e.model;
      if (e.type === "user_prompt" && firstPrompt === -1) firstPrompt = e.seq;
    }
    return { results, attached: new Set([...results.values()].map((r) => r.seq)), model, firstPrompt };
  }, [events]);

  // Stay at the bottom while new events arrive, unless the reader scrolled up.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stuck) el.scrollTop = el.scrollHeight;
  }, [events.length, stuck, s.agent.state]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 40;
    if (atBottom !== stuck) setStuck(atBottom);
  };

  const working = s.agent.state === "working";
  return (
    <Card className="flex flex-col overflow-hidden">
      <div className="flex h-11 items-center justify-between gap-4 border-b border-line px-4">
        <Stats s={s} model={model} />
        {working && (
          <Badge tone="accent" dot pulse>
            agent working
          </Badge>
        )}
      </div>
      <div className="relative">
        <div ref={scroller} onScroll={onScroll} className="h-[calc(100vh-390px)] min-h-[360px] overflow-y-auto px-4 py-4" data-testid="transcript">
          {error && !data && <ErrorBox error={error} title="The transcript could not be loaded" onRetry={() => void mutate()} />}
          {!data && !error && (
            <div className="space-y-4">
              {[0, 1, 2].map((i) => (
                <div key={i} className="flex gap-3">
                  <Skeleton className="size-7 rounded-full" />
                  <div className="flex-1 space-y-2">
                    <Skeleton className="h-3.5 w-2/3" />
                    <Skeleton className="h-3.5 w-1/2" />
                  </div>
                </div>
              ))}
            </div>
          )}
          {data && events.length === 0 && (
            <EmptyState icon={<IconSpark size={18} />} title="No transcript yet" className="h-full">
              {s.state === "created"
                ? "Start the session: the agent takes the task and its conversation appears here, live."
                : s.state === "running"
                  ? "Waiting for the agent's first message…"
                  : "This session has no conversation."}
            </EmptyState>
          )}
          {events.length > 0 && (
            <div className="space-y-3">
              {events.map((e) =>
                e.type === "tool_result" && attached.has(e.seq) ? null : (
                  <Event key={e.seq} e={e} results={results} first={e.seq === firstPrompt} working={working} />
                ),
              )}
              {working && <WorkingLine since={events[events.length - 1]?.ts} />}
            </div>
          )}
        </div>
        {!stuck && events.length > 0 && (
          <button
            type="button"
            onClick={() => setStuck(true)}
            className="absolute bottom-3 left-1/2 inline-flex h-7 -translate-x-1/2 items-center gap-1.5 rounded-full border border-line-strong bg-surface px-3 text-xs font-medium shadow-card hover:bg-surface-2"
          >
            <IconArrowDown size={12} /> Latest
          </button>
        )}
      </div>
      <Composer s={s} />
    </Card>
  );
}
