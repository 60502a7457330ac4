"use client";
/** The lifecycle buttons a session's state allows (start, stop, sync, finish, destroy), with their dialogs. */
import { useState } from "react";
import type { Session } from "@/lib/api/schemas";
import type { ResultOf } from "../../api";
import { useNavigate } from "../../client";
import { allows } from "../../components/session";
import { IconFlag, IconPlay, IconStop, IconSync, IconTrash } from "../../components/icons";
import { Button, Checkbox, ErrorBox, Field, Input, Notice, Textarea } from "../../components/ui";
import { setFlash } from "../../flash";
import { plural } from "../../format";
import { useAction, useApplySession } from "../../hooks";
import { Dialog } from "../../components/ui";

type SyncResult = ResultOf<"session.sync">;

function syncSummary(r: SyncResult): string {
  return r.repos
    .map((x) => `${x.name}: ${plural(x.updated.length, "file")} updated${x.conflicts.length ? `, ${plural(x.conflicts.length, "conflict")} kept as the session has them` : ""}`)
    .join("; ");
}

function FinishDialog({ s, open, onClose }: { s: Session; open: boolean; onClose: () => void }) {
  const applySession = useApplySession();
  const firstLine = s.task.split("\n").find((l) => l.trim())?.trim() ?? s.name;
  const [title, setTitle] = useState(firstLine.slice(0, 120));
  const [body, setBody] = useState(s.task);
  const [draft, setDraft] = useState(false);
  const finish = useAction("session.finish", () => ({ session_id: s.id, title: title.trim() || undefined, body: body.trim() || undefined, draft }), (r) => {
    applySession(r);
    onClose();
  });
  return (
    <Dialog
      open={open}
      onClose={() => !finish.pending && onClose()}
      wide
      title="Finish the session"
      description={
        <>
          Each changed repository is committed to <code className="font-mono text-fg">{s.branch}</code>, pushed, and gets a pull request. Repositories without
          changes are skipped.
        </>
      }
      footer={
        <>
          <Button onClick={onClose} disabled={finish.pending}>
            Cancel
          </Button>
          <Button variant="primary" icon={<IconFlag size={14} />} loading={finish.pending} onClick={() => void finish.run()} data-testid="confirm-finish">
            {finish.pending ? "Committing and pushing…" : "Finish and open pull requests"}
          </Button>
        </>
      }
    >
      <div className="space-y-4">
        <Field label="Pull request title" htmlFor="finish-title" optional>
          <Input id="finish-title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={256} />
        </Field>
        <Field label="Description" htmlFor="finish-body" optional hint="Markdown; the task is a good start.">
          <Textarea id="finish-body" rows={6} value={body} onChange={(e) => setBody(e.target.value)} className="font-mono text-xs" />
        </Field>
        <Checkbox checked={draft} onChange={setDraft} label="Open as draft" description="Reviewers are not asked yet." />
        <ErrorBox error={finish.error} title="Finishing failed" />
      </div>
    </Dialog>
  );
}

function DestroyDialog({ s, open, onClose }: { s: Session; open: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const destroy = useAction("session.destroy", { session_id: s.id }, (r) => {
    const kept = r.trash?.kept
      ? ` Unpushed work (${r.trash.repos.join(", ")}) is kept in ${r.trash.path} for ${plural(r.trash.keep_days, "day")}.`
      : " There was no unpushed work to keep.";
    setFlash("overview", { tone: "ok", text: `Session ${s.name} destroyed.${kept}` });
    onClose();
    navigate("/");
  });
  return (
    <Dialog
      open={open}
      onClose={() => !destroy.pending && onClose()}
      title={`Destroy ${s.name}?`}
      description="The container, the workspace and the session record are removed. This cannot be undone."
      footer={
        <>
          <Button onClick={onClose} disabled={destroy.pending} autoFocus>
            Cancel
          </Button>
          <Button variant="danger-solid" icon={<IconTrash size={14} />} loading={destroy.pending} onClick={() => void destroy.run()} data-testid="confirm-destroy">
            Destroy session
          </Button>
        </>
      }
    >
      <div className="space-y-3 text-[13px]">
        <p>Kept in the trash first:</p>
        <ul className="list-disc space-y-1 pl-5 text-muted">
          <li>
            for each of <span className="font-mono text-fg">{s.repos.join(", ")}</span>: commits not on a remote, uncommitted and untracked changes, as a git
            bundle, a patch and a copy of new files, with a README on how to restore them;
          </li>
          <li>
            under <code className="font-mono text-fg">BUILDDIR/.trash/{s.id}</code>, for the server&apos;s trash retention period.
          </li>
        </ul>
        {s.results.some((r) => r.pushed) && <Notice tone="info">Work already pushed to a remote stays there.</Notice>}
        <ErrorBox error={destroy.error} title="Destroy failed; nothing was removed" />
      </div>
    </Dialog>
  );
}

export function SessionActions({ s }: { s: Session }) {
  const applySession = useApplySession();
  const start = useAction("session.start", { session_id: s.id }, applySession);
  const stop = useAction("session.stop", { session_id: s.id }, applySession);
  const [synced, setSynced] = useState<SyncResult | null>(null);
  const sync = useAction("session.sync", { session_id: s.id }, setSynced);
  const [dialog, setDialog] = useState<"finish" | "destroy" | null>(null);
  const error = start.error ?? stop.error ?? sync.error;
  const busy = start.pending || stop.pending || sync.pending;

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap items-center justify-end gap-2" data-testid="session-actions">
        {allows(s.state, "start") && (
          <Button variant="primary" icon={<IconPlay size={13} />} loading={start.pending} disabled={busy} onClick={() => void start.run()}>
            {s.state === "stopped" ? "Resume" : s.state === "failed" ? "Retry start" : "Start"}
          </Button>
        )}
        {allows(s.state, "stop") && (
          <Button icon={<IconStop size={13} />} loading={stop.pending} disabled={busy} onClick={() => void stop.run()}>
            Stop
          </Button>
        )}
        {allows(s.state, "sync") && (
          <Button icon={<IconSync size={13} />} loading={sync.pending} disabled={busy} onClick={() => (setSynced(null), void sync.run())} title="Bring upstream changes from CODEROOT in">
            Sync
          </Button>
        )}
        {allows(s.state, "finish") && (
          <Button icon={<IconFlag size={13} />} disabled={busy} onClick={() => setDialog("finish")}>
            Finish…
          </Button>
        )}
        {allows(s.state, "destroy") && (
          <Button variant="danger" icon={<IconTrash size={13} />} disabled={busy} onClick={() => setDialog("destroy")}>
            Destroy…
          </Button>
        )}
      </div>
      {error && (
        <ErrorBox
          error={error}
          title={start.error ? "Start failed" : stop.error ? "Stop failed" : "Sync failed"}
          onDismiss={() => (start.reset(), stop.reset(), sync.reset())}
          className="w-full max-w-xl"
        />
      )}
      {synced && (
        <Notice tone={synced.repos.some((r) => r.conflicts.length) ? "warn" : "ok"} className="max-w-xl">
          <span data-testid="sync-result">Synced. {syncSummary(synced)}.</span>{" "}
          <button type="button" className="text-xs text-muted underline" onClick={() => setSynced(null)}>
            Dismiss
          </button>
        </Notice>
      )}
      <FinishDialog s={s} open={dialog === "finish"} onClose={() => setDialog(null)} />
      <DestroyDialog s={s} open={dialog === "destroy"} onClose={() => setDialog(null)} />
    </div>
  );
}
