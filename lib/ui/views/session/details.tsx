"use client";
/** Details: the session record, the container's live status and resources, and the results of finish. */
import type { ReactNode } from "react";
import { Link } from "../../client";
import { AgentBadge, StateBadge } from "../../components/session";
import { IconActivity, IconExternal } from "../../components/icons";
import { Ago, Badge, Card, CardHeader, CopyButton, EmptyState, ErrorBox, Skeleton } from "../../components/ui";
import { bytes, count, dateTime, usd } from "../../format";
import { useSession } from "../../hooks";

function Rows({ rows }: { rows: [ReactNode, ReactNode][] }) {
  return (
    <dl className="divide-y divide-line text-[13px]">
      {rows.map(([k, v], i) => (
        <div key={i} className="grid grid-cols-[150px_minmax(0,1fr)] gap-3 px-4 py-2">
          <dt className="text-muted">{k}</dt>
          <dd className="min-w-0 break-words">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

const mono = (v: ReactNode) => <span className="font-mono text-[12.5px]">{v}</span>;
const when = (iso: string | null) =>
  iso ? (
    <span>
      {dateTime(iso)} <span className="text-faint">(<Ago iso={iso} />)</span>
    </span>
  ) : (
    <span className="text-faint">—</span>
  );

function Meter({ value, max }: { value: number; max: number }) {
  const pct = max > 0 ? Math.min(100, (value / max) * 100) : 0;
  return (
    <div className="mt-1 h-1.5 w-48 overflow-hidden rounded-full bg-surface-3" role="meter" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100}>
      <div className={pct > 85 ? "h-full bg-danger" : "h-full bg-accent"} style={{ width: `${pct}%` }} />
    </div>
  );
}

export function DetailsTab({ id, active }: { id: string; active: boolean }) {
  // While this tab is open the container's figures refresh every 5 s.
  const { data: s, error } = useSession(id, { refreshInterval: active ? 5000 : 0 });
  if (error && !s) return <ErrorBox error={error} title="The session could not be loaded" />;
  if (!s || s.state === "destroyed") return <Skeleton className="h-96" />;
  const c = s.container;
  return (
    <div className="grid gap-4 xl:grid-cols-2" data-testid="details">
      <Card>
        <CardHeader
          title="Session"
          actions={
            <Link href={`/logs?session_id=${s.id}`} className="inline-flex items-center gap-1 text-xs text-accent hover:underline">
              <IconActivity size={12} /> Operation log
            </Link>
          }
        />
        <Rows
          rows={[
            ["Id", <span key="id" className="inline-flex items-center gap-1">{mono(s.id)}<CopyButton text={s.id} label="Copy id" /></span>],
            ["Name", mono(s.name)],
            ["State", <StateBadge key="st" state={s.state} />],
            ["Repositories", mono(s.repos.join(", "))],
            ["Branch", mono(s.branch)],
            ["Image", mono(s.image)],
            ["Resources", `${s.cpu} CPU · ${s.memory_gb} GiB memory`],
            ["MCP servers", s.mcp_servers.length ? mono(s.mcp_servers.join("\n")) : <span className="text-faint">none</span>],
            ["Created", when(s.created_at)],
            ["Started", when(s.started_at)],
            ["Updated", when(s.updated_at)],
            ["Finished", when(s.finished_at)],
            ["Task", <pre key="task" className="max-h-48 overflow-auto font-sans whitespace-pre-wrap">{s.task}</pre>],
          ]}
        />
      </Card>
      <div className="space-y-4">
        <Card>
          <CardHeader title="Agent" />
          <Rows
            rows={[
              ["State", <AgentBadge key="a" agent={s.agent} />],
              ["Claude session", s.agent.claude_session_id ? mono(s.agent.claude_session_id) : <span className="text-faint">not started</span>],
              ["Turns", s.agent.turns],
              ["Cost", usd(s.agent.cost_usd)],
              ["Tokens", `${count(s.agent.input_tokens)} in · ${count(s.agent.output_tokens)} out`],
              ["Last result", s.agent.last_result ? <span className="line-clamp-4">{s.agent.last_result}</span> : <span className="text-faint">—</span>],
            ]}
          />
        </Card>
        <Card data-testid="container-status">
          <CardHeader title="Container" description={active && c?.running ? "refreshing every 5 s" : undefined} />
          {!c ? (
            <EmptyState title="No container">{s.container_id ? "The engine does not know this container now." : "The container is created when the session starts."}</EmptyState>
          ) : (
            <Rows
              rows={[
                ["Id", mono(c.id.slice(0, 12))],
                ["Status", <Badge key="s" tone={c.running ? "ok" : "neutral"} dot={c.running}>{c.status}</Badge>],
                ["Started", when(c.started_at)],
                ["Exit code", c.exit_code ?? <span className="text-faint">—</span>],
                ["CPU", c.cpu_percent === null ? <span className="text-faint">—</span> : `${c.cpu_percent.toFixed(1)} %`],
                [
                  "Memory",
                  c.memory_bytes === null ? (
                    <span className="text-faint">—</span>
                  ) : (
                    <div key="m">
                      {bytes(c.memory_bytes)}
                      {c.memory_limit_bytes ? <span className="text-muted"> of {bytes(c.memory_limit_bytes)}</span> : null}
                      {c.memory_limit_bytes ? <Meter value={c.memory_bytes} max={c.memory_limit_bytes} /> : null}
                    </div>
                  ),
                ],
                ["Processes", c.pids ?? <span className="text-faint">—</span>],
              ]}
            />
          )}
        </Card>
      </div>
      <Card className="xl:col-span-2">
        <CardHeader title="Results" description="Commits, pushes and pull requests made by finish." />
        {s.results.length === 0 ? (
          <EmptyState title="Not finished yet">Finish the session to commit, push and open pull requests; the links appear here.</EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-[13px]" data-testid="results">
              <thead className="border-b border-line bg-surface-2/60 text-xs text-muted">
                <tr className="h-9">
                  <th className="px-4 font-medium">Repository</th>
                  <th className="px-4 font-medium">Branch</th>
                  <th className="px-4 font-medium">Commit</th>
                  <th className="px-4 font-medium">Pushed</th>
                  <th className="px-4 font-medium">Pull request</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-line">
                {s.results.map((r) => (
                  <tr key={r.repo} className="h-10">
                    <td className="px-4 font-mono">{r.repo}</td>
                    <td className="px-4 font-mono text-xs">{r.branch ?? "—"}</td>
                    <td className="px-4 font-mono text-xs">{r.commit ? r.commit.slice(0, 10) : "—"}</td>
                    <td className="px-4">{r.pushed ? <Badge tone="ok">pushed</Badge> : <Badge>{r.skipped_reason ? "skipped" : "no"}</Badge>}</td>
                    <td className="px-4">
                      {r.pr_url ? (
                        <a href={r.pr_url} target="_blank" rel="noreferrer noopener" className="inline-flex items-center gap-1 text-accent hover:underline">
                          {r.pr_url.replace(/^https?:\/\//, "")} <IconExternal size={12} />
                        </a>
                      ) : (
                        <span className="text-xs text-muted">{r.skipped_reason ?? "—"}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <details className="xl:col-span-2">
        <summary className="cursor-pointer text-xs text-muted select-none hover:text-fg">Raw record (session.info)</summary>
        <pre className="mt-2 max-h-[28rem] overflow-auto rounded-lg border border-line bg-surface p-3 font-mono text-[12px]">{JSON.stringify(s, null, 2)}</pre>
      </details>
    </div>
  );
}
