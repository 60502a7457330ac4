"use client";
/** Operation log: `logs.get` with filters (session, level, since), live through the event stream, and clear. */
import { Fragment, useMemo, useState } from "react";
import { LOG_LEVELS, type LogEntry } from "@/lib/api/schemas";
import { Link } from "../client";
import { useOplogEvents } from "../events";
import { IconActivity, IconChevronDown, IconChevronRight, IconRefresh, IconTrash } from "../components/icons";
import { Badge, Button, Card, cx, Dialog, EmptyState, ErrorBox, Field, Input, Notice, PageHeader, Select, SkeletonRows, type Tone } from "../components/ui";
import { dateTime, plural, timeOfDay } from "../format";
import { useAction, useOpLog, useSessions, type OpLogFilter } from "../hooks";

type Level = (typeof LOG_LEVELS)[number];
const LEVEL_TONE: Record<Level, Tone> = { debug: "neutral", info: "info", warn: "warn", error: "danger" };
const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const SINCE = [
  { value: "", label: "Any time" },
  { value: "15m", label: "Last 15 minutes", ms: 15 * 60_000 },
  { value: "1h", label: "Last hour", ms: 3_600_000 },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
] as const;
const LIMIT = 1000;

function matches(e: LogEntry, f: OpLogFilter): boolean {
  if (f.session_id && e.session_id !== f.session_id) return false;
  if (f.level && RANK[e.level] < RANK[f.level]) return false;
  if (f.since && e.ts < f.since) return false;
  return true;
}

