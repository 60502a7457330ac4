"use client";
/** Overview: server status, counts by state, and the sessions table (filter, search, sort, quick actions). */
import { memo, useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { SESSION_STATES, type Session, type SessionState } from "@/lib/api/schemas";
import { Link } from "../client";
import { AgentBadge, allows, RepoChips, StateBadge } from "../components/session";
import {
  IconAlert,
  IconArrowDown,
  IconArrowUp,
  IconArrowUpDown,
  IconBox,
  IconChevronLeft,
  IconChevronRight,
  IconLogo,
  IconPlay,
  IconPlus,
  IconSearch,
  IconStop,
  IconTerminal,
} from "../components/icons";
import { Ago, Button, Card, CopyButton, cx, EmptyState, ErrorBox, Input, Kbd, Notice, PageHeader, Skeleton, SkeletonRows, Stat } from "../components/ui";
import { useFlash } from "../flash";
import { duration, usd } from "../format";
import { useAction, useApplySession, useServerInfo, useSessions } from "../hooks";

type SortKey = "name" | "state" | "cost" | "created";
const PAGE_SIZE = 100;
const STATE_ORDER: Record<SessionState, number> = Object.fromEntries(SESSION_STATES.map((s, i) => [s, i])) as Record<SessionState, number>;

function StatusCards() {
  const { data: info, error, mutate } = useServerInfo();
  if (error && !info) return <ErrorBox error={error} title="Server status unavailable" onRetry={() => void mutate()} className="mb-6" />;
  const loading = !info;
  const running = info?.sessions.by_state.running ?? 0;
  return (
    <>
      <div className="grid grid-cols-2 gap-3 xl:grid-cols-4" data-testid="server-info">
        <Stat
          icon={<IconLogo size={13} />}
          label="Server"
          value={loading ? <Skeleton className="h-5 w-20" /> : `v${info.version}`}
          sub={loading ? <Skeleton className="mt-1 h-3 w-24" /> : `up ${duration(info.uptime_s * 1000)}`}
        />
        <Stat
          icon={<IconTerminal size={13} />}
          label="Container engine"
          value={loading ? <Skeleton className="h-5 w-24" /> : info.runtime.reachable ? "Reachable" : "Unreachable"}
          tone={loading ? undefined : info.runtime.reachable ? "ok" : "danger"}
          sub={loading ? <Skeleton className="mt-1 h-3 w-28" /> : `${info.runtime.kind}${info.runtime.version ? ` ${info.runtime.version}` : ""}`}
          testId="stat-runtime"
        />
        <Stat
          icon={<IconBox size={13} />}
          label="Sandbox image"
          value={loading ? <Skeleton className="h-5 w-20" /> : info.image.present ? "Present" : "Missing"}
          tone={loading ? undefined : info.image.present ? "ok" : "warn"}
          sub={loading ? <Skeleton className="mt-1 h-3 w-32" /> : <span className="font-mono" title={info.image.name}>{info.image.name}</span>}
          testId="stat-image"
        />
        <Stat
          icon={<IconPlay size={13} />}
          label="Sessions"
          value={loading ? <Skeleton className="h-5 w-10" /> : info.sessions.total}
          sub={loading ? <Skeleton className="mt-1 h-3 w-16" /> : `${running} running`}
          testId="stat-sessions"
        />
      </div>
      <div className="mt-3 flex min-h-5 flex-wrap items-center gap-x-5 gap-y-1 text-xs text-muted">
        {info && (
          <>
            <span className="inline-flex items-center gap-1">
              CODEROOT <code className="font-mono text-fg">{info.coderoot}</code>
              <CopyButton text={info.coderoot} label="Copy CODEROOT" />
            </span>
            <span className="inline-flex items-center gap-1">
              BUILDDIR <code className="font-mono text-fg">{info.builddir}</code>
              <CopyButton text={info.builddir} label="Copy BUILDDIR" />
            </span>
            {!info.image.present && info.runtime.reachable && (
              <span className="text-warn">
                Build the sandbox image with <code className="font-mono">make image</code> to start sessions.
              </span>
            )}
          </>
        )}
      </div>
    </>
  );
}

/** Start or stop from the table; each button has its own pending and error state. */
function RowAction({ s, call }: { s: Session; call: "start" | "stop" }) {
  const applySession = useApplySession();
  const action = useAction(call === "start" ? "session.start" : "session.stop", { session_id: s.id }, applySession);
  return (
    <>
      {action.error && (
        <span className="inline-flex text-danger" title={action.error.message} role="alert" data-testid="row-error">
          <IconAlert size={14} />
          <span className="sr-only">{action.error.message}</span>
        </span>
      )}
      <Button
        size="xs"
        variant="ghost"
        icon={call === "start" ? <IconPlay size={12} /> : <IconStop size={12} />}
        loading={action.pending}
        onClick={() => void action.run()}
        aria-label={`${call === "start" ? "Start" : "Stop"} ${s.name}`}
      >
        {call === "start" ? "Start" : "Stop"}
      </Button>
    </>
  );
}

const SessionRow = memo(function SessionRow({ s }: { s: Session }) {
  return (
    <tr className="group h-12 hover:bg-surface-2/50" data-testid="session-row" data-session-id={s.id}>
      <td className="px-3">
        {/* 100 rows would mean 100 prefetches on every visit: prefetch on hover instead. */}
        <Link href={`/sessions/${s.id}`} prefetch={false} className="block truncate font-medium hover:text-accent" title={s.task}>
          {s.name}
        </Link>
        <div className="truncate font-mono text-[11px] text-faint">{s.id}</div>
      </td>
      <td className="px-3">
        <StateBadge state={s.state} />
      </td>
      <td className="px-3">
        <RepoChips repos={s.repos} max={2} />
      </td>
      <td className="px-3">{s.state === "created" ? <span className="text-faint">—</span> : <AgentBadge agent={s.agent} />}</td>
      <td className="px-3 text-right tabular text-muted">{usd(s.agent.cost_usd)}</td>
      <td className="px-3 text-right text-muted">
        <Ago iso={s.created_at} />
      </td>
      <td className="px-3">
        <div className="flex items-center justify-end gap-1.5">
          {allows(s.state, "start") && <RowAction s={s} call="start" />}
          {allows(s.state, "stop") && <RowAction s={s} call="stop" />}
        </div>
      </td>
    </tr>
  );
});

function SortHeader({
  label,
  k,
  sort,
  setSort,
  align = "left",
  className,
}: {
  label: string;
  k: SortKey;
  sort: { key: SortKey; dir: 1 | -1 };
  setSort: (s: { key: SortKey; dir: 1 | -1 }) => void;
  align?: "left" | "right";
  className?: string;
}) {
  const on = sort.key === k;
  const Icon = !on ? IconArrowUpDown : sort.dir === 1 ? IconArrowUp : IconArrowDown;
  return (
    <th scope="col" aria-sort={on ? (sort.dir === 1 ? "ascending" : "descending") : "none"} className={cx("px-3 font-medium", align === "right" && "text-right", className)}>
      <button
        type="button"
        onClick={() => setSort({ key: k, dir: on ? (sort.dir === 1 ? -1 : 1) : k === "name" || k === "state" ? 1 : -1 })}
        className={cx("inline-flex items-center gap-1 rounded hover:text-fg", on && "text-fg")}
      >
        {label}
        <Icon size={12} className={on ? "" : "opacity-40"} />
      </button>
    </th>
  );
}

function SessionsTable() {
  const { data, error, isLoading, mutate } = useSessions();
  const [query, setQuery] = useState("");
  const [state, setState] = useState<SessionState | "">("");
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: "created", dir: -1 });
  const [page, setPage] = useState(0);
  const search = useRef<HTMLInputElement>(null);
  const q = useDeferredValue(query.trim().toLowerCase());

  // "/" focuses the search, as in most admin tools.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === "/" && !e.metaKey && !e.ctrlKey && !/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) && !t.isContentEditable) {
        e.preventDefault();
        search.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const counts = useMemo(() => {
    const c: Partial<Record<SessionState, number>> = {};
    for (const s of data?.sessions ?? []) c[s.state] = (c[s.state] ?? 0) + 1;
    return c;
  }, [data]);

  const rows = useMemo(() => {
    let list = data?.sessions ?? [];
    if (state) list = list.filter((s) => s.state === state);
    if (q) {
      list = list.filter(
        (s) => s.name.toLowerCase().includes(q) || s.id.includes(q) || s.task.toLowerCase().includes(q) || s.repos.some((r) => r.toLowerCase().includes(q)),
      );
    }
    const by: Record<SortKey, (a: Session, b: Session) => number> = {
      name: (a, b) => a.name.localeCompare(b.name),
      state: (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state],
      cost: (a, b) => a.agent.cost_usd - b.agent.cost_usd,
      created: (a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0),
    };
    return list.slice().sort((a, b) => by[sort.key](a, b) * sort.dir || (a.id < b.id ? -1 : 1));
  }, [data, state, q, sort]);

  useEffect(() => setPage(0), [q, state, sort]);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const visible = rows.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  const total = data?.sessions.length ?? 0;

  return (
    <Card>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-line px-4 py-3">
        <h2 className="text-[13px] font-semibold">Sessions</h2>
        <div className="flex flex-wrap items-center gap-1.5" role="group" aria-label="Filter by state">
          {SESSION_STATES.filter((s) => s !== "destroyed").map((s) => (
            <button
              key={s}
              type="button"
              aria-pressed={state === s}
              onClick={() => setState(state === s ? "" : s)}
              className={cx(
                "inline-flex h-6 items-center gap-1.5 rounded-full border px-2.5 text-xs transition-colors",
                state === s ? "border-accent bg-accent-soft text-fg" : "border-line text-muted hover:border-line-strong hover:text-fg",
              )}
            >
              {s}
              <span className="tabular text-faint">{counts[s] ?? 0}</span>
            </button>
          ))}
        </div>
        <div className="ml-auto flex items-center gap-2">
          <div className="relative w-64">
            <IconSearch size={14} className="pointer-events-none absolute top-1/2 left-2.5 -translate-y-1/2 text-faint" />
            <Input
              ref={search}
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder="Search name, repo, task…"
              aria-label="Search sessions"
              className="pr-8 pl-8"
            />
            <span className="pointer-events-none absolute top-1/2 right-2 -translate-y-1/2">
              <Kbd>/</Kbd>
            </span>
          </div>

        </div>
      </div>
      {error && !data ? (
        <ErrorBox error={error} title="Sessions could not be loaded" onRetry={() => void mutate()} className="m-4" />
      ) : (
        <div className="overflow-x-auto">
          <table style={{ width: "max(100%, 900px)" }} className="table-fixed text-left text-[13px]" data-testid="sessions-table" aria-busy={isLoading}>
            <colgroup>
              <col className="w-[28%]" />
              <col className="w-[108px]" />
              <col />
              <col className="w-[92px]" />
              <col className="w-[76px]" />
              <col className="w-[92px]" />
              <col className="w-[128px]" />
            </colgroup>
            <thead className="border-b border-line bg-surface-2/60 text-xs text-muted">
              <tr className="h-9">
                <SortHeader label="Name" k="name" sort={sort} setSort={setSort} />
                <SortHeader label="State" k="state" sort={sort} setSort={setSort} />
                <th scope="col" className="px-3 font-medium">
                  Repositories
                </th>
                <th scope="col" className="px-3 font-medium">
                  Agent
                </th>
                <SortHeader label="Cost" k="cost" sort={sort} setSort={setSort} align="right" />
                <SortHeader label="Age" k="created" sort={sort} setSort={setSort} align="right" />
                <th scope="col" className="px-3">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {!data &&
                <SkeletonRows
                  rows={5}
                  rowClassName="h-12"
                  pad="px-3"
                  cells={[["h-3.5 w-40", "mt-1.5 h-2.5 w-16"], "h-4 w-16 rounded-full", "h-4 w-24", "h-4 w-12 rounded-full", "ml-auto h-3.5 w-10", "ml-auto h-3.5 w-12", null]}
                />}
              {visible.map((s) => (
                <SessionRow key={s.id} s={s} />
              ))}
            </tbody>
          </table>
          {data && rows.length === 0 && (
            total === 0 ? (
              <EmptyState
                icon={<IconPlay size={18} />}
                title="No sessions yet"
                action={
                  <Link href="/sessions/new" className="inline-flex h-8 items-center gap-1.5 rounded-md bg-accent px-3 text-[13px] font-medium text-accent-fg shadow-card hover:bg-accent-hover">
                    <IconPlus size={14} /> New session
                  </Link>
                }
              >
                A session copies repositories from CODEROOT into a private workspace and runs Claude Code on a task in a hardened container.
              </EmptyState>
            ) : (
              <EmptyState icon={<IconSearch size={18} />} title="No session matches">
                Nothing matches {q ? <>“{query.trim()}”</> : null}
                {q && state ? " in " : null}
                {state ? <>state {state}</> : null}.{" "}
                <button type="button" className="text-accent underline" onClick={() => (setQuery(""), setState(""))}>
                  Clear filters
                </button>
              </EmptyState>
            )
          )}
        </div>
      )}
      {data && rows.length > 0 && (
        <div className="flex h-11 items-center justify-between border-t border-line px-4 text-xs text-muted">
          <span className="tabular" data-testid="sessions-count">
            {rows.length === total ? `${total} sessions` : `${rows.length} of ${total} sessions`}
          </span>
          {pages > 1 && (
            <div className="flex items-center gap-2">
              <span className="tabular">
                Page {current + 1} of {pages}
              </span>
              <Button size="xs" variant="ghost" aria-label="Previous page" disabled={current === 0} onClick={() => setPage(current - 1)} icon={<IconChevronLeft size={13} />} />
              <Button size="xs" variant="ghost" aria-label="Next page" disabled={current >= pages - 1} onClick={() => setPage(current + 1)} icon={<IconChevronRight size={13} />} />
            </div>
          )}
        </div>
      )}
    </Card>
  );
}

export function OverviewView() {
  const [flash, dismiss] = useFlash("overview");
  return (
    <>
      <PageHeader
        title="Overview"
        description="Claude Code sessions running in hardened containers, each on its own copy of your repositories."
        actions={
          <Link
            href="/sessions/new"
            className="inline-flex h-8 items-center gap-1.5 rounded-md bg-accent px-3 text-[13px] font-medium text-accent-fg shadow-card hover:bg-accent-hover"
          >
            <IconPlus size={14} /> New session
          </Link>
        }
      />
      {flash && (
        <Notice tone={flash.tone} className="mb-5 flex items-start justify-between gap-3">
          <span data-testid="flash">{flash.text}</span>
          <button type="button" className="text-xs text-muted hover:text-fg" onClick={dismiss}>
            Dismiss
          </button>
        </Notice>
      )}
      <StatusCards />
      <div className="mt-6">
        <SessionsTable />
      </div>
    </>
  );
}
