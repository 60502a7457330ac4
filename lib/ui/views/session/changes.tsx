"use client";
/** Changes: per repository, the changed files and their diff (unified or side by side). */
import { useEffect, useMemo, useRef, useState } from "react";
import type { Session } from "@/lib/api/schemas";
import { Counts, FileDiff, parsePatch } from "../../components/diff";
import { IconFile, IconFolder, IconRefresh } from "../../components/icons";
import { Button, Card, EmptyState, ErrorBox, Segmented, Skeleton } from "../../components/ui";
import { plural } from "../../format";
import { useDiff } from "../../hooks";

export function ChangesTab({ s, active }: { s: Session; active: boolean }) {
  const { data, error, isValidating, mutate } = useDiff(s.id, true);
  const [mode, setMode] = useState<"unified" | "split">("unified");

  // Refresh when the session changes while this tab is open (the agent finished a turn, a sync).
  const seen = useRef(s.updated_at);
  useEffect(() => {
    if (active && s.updated_at !== seen.current) {
      seen.current = s.updated_at;
      void mutate();
    }
  }, [active, s.updated_at, mutate]);

  const parsed = useMemo(() => new Map((data?.repos ?? []).map((r) => [r.name, parsePatch(r.patch)])), [data]);
  const totals = useMemo(() => {
    let files = 0;
    let additions = 0;
    let deletions = 0;
    for (const r of data?.repos ?? []) for (const f of r.files) (files++, (additions += f.additions), (deletions += f.deletions));
    return { files, additions, deletions };
  }, [data]);

  const anchor = (repo: string, path: string) => `diff-${repo}-${path}`.replace(/[^A-Za-z0-9_-]/g, "_");

  if (error && !data) return <ErrorBox error={error} title="The changes could not be loaded" onRetry={() => void mutate()} />;
  if (!data) {
    return (
      <div className="grid gap-4 lg:grid-cols-[260px_minmax(0,1fr)]">
        <Skeleton className="h-40" />
        <Skeleton className="h-72" />
      </div>
    );
  }
  return (
    <div className="space-y-4" data-testid="changes">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="text-[13px]">
          <span className="font-medium">{plural(totals.files, "changed file")}</span>
          <span className="mx-2 text-faint">·</span>
          <Counts additions={totals.additions} deletions={totals.deletions} />
          <span className="ml-2 text-xs text-muted">against the base the session was copied from (uncommitted and untracked included)</span>
        </div>
        <div className="flex items-center gap-2">
          <Segmented
            label="Diff layout"
            value={mode}
            onChange={setMode}
            options={[
              { value: "unified", label: "Unified" },
              { value: "split", label: "Split" },
            ]}
          />
          <Button size="sm" icon={<IconRefresh size={13} />} loading={isValidating && !!data} onClick={() => void mutate()}>
            Refresh
          </Button>
        </div>
      </div>
      {error && <ErrorBox error={error} title="Refreshing failed; showing the last result" />}
      {totals.files === 0 ? (
        <Card>
          <EmptyState icon={<IconFile size={18} />} title="No changes yet">
            When the agent edits files in {s.repos.join(", ")}, the diff shows here.
          </EmptyState>
        </Card>
      ) : (
        <div className="grid items-start gap-4 lg:grid-cols-[260px_minmax(0,1fr)]">
          <Card className="lg:sticky lg:top-4 lg:max-h-[calc(100vh-2rem)] lg:overflow-y-auto">
            <nav aria-label="Changed files" className="py-1.5">
              {data.repos.map((r) => (
                <div key={r.name} className="py-1">
                  <div className="flex items-center gap-1.5 px-3 py-1 text-xs font-semibold">
                    <IconFolder size={13} className="text-muted" />
                    <span className="truncate font-mono">{r.name}</span>
                    <span className="ml-auto text-faint tabular">{r.files.length}</span>
                  </div>
                  {r.files.map((f) => (
                    <a
                      key={f.path}
                      href={`#${anchor(r.name, f.path)}`}
                      className="flex items-center gap-2 px-3 py-1 pl-7 text-xs hover:bg-surface-2"
                      title={f.path}
                      onClick={(e) => {
                        e.preventDefault();
                        document.getElementById(anchor(r.name, f.path))?.scrollIntoView({ behavior: "smooth", block: "start" });
                      }}
                    >
                      <span className="min-w-0 flex-1 truncate font-mono">{f.path.split("/").pop()}</span>
                      <span className="shrink-0 font-mono text-[10.5px] tabular">
                        <span className="text-ok">+{f.additions}</span> <span className="text-danger">−{f.deletions}</span>
                      </span>
                    </a>
                  ))}
                </div>
              ))}
            </nav>
          </Card>
          <div className="min-w-0 space-y-6">
            {data.repos
              .filter((r) => r.files.length > 0)
              .map((r) => {
                const files = parsed.get(r.name) ?? [];
                const byPath = new Map(files.map((f) => [f.path, f]));
                return (
                  <section key={r.name} className="space-y-3" aria-label={`Changes in ${r.name}`}>
                    <h3 className="flex items-center gap-2 text-[13px] font-semibold">
                      <IconFolder size={14} className="text-muted" />
                      <span className="font-mono">{r.name}</span>
                      <span className="text-xs font-normal text-muted">{plural(r.files.length, "file")}</span>
                      {r.truncated && <span className="text-xs font-normal text-warn">patch truncated by the server</span>}
                    </h3>
                    {r.files.map((f) => (
                      <FileDiff key={f.path} id={anchor(r.name, f.path)} meta={f} file={byPath.get(f.path) ?? byPath.get(f.old_path ?? "")} mode={mode} />
                    ))}
                  </section>
                );
              })}
          </div>
        </div>
      )}
    </div>
  );
}
