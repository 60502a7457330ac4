"use client";
/** The session page: header with state and lifecycle buttons, then Transcript / Changes / Logs / Terminal / Details. */
import { useEffect, useState } from "react";
import { Link } from "../../client";
import { AgentBadge, RepoChips, StateBadge } from "../../components/session";
import { IconBranch, IconExternal, IconPullRequest } from "../../components/icons";
import { Ago, CopyButton, EmptyState, ErrorBox, Notice, Skeleton, Tabs } from "../../components/ui";
import { useFlash } from "../../flash";
import { useSession } from "../../hooks";
import { SessionActions } from "./actions";
import { ChangesTab } from "./changes";
import { DetailsTab } from "./details";
import { LogsTab } from "./logs";
import { TerminalTab } from "./terminal";
import { SESSION_TABS, type SessionTab } from "./tabs";
import { TranscriptTab } from "./transcript";


const LABELS: Record<SessionTab, string> = {
  transcript: "Transcript",
  changes: "Changes",
  logs: "Logs",
  terminal: "Terminal",
  details: "Details",
};

function HeaderSkeleton() {
  return (
    <div className="mb-6 space-y-3">
      <Skeleton className="h-3 w-24" />
      <Skeleton className="h-6 w-72" />
      <Skeleton className="h-4 w-96" />
    </div>
  );
}

export function SessionView({ id, initialTab }: { id: string; initialTab: SessionTab }) {
  const { data: s, error, mutate } = useSession(id);
  const [tab, setTab] = useState<SessionTab>(initialTab);
  const [visited, setVisited] = useState<Set<SessionTab>>(() => new Set([initialTab]));
  const [flash, dismissFlash] = useFlash(`session:${id}`);

  // The tab lives in the query string (shareable), without a server round trip.
  const select = (t: SessionTab) => {
    setTab(t);
    setVisited((v) => (v.has(t) ? v : new Set(v).add(t)));
    const url = new URL(window.location.href);
    if (t === "transcript") url.searchParams.delete("tab");
    else url.searchParams.set("tab", t);
    window.history.replaceState(window.history.state, "", url);
  };

  useEffect(() => {
    if (s && s.state !== "destroyed") document.title = `${s.name} · hero_claude`;
  }, [s]);

  if (error && !s) {
    if (error.code === -32001) {
      return (
        <EmptyState
          title="Session not found"
          action={
            <Link href="/" className="text-accent underline">
              Back to the overview
            </Link>
          }
        >
          No session <code className="font-mono">{id}</code> exists (it may have been destroyed).
        </EmptyState>
      );
    }
    return <ErrorBox error={error} title="The session could not be loaded" onRetry={() => void mutate()} />;
  }
  if (!s) return <HeaderSkeleton />;

  if (s.state === "destroyed") {
    return (
      <EmptyState
        title="This session was destroyed"
        action={
          <Link href="/" className="text-accent underline">
            Back to the overview
          </Link>
        }
      >
        Its container and workspace are gone; unpushed work was kept in BUILDDIR/.trash.
      </EmptyState>
    );
  }

  const prs = s.results.filter((r) => r.pr_url);
  return (
    <>
      <div className="mb-5 flex flex-wrap items-start justify-between gap-x-6 gap-y-4">
        <div className="min-w-0 flex-1">
          <div className="mb-1 text-xs text-muted">
            <Link href="/" className="hover:text-fg">
              Overview
            </Link>{" "}
            / Session
          </div>
          <div className="flex min-w-0 flex-wrap items-center gap-2.5">
            <h1 className="truncate text-xl font-semibold tracking-tight" data-testid="session-name">
              {s.name}
            </h1>
            <StateBadge state={s.state} />
            {s.state !== "created" && <AgentBadge agent={s.agent} />}
          </div>
          <div className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1.5 text-xs text-muted">
            <span className="inline-flex items-center gap-0.5 font-mono">
              {s.id}
              <CopyButton text={s.id} label="Copy session id" />
            </span>
            <RepoChips repos={s.repos} max={4} />
            <span className="inline-flex items-center gap-1 font-mono">
              <IconBranch size={12} />
              {s.branch}
            </span>
            <span>
              created <Ago iso={s.created_at} />
            </span>
            <span>
              updated <Ago iso={s.updated_at} />
            </span>
          </div>
        </div>
        <SessionActions s={s} />
      </div>

      {flash && (
        <Notice tone={flash.tone} className="mb-4">
          {flash.text}{" "}
          <button type="button" className="text-xs text-muted underline" onClick={dismissFlash}>
            Dismiss
          </button>
        </Notice>
      )}
      {s.error && (
        <div className="mb-4">
          <ErrorBox error={new Error(s.error)} title={s.state === "failed" ? "The session failed" : "The last operation reported an error"} />
        </div>
      )}
      {prs.length > 0 && (
        <div className="mb-4 flex flex-wrap gap-2" data-testid="pr-links">
          {prs.map((r) => (
            <a
              key={r.repo}
              href={r.pr_url!}
              target="_blank"
              rel="noreferrer noopener"
              className="inline-flex h-8 items-center gap-2 rounded-md border border-ok/30 bg-ok-soft px-3 text-[13px] font-medium text-ok hover:underline"
            >
              <IconPullRequest size={14} />
              {r.repo}: pull request
              <IconExternal size={12} />
            </a>
          ))}
        </div>
      )}

      <Tabs label="Session views" idBase={`s-${id}`} value={tab} onChange={select} tabs={SESSION_TABS.map((t) => ({ value: t, label: LABELS[t] }))} />
      <div className="pt-5">
        {SESSION_TABS.filter((t) => visited.has(t) || t === tab).map((t) => (
          <div key={t} role="tabpanel" id={`s-${id}-panel-${t}`} aria-labelledby={`s-${id}-tab-${t}`} hidden={t !== tab}>
            {t === "transcript" && <TranscriptTab s={s} />}
            {t === "changes" && <ChangesTab s={s} active={tab === "changes"} />}
            {t === "logs" && <LogsTab s={s} />}
            {t === "terminal" && <TerminalTab s={s} />}
            {t === "details" && <DetailsTab id={id} active={tab === "details"} />}
          </div>
        ))}
      </div>
    </>
  );
}
