"use client";
/**
 * A virtualised log: fixed-height rows, only the visible ones (plus a margin) in the DOM, so
 * 100 000 lines scroll as smoothly as 100. Lines live in a `LineStore` outside React state; appends
 * are O(new lines) and re-render only the window. Follow mode keeps the newest line in view until
 * the user scrolls up.
 */
import { useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { cx } from "./ui";

const ROW = 18;
const OVERSCAN = 24;
const MAX_LINES = 500_000;

/** Log lines with an append API; `version` changes on every change (for useSyncExternalStore). */
export class LineStore {
  lines: string[] = [];
  /** Lines dropped from the front to stay under MAX_LINES (keeps line numbers true). */
  dropped = 0;
  version = 0;
  longest = 0;
  private partial = "";
  private readonly listeners = new Set<() => void>();

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  };
  getVersion = () => this.version;

  private changed() {
    if (this.lines.length > MAX_LINES) {
      const extra = this.lines.length - MAX_LINES;
      this.lines.splice(0, extra);
      this.dropped += extra;
    }
    this.version++;
    for (const l of this.listeners) l();
  }

  private measure(lines: string[]) {
    for (const l of lines) if (l.length > this.longest) this.longest = l.length;
  }

  replace(lines: string[]): void {
    this.lines = lines.slice();
    this.dropped = 0;
    this.partial = "";
    this.longest = 0;
    this.measure(this.lines);
    this.changed();
  }

  /** Append complete lines. */
  append(lines: string[]): void {
    if (lines.length === 0) return;
    this.measure(lines);
    for (const l of lines) this.lines.push(l);
    this.changed();
  }

  /** Append raw text; a trailing partial line waits for its newline. */
  appendText(text: string, prefix = ""): void {
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    this.append(parts.map((p) => prefix + p.replace(/\r$/, "")));
  }
}

function tone(line: string): string | undefined {
  if (/\b(error|fatal|failed|denied)\b/i.test(line) || line.includes("[claude stderr]")) return "text-danger";
  if (/\bwarn(ing)?\b/i.test(line)) return "text-warn";
  if (line.startsWith("#") || line.startsWith("$ ") || /^\[\w+\] #/.test(line)) return "text-faint";
  return undefined;
}

export function LogView({
  store,
  follow,
  onFollowChange,
  filter = "",
  height = "min(68vh, 720px)",
  emptyText = "No lines yet.",
}: {
  store: LineStore;
  follow: boolean;
  onFollowChange: (follow: boolean) => void;
  filter?: string;
  height?: string;
  emptyText?: string;
}) {
  const version = useSyncExternalStore(store.subscribe, store.getVersion, store.getVersion);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const programmatic = useRef(false);

  // Indexes of the lines that match the filter (all lines when there is none).
  const needle = filter.trim().toLowerCase();
  const matches = useMemo(() => {
    if (!needle) return null;
    const out: number[] = [];
    const lines = store.lines;
    for (let i = 0; i < lines.length; i++) if (lines[i]!.toLowerCase().includes(needle)) out.push(i);
    return out;
    // version: recompute when lines change
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [needle, version, store]);
  const count = matches ? matches.length : store.lines.length;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    setViewport(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  // Follow: keep the last line in view as lines arrive.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !follow) return;
    const bottom = Math.max(0, count * ROW - el.clientHeight);
    if (Math.abs(el.scrollTop - bottom) > 1) {
      programmatic.current = true;
      el.scrollTop = bottom;
    }
    setScrollTop(el.scrollTop);
  }, [count, follow, viewport]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    if (programmatic.current) {
      programmatic.current = false;
      return;
    }
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW * 1.5;
    if (follow && !atBottom) onFollowChange(false);
    else if (!follow && atBottom && count > 0) onFollowChange(true);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / ROW) + OVERSCAN);
  const rows: { n: number; text: string }[] = [];
  for (let i = first; i < last; i++) {
    const idx = matches ? matches[i]! : i;
    rows.push({ n: idx + 1 + store.dropped, text: store.lines[idx] ?? "" });
  }
  const digits = String(store.lines.length + store.dropped).length;
  const gutter = `${Math.max(4, digits) + 2}ch`;

  return (
    <div
      ref={scroller}
      onScroll={onScroll}
      tabIndex={0}
      role="log"
      aria-label="Log lines"
      aria-live="off"
      data-testid="log-view"
      data-lines={count}
      className="relative overflow-auto rounded-lg border border-line bg-surface font-mono text-[12px] leading-[18px] [overflow-anchor:none] focus:outline-none focus-visible:ring-2 focus-visible:ring-ring"
      style={{ height }}
    >
      {count === 0 ? (
        <div className="flex h-full items-center justify-center font-sans text-[13px] text-muted">{needle ? `No line matches “${filter.trim()}”.` : emptyText}</div>
      ) : (
        <div style={{ height: count * ROW, minWidth: `calc(${Math.min(store.longest, 4000)}ch + ${gutter} + 2rem)` }} className="relative">
          <div style={{ transform: `translateY(${first * ROW}px)` }} className="absolute inset-x-0 top-0">
            {rows.map((r) => (
              <div key={r.n} className="flex h-[18px] whitespace-pre hover:bg-surface-2" data-line={r.n}>
                <span className="sticky left-0 shrink-0 border-r border-line bg-surface-2 pr-2 text-right text-faint select-none tabular" style={{ width: gutter }}>
                  {r.n}
                </span>
                <span className={cx("pl-3", tone(r.text))}>{r.text || " "}</span>
              </div>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}
