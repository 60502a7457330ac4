"use client";
/** Repositories: every git work tree under CODEROOT (`repo.list`), with `repo.info` for the selected one. */
import { useMemo, useState } from "react";
import { Link } from "../client";
import { IconBranch, IconFolder, IconPlus, IconRefresh, IconSearch, IconX } from "../components/icons";
import { Ago, Badge, Button, Card, CardHeader, CopyButton, cx, EmptyState, ErrorBox, Input, PageHeader, Skeleton, SkeletonRows } from "../components/ui";
import { bytes, count } from "../format";
import { useRepoInfo, useRepos } from "../hooks";

function RepoDetail({ name, onClose }: { name: string; onClose: () => void }) {
  const { data: r, error, mutate } = useRepoInfo(name);
  return (
    <Card className="xl:sticky xl:top-6" data-testid="repo-detail">
      <CardHeader
        title={<span className="font-mono">{name}</span>}
        description={r?.path}
        actions={
          <Button size="xs" variant="ghost" aria-label="Close details" onClick={onClose} icon={<IconX size={13} />} />
        }
      />
      {error && !r && <ErrorBox error={error} title="Details could not be loaded" onRetry={() => void mutate()} className="m-4" />}
      {!r && !error && (
        <div className="space-y-3 p-4">
          <Skeleton className="h-4 w-2/3" />
          <Skeleton className="h-4 w-1/2" />
          <Skeleton className="h-24" />
        </div>
      )}
      {r && (
        <div className="space-y-4 p-4 text-[13px]">
          <div className="grid grid-cols-3 gap-3">
            <div>
              <div className="text-xs text-muted">Files</div>
              <div className="font-semibold tabular">{count(r.file_count)}</div>
            </div>
            <div>
              <div className="text-xs text-muted">Size</div>
              <div className="font-semibold tabular">{bytes(r.size_bytes)}</div>
            </div>
            <div>
              <div className="text-xs text-muted">Branches</div>
              <div className="font-semibold tabular">{r.branches.length}</div>
            </div>
          </div>
          <div>
            <div className="mb-1 text-xs text-muted">Remote</div>
            {r.remote_url ? (
              <span className="inline-flex items-center gap-1 font-mono text-xs break-all">
                {r.remote_url}
                <CopyButton text={r.remote_url} label="Copy remote URL" />
              </span>
            ) : (
              <span className="text-xs text-faint">none (finish can commit but not push)</span>
            )}
          </div>
          <div>
            <div className="mb-1.5 text-xs text-muted">Branches</div>
            <div className="flex flex-wrap gap-1">
              {r.branches.map((b) => (
                <span key={b} className={cx("rounded border px-1.5 font-mono text-[11px] leading-[18px]", b === r.branch ? "border-accent/40 bg-accent-soft" : "border-line bg-surface-2 text-muted")}>
                  {b}
                </span>
              ))}
            </div>
          </div>
          <div>
            <div className="mb-1.5 text-xs text-muted">Recent commits</div>
            <ol className="divide-y divide-line rounded-md border border-line">
              {r.recent_commits.map((c) => (
                <li key={c.sha} className="px-2.5 py-2">
                  <div className="truncate" title={c.subject}>
                    {c.subject}
                  </div>
                  <div className="mt-0.5 flex items-center gap-2 text-xs text-muted">
                    <span className="font-mono">{c.sha.slice(0, 7)}</span>
                    <span className="truncate">{c.author}</span>
                    <span className="ml-auto shrink-0">
                      <Ago iso={c.date} />
                    </span>
                  </div>
                </li>
              ))}
              {r.recent_commits.length === 0 && <li className="px-2.5 py-2 text-xs text-muted">No commits yet.</li>}
            </ol>
          </div>
          <Link
            href={`/sessions/new?repo=${encodeURIComponent(r.name)}`}
            className="flex h-8 items-center justify-center gap-1.5 rounded-md bg-accent px-3 text-[13px] font-medium text-accent-fg shadow-card hover:bg-accent-hover"
          >
            <IconPlus size={14} /> New session with {r.name}
          </Link>
        </div>
      )}
    </Card>
  );
}

