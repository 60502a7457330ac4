/**
 * The operation log: what the orchestrator did, for `logs.get` and the dashboard.
 * Bounded twice: a ring in memory and a rotated JSON-lines file under BUILDDIR that is read back
 * at start-up, so the log survives restarts.
 */
import type { WriteStream } from "node:fs";
import { appendStream } from "../fsutil";
import { access, constants, mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { LogEntry } from "../api/schemas";
import { LOG_LEVELS } from "../api/schemas";

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface OpLogOptions {
  dir: string;
  ringSize?: number;
  maxFileBytes?: number;
  keepFiles?: number;
}

export class OpLog {
  private ring: LogEntry[] = [];
  private stream: WriteStream | undefined;
  private bytes = 0;
  private rotating: Promise<void> | undefined;
  private readonly file: string;
  private readonly ringSize: number;
  private readonly maxFileBytes: number;
  private readonly keepFiles: number;
  /** Called for every new entry (live views). */
  onEntry: ((e: LogEntry) => void) | undefined;

  constructor(private readonly opts: OpLogOptions) {
    this.file = path.join(opts.dir, "oplog.jsonl");
    this.ringSize = opts.ringSize ?? 10_000;
    this.maxFileBytes = opts.maxFileBytes ?? 8 * 1024 * 1024;
    this.keepFiles = opts.keepFiles ?? 3;
  }

  /** Read back what earlier runs wrote, then open the file for appending. */
  async open(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
    await access(this.opts.dir, constants.W_OK);
    const entries: LogEntry[] = [];
    for (let i = this.keepFiles; i >= 0; i--) {
      const text = await readFile(this.rotated(i), "utf8").catch(() => "");
      for (const line of text.split("\n")) {
        if (!line) continue;
        try {
          entries.push(JSON.parse(line) as LogEntry);
        } catch {
          // A torn last line from a crash: skip it.
        }
      }
    }
    this.ring = entries.slice(-this.ringSize);
    this.bytes = (await stat(this.file).catch(() => ({ size: 0 }))).size;
    this.stream = appendStream(this.file);
  }

  private rotated(i: number): string {
    return i === 0 ? this.file : path.join(this.opts.dir, `oplog.${i}.jsonl`);
  }

  /** Record one entry. Never throws: logging must not break an operation. */
  write(level: LogLevel, op: string, message: string, extra: { session_id?: string; data?: unknown } = {}): LogEntry {
    const entry: LogEntry = { ts: new Date().toISOString(), level, op, message };
    if (extra.session_id) entry.session_id = extra.session_id;
    if (extra.data !== undefined) entry.data = extra.data;
    this.ring.push(entry);
    if (this.ring.length > this.ringSize) this.ring.splice(0, this.ring.length - this.ringSize);
    const line = `${JSON.stringify(entry)}\n`;
    this.bytes += Buffer.byteLength(line);
    this.stream?.write(line);
    if (this.bytes > this.maxFileBytes && !this.rotating) {
      this.rotating = this.rotate().finally(() => (this.rotating = undefined));
    }
    this.onEntry?.(entry);
    return entry;
  }

  private async rotate(): Promise<void> {
    const old = this.stream;
    this.stream = undefined;
    await new Promise<void>((r) => (old ? old.end(r) : r()));
    await rm(this.rotated(this.keepFiles), { force: true });
    for (let i = this.keepFiles - 1; i >= 0; i--) {
      await rename(this.rotated(i), this.rotated(i + 1)).catch(() => {});
    }
    this.bytes = 0;
    this.stream = appendStream(this.file);
  }

  /** Entries matching the filters, oldest first, at most `limit` (the newest ones). */
  query(f: { session_id?: string; level?: LogLevel; since?: string; limit?: number }): LogEntry[] {
    const minLevel = f.level ? LOG_LEVELS.indexOf(f.level) : 0;
    const since = f.since ? Date.parse(f.since) : undefined;
    const limit = f.limit ?? 200;
    const out: LogEntry[] = [];
    for (let i = this.ring.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.ring[i]!;
      if (f.session_id && e.session_id !== f.session_id) continue;
      if (LOG_LEVELS.indexOf(e.level) < minLevel) continue;
      if (since !== undefined && Date.parse(e.ts) < since) break;
      out.push(e);
    }
    return out.reverse();
  }

  /** Forget everything, in memory and on disk; returns how many entries were in memory. */
  async clear(): Promise<number> {
    const n = this.ring.length;
    this.ring = [];
    await this.rotating;
    const old = this.stream;
    this.stream = undefined;
    await new Promise<void>((r) => (old ? old.end(r) : r()));
    for (let i = 0; i <= this.keepFiles; i++) await rm(this.rotated(i), { force: true });
    this.bytes = 0;
    this.stream = appendStream(this.file);
    return n;
  }

  async close(): Promise<void> {
    await this.rotating;
    const s = this.stream;
    this.stream = undefined;
    await new Promise<void>((r) => (s ? s.end(r) : r()));
  }
}
