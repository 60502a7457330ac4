/**
 * Terminal output: colours only on a TTY (never with NO_COLOR or --no-color), aligned tables,
 * key/value blocks, and JSON for `--json` (stdout only carries the JSON then).
 */

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  magenta(s: string): string;
  cyan(s: string): string;
}

const plain: Style = {
  bold: (s) => s,
  dim: (s) => s,
  red: (s) => s,
  green: (s) => s,
  yellow: (s) => s,
  blue: (s) => s,
  magenta: (s) => s,
  cyan: (s) => s,
};

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const ansi: Style = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  blue: sgr(34, 39),
  magenta: sgr(35, 39),
  cyan: sgr(36, 39),
};

/** Whether a stream gets colours: a TTY, no NO_COLOR (any value), not TERM=dumb, not --no-color. */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== "")) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "") return true;
  return !!stream.isTTY && env.TERM !== "dumb";
}

export function style(color: boolean): Style {
  return color ? ansi : plain;
}

// eslint-disable-next-line no-control-regex
const ANSI_RE = /\x1b\[[0-9;]*m/g;
export const visibleLength = (s: string) => s.replace(ANSI_RE, "").length;

/** Shorten to `max` characters on one line (newlines become ⏎). */
export function oneLine(s: string, max = 100): string {
  const flat = s.trim().replace(/\s*\n\s*/g, " ⏎ ").replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, Math.max(1, max - 1))}…` : flat;
}

/** An aligned table; the last column is not padded. */
export function table(headers: string[], rows: string[][], st: Style): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat(Math.max(0, widths[i]! - visibleLength(c)))))
      .join("  ")
      .trimEnd();
  return [st.bold(line(headers)), ...rows.map(line)].join("\n");
}

/** `key  value` lines, keys aligned. */
export function keyValues(pairs: [string, string][], st: Style): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${st.dim(k.padEnd(w))}  ${v}`).join("\n");
}

/** "3m ago", "2h ago", from an ISO time. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  const h = Math.floor(seconds / 3600);
  return h < 48 ? `${h}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}m` : `${Math.floor(h / 24)}d${h % 24}h`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export const usd = (n: number) => `$${n.toFixed(n >= 1 ? 2 : 4)}`;

/** Print machine output: one JSON document and a newline. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