export function ReposView({ initial }: { initial?: string }) {
  const { data, error, isValidating, mutate } = useRepos();
  const [selected, setSelected] = useState<string | null>(initial ?? null);
  const [q, setQ] = useState("");
  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (data ?? []).filter((r) => !needle || r.name.toLowerCase().includes(needle) || (r.remote_url ?? "").toLowerCase().includes(needle));
  }, [data, q]);

  const select = (name: string | null) => {
    setSelected(name);
    const url = new URL(window.location.href);
    if (name) url.searchParams.set("name", name);
    else url.searchParams.delete("name");
    window.history.replaceState(window.history.state, "", url);
  };

  return (
    <>
      <PageHeader
        title="Repositories"
        description="Git work trees under CODEROOT, one or two levels deep. Sessions copy them; CODEROOT itself is never written to."
        actions={
          <Button icon={<IconRefresh size={13} />} loading={isValidating && !!data} onClick={() => void mutate()}>
            Refresh
          </Button>
        }
      />
      <div className={cx("grid items-start gap-4", selected && "xl:grid-cols-[minmax(0,1fr)_380px]")}>
        <Card>
          <div className="flex items-center gap-3 border-b border-line px-4 py-3">
            <h2 className="text-[13px] font-semibold">{data ? `${data.length} repositories` : "Repositories"}</h2>
            <div className="relative ml-auto w-64">
              <IconSearch size={14} className="pointer-events-none absolute top-1/2 left-2.5 -translate-y-1/2 text-faint" />
              <Input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Filter by name or remote…" aria-label="Filter repositories" className="pl-8" />
            </div>
          </div>
          {error && !data && <ErrorBox error={error} title="Repositories could not be listed" onRetry={() => void mutate()} className="m-4" />}
          <div className="overflow-x-auto">
            <table style={{ width: "max(100%, 720px)" }} className="text-left text-[13px]" data-testid="repos-table">
              <thead className="border-b border-line bg-surface-2/60 text-xs text-muted">
                <tr className="h-9">
                  <th className="px-4 font-medium">Name</th>
                  <th className="px-4 font-medium">Branch</th>
                  <th className="px-4 font-medium">Head</th>
                  <th className="px-4 font-medium">Last commit</th>
                  <th className="px-4 font-medium">Working tree</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-line">
                {!data &&
                  !error &&
                  <SkeletonRows rows={4} rowClassName="h-11" pad="px-4" cells={["h-3.5 w-32", "h-3.5 w-16", "h-3.5 w-48", "h-3.5 w-14", "h-3.5 w-12"]} />}
                {rows.map((r) => (
                  <tr
                    key={r.name}
                    className={cx("h-11 cursor-pointer", selected === r.name ? "bg-accent-soft/60" : "hover:bg-surface-2/50")}
                    onClick={() => select(selected === r.name ? null : r.name)}
                    data-testid="repo-row"
                  >
                    <td className="px-4">
                      <button
                        type="button"
                        className="inline-flex items-center gap-2 font-mono font-medium hover:text-accent"
                        aria-expanded={selected === r.name}
                        onClick={(e) => {
                          e.stopPropagation();
                          select(selected === r.name ? null : r.name);
                        }}
                      >
                        <IconFolder size={14} className="text-muted" />
                        {r.name}
                      </button>
                    </td>
                    <td className="px-4">
                      <span className="inline-flex items-center gap-1 font-mono text-xs">
                        <IconBranch size={12} className="text-muted" />
                        {r.branch ?? "detached"}
                      </span>
                    </td>
                    <td className="max-w-[22rem] truncate px-4" title={r.head?.subject}>
                      {r.head ? (
                        <>
                          <span className="mr-1.5 font-mono text-xs text-faint">{r.head.sha.slice(0, 7)}</span>
                          {r.head.subject}
                        </>
                      ) : (
                        <span className="text-faint">no commits</span>
                      )}
                    </td>
                    <td className="px-4 text-muted">{r.head ? <Ago iso={r.head.date} /> : "—"}</td>
                    <td className="px-4">{r.dirty ? <Badge tone="warn">dirty</Badge> : <Badge tone="ok">clean</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {data && data.length === 0 && (
              <EmptyState icon={<IconFolder size={18} />} title="No repositories under CODEROOT">
                Clone or move git repositories into CODEROOT (e.g. <code className="font-mono">CODEROOT/my_repo</code> or{" "}
                <code className="font-mono">CODEROOT/org/my_repo</code>) and refresh.
              </EmptyState>
            )}
            {data && data.length > 0 && rows.length === 0 && <div className="px-4 py-8 text-center text-[13px] text-muted">No repository matches “{q}”.</div>}
          </div>
        </Card>
        {selected && <RepoDetail name={selected} onClose={() => select(null)} />}
      </div>
    </>
  );
}
