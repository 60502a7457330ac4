"use client";
/** Terminal: run one command at a time in the session's container (`session.exec`), with history. */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import type { Session } from "@/lib/api/schemas";
import { RpcError, type ResultOf } from "../../api";
import { useClient } from "../../client";
import { allows } from "../../components/session";
import { IconTerminal, IconTrash } from "../../components/icons";
import { Badge, Button, Card, cx, EmptyState, Kbd, Select, Spinner } from "../../components/ui";
import { duration, timeOfDay } from "../../format";

type ExecResult = ResultOf<"session.exec">;

interface Entry {
  id: number;
  command: string;
  cwd: string;
  at: string;
  result?: ExecResult;
  error?: { code: number; message: string };
}

const WORKDIR = "/workspace/code";
const KEEP = 50;
const KEEP_OUTPUT = 64 * 1024;

function storageKey(id: string) {
  return `hero_claude.terminal.${id}`;
}

function loadHistory(id: string): Entry[] {
  try {
    const v = JSON.parse(sessionStorage.getItem(storageKey(id)) ?? "[]") as Entry[];
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

function saveHistory(id: string, entries: Entry[]) {
  const trimmed = entries.slice(-KEEP).map((e) =>
    e.result ? { ...e, result: { ...e.result, stdout: e.result.stdout.slice(-KEEP_OUTPUT), stderr: e.result.stderr.slice(-KEEP_OUTPUT) } } : e,
  );
  try {
    sessionStorage.setItem(storageKey(id), JSON.stringify(trimmed));
  } catch {
    // storage full: history stays in memory
  }
}

function Output({ e }: { e: Entry }) {
  return (
    <div className="group" data-testid="terminal-entry">
      <div className="flex items-center gap-2">
        <span className="text-accent select-none">❯</span>
        <span className="min-w-0 flex-1 font-semibold break-all whitespace-pre-wrap text-fg">{e.command}</span>
        <span className="shrink-0 text-[11px] text-faint">
          {e.cwd !== WORKDIR && <span className="mr-2">{e.cwd.replace(`${WORKDIR}/`, "")}</span>}
          {timeOfDay(e.at)}
        </span>
      </div>
      {!e.result && !e.error && (
        <div className="mt-1 flex items-center gap-2 text-muted">
          <Spinner size={12} /> running…
        </div>
      )}
      {e.error && (
        <div className="mt-1 text-danger" role="alert">
          {e.error.message}
        </div>
      )}
      {e.result && (
        <>
          {e.result.stdout && <pre className="mt-1 whitespace-pre-wrap break-words text-fg/90" data-testid="terminal-stdout">{e.result.stdout.replace(/\n$/, "")}</pre>}
          {e.result.stderr && <pre className="mt-1 whitespace-pre-wrap break-words text-danger" data-testid="terminal-stderr">{e.result.stderr.replace(/\n$/, "")}</pre>}
          <div className="mt-1.5 flex items-center gap-2 font-sans">
            <Badge tone={e.result.exit_code === 0 ? "ok" : "danger"}>
              <span data-testid="exit-code">exit {e.result.exit_code}</span>
            </Badge>
            {e.result.timed_out && <Badge tone="warn">timed out</Badge>}
            <span className="text-[11px] text-faint">{duration(e.result.duration_ms)}</span>
          </div>
        </>
      )}
    </div>
  );
}

export function TerminalTab({ s }: { s: Session }) {
  const client = useClient();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [command, setCommand] = useState("");
  const [cwd, setCwd] = useState(WORKDIR);
  const [timeout, setTimeoutS] = useState(60);
  const [cursor, setCursor] = useState<number | null>(null);
  const [running, setRunning] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const enabled = allows(s.state, "exec");

  useEffect(() => setEntries(loadHistory(s.id)), [s.id]);
  useLayoutEffect(() => {
    if (scroller.current) scroller.current.scrollTop = scroller.current.scrollHeight;
  }, [entries]);

  const commands = entries.map((e) => e.command);

  const run = async () => {
    const cmd = command.trim();
    if (!cmd || running) return;
    const entry: Entry = { id: Date.now(), command: cmd, cwd, at: new Date().toISOString() };
    setEntries((list) => [...list, entry]);
    setCommand("");
    setCursor(null);
    setRunning(true);
    let done: Entry;
    try {
      const result = await client.call("session.exec", { session_id: s.id, command: ["bash", "-lc", cmd], cwd, timeout_s: timeout });
      done = { ...entry, result };
    } catch (err) {
      done = { ...entry, error: { code: err instanceof RpcError ? err.code : 0, message: (err as Error).message } };
    }
    setRunning(false);
    setEntries((list) => {
      const next = list.map((e) => (e.id === entry.id ? done : e));
      saveHistory(s.id, next);
      return next;
    });
    requestAnimationFrame(() => input.current?.focus());
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter") {
      e.preventDefault();
      void run();
    } else if (e.key === "ArrowUp" && commands.length) {
      e.preventDefault();
      const i = cursor === null ? commands.length - 1 : Math.max(0, cursor - 1);
      setCursor(i);
      setCommand(commands[i]!);
    } else if (e.key === "ArrowDown" && cursor !== null) {
      e.preventDefault();
      const i = cursor + 1;
      if (i >= commands.length) {
        setCursor(null);
        setCommand("");
      } else {
        setCursor(i);
        setCommand(commands[i]!);
      }
    } else if (e.key === "l" && e.ctrlKey) {
      e.preventDefault();
      setEntries([]);
      saveHistory(s.id, []);
    }
  };

  return (
    <Card className="overflow-hidden" data-testid="terminal">
      <div className="flex flex-wrap items-center gap-2 border-b border-line px-3 py-2">
        <IconTerminal size={14} className="text-muted" />
        <span className="text-[13px] font-medium">Container shell</span>
        <span className="text-xs text-muted">bash -lc, as the agent user</span>
        <div className="ml-auto flex items-center gap-2">
          <Select value={cwd} onChange={(e) => setCwd(e.target.value)} aria-label="Working directory" className="h-7 w-64 font-mono text-xs">
            <option value={WORKDIR}>{WORKDIR}</option>
            {s.repos.map((r) => (
              <option key={r} value={`${WORKDIR}/${r}`}>
                {`${WORKDIR}/${r}`}
              </option>
            ))}
          </Select>
          <Select value={timeout} onChange={(e) => setTimeoutS(Number(e.target.value))} aria-label="Timeout" className="h-7 w-24 text-xs">
            <option value={30}>30 s</option>
            <option value={60}>1 min</option>
            <option value={300}>5 min</option>
            <option value={900}>15 min</option>
          </Select>
          <Button
            size="sm"
            variant="ghost"
            icon={<IconTrash size={13} />}
            onClick={() => {
              setEntries([]);
              saveHistory(s.id, []);
            }}
            disabled={entries.length === 0}
            title="Clear (Ctrl+L)"
          >
            Clear
          </Button>
        </div>
      </div>
      <div ref={scroller} className="h-[calc(100vh-420px)] min-h-[320px] space-y-4 overflow-y-auto bg-surface-2/40 px-4 py-3 font-mono text-[12.5px] leading-[1.55]">
        {entries.length === 0 ? (
          <EmptyState icon={<IconTerminal size={18} />} title={enabled ? "Run a command in the container" : "The container is not running"} className="h-full font-sans">
            {enabled ? (
              <>
                For example <code className="font-mono">git status</code> or <code className="font-mono">ls</code>. <Kbd>↑</Kbd> <Kbd>↓</Kbd> walk the history.
              </>
            ) : (
              "Start the session to run commands in its container."
            )}
          </EmptyState>
        ) : (
          entries.map((e) => <Output key={e.id} e={e} />)
        )}
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
        className={cx("flex items-center gap-2 border-t border-line px-3 py-2", !enabled && "opacity-60")}
      >
        <span className="font-mono text-accent select-none">❯</span>
        <input
          ref={input}
          value={command}
          onChange={(e) => setCommand(e.target.value)}
          onKeyDown={onKey}
          disabled={!enabled}
          placeholder={enabled ? "git status" : "the container is not running"}
          aria-label="Command"
          spellCheck={false}
          autoComplete="off"
          className="h-8 flex-1 bg-transparent font-mono text-[13px] outline-none placeholder:text-faint"
          data-testid="terminal-input"
        />
        <Button type="submit" size="sm" variant="primary" loading={running} disabled={!enabled || !command.trim()}>
          Run
        </Button>
      </form>
    </Card>
  );
}