export function OpLogView({ initialSession }: { initialSession?: string }) {
  const [session, setSession] = useState(initialSession ?? "");
  const [level, setLevel] = useState<Level | "">("");
  const [since, setSince] = useState<{ preset: string; iso?: string }>({ preset: "" });
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState(false);
  const [cleared, setCleared] = useState<number | null>(null);
  const { data: sessions } = useSessions();

  const filter = useMemo<OpLogFilter>(
    () => ({ limit: LIMIT, ...(session ? { session_id: session } : {}), ...(level ? { level } : {}), ...(since.iso ? { since: since.iso } : {}) }),
    [session, level, since],
  );
  const { data, error, isValidating, mutate } = useOpLog(filter);

  useOplogEvents((e) => {
    if (!data || !matches(e, filter)) return; // while loading, the fetch brings it

    void mutate((prev) => (prev ? [...prev, e].slice(-LIMIT) : prev), { revalidate: false });
  });

  const clear = useAction("logs.clear", {}, (r) => {
    setCleared(r.cleared);
    setConfirm(false);
    void mutate([], { revalidate: true });
  });

  const rows = useMemo(() => (data ?? []).map((e, i) => ({ e, key: `${e.ts}-${i}` })).reverse(), [data]);
  const sessionIds = useMemo(() => {
    const ids = new Map((sessions?.sessions ?? []).map((s) => [s.id, s.name]));
    if (session && !ids.has(session)) ids.set(session, session);
    return [...ids.entries()];
  }, [sessions, session]);

  return (
    <>
      <PageHeader
        title="Operation log"
        description="What the server did: creates, starts, syncs, finishes, agent runs, reconciliation. Newest first, live."
        actions={
          <>
            <Button icon={<IconRefresh size={13} />} loading={isValidating && !!data} onClick={() => void mutate()}>
              Refresh
            </Button>
            <Button variant="danger" icon={<IconTrash size={13} />} onClick={() => setConfirm(true)}>
              Clear…
            </Button>
          </>
        }
      />
      {cleared !== null && (
        <Notice tone="ok" className="mb-4">
          <span data-testid="cleared">Cleared {plural(cleared, "entry", "entries")}.</span>{" "}
          <button type="button" className="text-xs text-muted underline" onClick={() => setCleared(null)}>
            Dismiss
          </button>
        </Notice>
      )}
      <Card>
        <div className="flex flex-wrap items-end gap-3 border-b border-line px-4 py-3" role="search" aria-label="Filter the operation log">
          <Field label="Session" htmlFor="f-session" className="w-64">
            <Select id="f-session" value={session} onChange={(e) => setSession(e.target.value)}>
              <option value="">All sessions</option>
              {sessionIds.map(([id, name]) => (
                <option key={id} value={id}>
                  {name === id ? id : `${name} (${id})`}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Minimum level" htmlFor="f-level" className="w-40">
            <Select id="f-level" value={level} onChange={(e) => setLevel(e.target.value as Level | "")}>
              <option value="">All levels</option>
              {LOG_LEVELS.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Since" htmlFor="f-since" className="w-44">
            <Select
              id="f-since"
              value={since.preset}
              onChange={(e) => {
                const p = SINCE.find((x) => x.value === e.target.value);
                setSince({ preset: e.target.value, iso: p && "ms" in p ? new Date(Date.now() - p.ms).toISOString() : undefined });
              }}
            >
              {SINCE.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
              <option value="custom">Custom…</option>
            </Select>
          </Field>
          {since.preset === "custom" && (
            <Field label="From" htmlFor="f-from" className="w-52">
              <Input
                id="f-from"
                type="datetime-local"
                onChange={(e) => {
                  const t = new Date(e.target.value);
                  setSince({ preset: "custom", iso: Number.isNaN(t.getTime()) ? undefined : t.toISOString() });
                }}
              />
            </Field>
          )}
          <div className="ml-auto pb-1.5 text-xs text-muted tabular" data-testid="oplog-count">
            {data ? `${plural(data.length, "entry", "entries")}${data.length >= LIMIT ? ` (newest ${LIMIT})` : ""}` : ""}
          </div>
        </div>
        {error && !data && <ErrorBox error={error} title="The operation log could not be loaded" onRetry={() => void mutate()} className="m-4" />}
        <div className="overflow-x-auto">
          <table style={{ width: "max(100%, 760px)" }} className="table-fixed text-left text-[13px]" data-testid="oplog-table">
            <colgroup>
              <col className="w-[110px]" />
              <col className="w-[76px]" />
              <col className="w-[150px]" />
              <col className="w-[100px]" />
              <col />
            </colgroup>
            <thead className="border-b border-line bg-surface-2/60 text-xs text-muted">
              <tr className="h-9">
                <th className="px-4 font-medium">Time</th>
                <th className="px-2 font-medium">Level</th>
                <th className="px-2 font-medium">Operation</th>
                <th className="px-2 font-medium">Session</th>
                <th className="px-2 font-medium">Message</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {!data &&
                !error &&
                <SkeletonRows rows={6} rowClassName="h-10" firstPad="px-4" pad="px-2" cells={["h-3.5 w-16", "h-4 w-10 rounded-full", "h-3.5 w-24", "h-3.5 w-16", "h-3.5 w-3/4"]} />}
              {rows.map(({ e, key }) => {
                const expandable = e.data !== undefined && e.data !== null;
                const isOpen = open.has(key);
                return (
                  <Fragment key={key}>
                    <tr className="h-10 align-middle hover:bg-surface-2/50" data-testid="oplog-row" data-level={e.level}>
                      <td className="px-4 font-mono text-xs text-muted tabular" title={dateTime(e.ts)}>
                        {timeOfDay(e.ts)}
                      </td>
                      <td className="px-2">
                        <Badge tone={LEVEL_TONE[e.level]}>{e.level}</Badge>
                      </td>
                      <td className="truncate px-2 font-mono text-xs" title={e.op}>
                        {e.op}
                      </td>
                      <td className="px-2 font-mono text-xs">
                        {e.session_id ? (
                          <Link href={`/sessions/${e.session_id}`} className="text-accent hover:underline">
                            {e.session_id}
                          </Link>
                        ) : (
                          <span className="text-faint">—</span>
                        )}
                      </td>
                      <td className="px-2 py-2">
                        <div className="flex items-start gap-1.5">
                          {expandable && (
                            <button
                              type="button"
                              onClick={() => setOpen((o) => (o.has(key) ? (o.delete(key), new Set(o)) : new Set(o).add(key)))}
                              aria-expanded={isOpen}
                              aria-label="Show data"
                              className="mt-0.5 rounded text-muted hover:text-fg"
                            >
                              {isOpen ? <IconChevronDown size={13} /> : <IconChevronRight size={13} />}
                            </button>
                          )}
                          <span className={cx("min-w-0 break-words", e.level === "error" && "text-danger")}>{e.message}</span>
                        </div>
                      </td>
                    </tr>
                    {isOpen && (
                      <tr className="bg-surface-2/40">
                        <td colSpan={5} className="px-4 py-2">
                          <pre className="max-h-72 overflow-auto font-mono text-[11.5px] whitespace-pre-wrap text-muted">{JSON.stringify(e.data, null, 2)}</pre>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
          {data && data.length === 0 && (
            <EmptyState icon={<IconActivity size={18} />} title="No entries">
              {session || level || since.iso ? "Nothing matches these filters." : "The operation log is empty; entries appear here as the server works."}
            </EmptyState>
          )}
        </div>
      </Card>
      <Dialog
        open={confirm}
        onClose={() => !clear.pending && setConfirm(false)}
        title="Clear the operation log?"
        description="Every entry is removed, in memory and on disk, for all sessions. Session logs (rsync, claude, container) are not touched."
        footer={
          <>
            <Button onClick={() => setConfirm(false)} disabled={clear.pending} autoFocus>
              Cancel
            </Button>
            <Button variant="danger-solid" icon={<IconTrash size={13} />} loading={clear.pending} onClick={() => void clear.run()} data-testid="confirm-clear">
              Clear the log
            </Button>
          </>
        }
      >
        <ErrorBox error={clear.error} title="Clearing failed" />
      </Dialog>
    </>
  );
}
