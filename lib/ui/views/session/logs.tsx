"use client";
/** Logs: the session's rsync / claude / container logs, virtualised, with a live tail, a filter and download. */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Session } from "@/lib/api/schemas";
import { useClient, usePrefix } from "../../client";
import { withPrefix } from "../../prefix";
import { useLogEvents } from "../../events";
import { LineStore, LogView } from "../../components/log-view";
import { IconArrowDown, IconDownload, IconRefresh, IconSearch } from "../../components/icons";
import { Button, buttonClass, cx, ErrorBox, Input, Segmented } from "../../components/ui";
import { count } from "../../format";
import { RpcError } from "../../api";

type Kind = "all" | "rsync" | "claude" | "container";
/** The most the API returns at once (session.logs `tail`). */
const TAIL = 10_000;

export function LogsTab({ s }: { s: Session }) {
  const client = useClient();
  const prefix = usePrefix();
  const [kind, setKind] = useState<Kind>("all");
  const [follow, setFollow] = useState(true);
  const [filter, setFilter] = useState("");
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<RpcError | null>(null);
  const [lines, setLines] = useState(0);
  const store = useRef(new LineStore()).current;
  const request = useRef(0);

  const load = useCallback(async () => {
    const n = ++request.current;
    setLoading(true);
    setError(null);
    try {
      const r = await client.call("session.logs", { session_id: s.id, kind, tail: TAIL });
      if (n !== request.current) return;
      store.replace(r.lines);
    } catch (err) {
      if (n === request.current) setError(err instanceof RpcError ? err : new RpcError(-32603, String(err)));
    } finally {
      if (n === request.current) setLoading(false);
    }
  }, [client, s.id, kind, store]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => store.subscribe(() => setLines(store.lines.length)), [store]);

  // Live tail: text appended to the session's logs arrives through the event stream.
  useLogEvents((l) => {
    if (l.session_id !== s.id || loading) return;
    if (kind === "all") store.appendText(l.text, `[${l.kind}] `);
    else if (l.kind === kind) store.appendText(l.text);
  });

  // The whole log, streamed from disk by the dashboard's download route (the view holds the last TAIL lines).
  const downloadHref = withPrefix(prefix, `/sessions/${s.id}/logs/${kind}`);

  return (
    <div className="space-y-3" data-testid="logs">
      <div className="flex flex-wrap items-center gap-2">
        <Segmented<Kind>
          label="Log"
          value={kind}
          onChange={setKind}
          options={[
            { value: "all", label: "All" },
            { value: "rsync", label: "rsync" },
            { value: "claude", label: "claude" },
            { value: "container", label: "container" },
          ]}
        />
        <div className="relative w-56">
          <IconSearch size={13} className="pointer-events-none absolute top-1/2 left-2.5 -translate-y-1/2 text-faint" />
          <Input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter lines…" aria-label="Filter log lines" className="h-7 pl-7 text-xs" />
        </div>
        <span className="text-xs text-muted tabular" data-testid="log-count">
          {count(lines)} lines{lines >= TAIL && kind !== "claude" ? ` (last ${count(TAIL)} shown; Download has them all)` : ""}
        </span>
        <div className="ml-auto flex items-center gap-2">
          <Button
            size="sm"
            variant={follow ? "primary" : "secondary"}
            aria-pressed={follow}
            icon={<IconArrowDown size={13} />}
            onClick={() => setFollow(!follow)}
            title="Keep the newest line in view"
          >
            Follow
          </Button>
          <Button size="sm" icon={<IconRefresh size={13} />} loading={loading} onClick={() => void load()}>
            Reload
          </Button>
          <a
            href={downloadHref}
            download={`${s.id}-${kind}.log`}
            aria-disabled={lines === 0 || undefined}
            className={buttonClass("secondary", "sm")}
            title="Download the whole log"
            data-testid="log-download"
          >
            <IconDownload size={13} />
            Download
          </a>
        </div>
      </div>
      {error && <ErrorBox error={error} title="The log could not be loaded" onRetry={() => void load()} />}
      <div className={cx(loading && lines === 0 && "opacity-60")}>
        <LogView
          store={store}
          follow={follow}
          onFollowChange={setFollow}
          filter={filter}
          emptyText={loading ? "Loading…" : kind === "all" ? "The session has no log lines yet." : `No ${kind} log lines yet.`}
        />
      </div>
    </div>
  );
}
