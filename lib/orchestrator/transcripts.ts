/** Per-session transcripts: typed events numbered by `seq`, appended to state/transcript.jsonl. */
import { appendFile, readFile } from "node:fs/promises";
import type { TranscriptEvent, TranscriptEventDraft } from "../agent/transcript";
import { sessionPaths } from "./paths";

export class TranscriptStore {
  private readonly cache = new Map<string, TranscriptEvent[]>();
  private readonly loading = new Map<string, Promise<TranscriptEvent[]>>();

  constructor(private readonly builddir: string) {}

  private async events(id: string): Promise<TranscriptEvent[]> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    let pending = this.loading.get(id);
    if (!pending) {
      pending = readFile(sessionPaths(this.builddir, id).transcript, "utf8")
        .catch(() => "")
        .then((text) => {
          const events: TranscriptEvent[] = [];
          for (const line of text.split("\n")) {
            if (!line) continue;
            try {
              events.push(JSON.parse(line) as TranscriptEvent);
            } catch {
              // A torn last line from a crash: the raw stream is still in logs/claude.log.
            }
          }
          this.cache.set(id, events);
          this.loading.delete(id);
          return events;
        });
      this.loading.set(id, pending);
    }
    return pending;
  }

  /** Number and store new events; returns them with their `seq`. */
  async append(id: string, drafts: TranscriptEventDraft[]): Promise<TranscriptEvent[]> {
    if (drafts.length === 0) return [];
    const events = await this.events(id);
    let seq = events.length > 0 ? events[events.length - 1]!.seq : 0;
    const added = drafts.map((d) => ({ ...d, seq: ++seq }) as TranscriptEvent);
    events.push(...added);
    await appendFile(sessionPaths(this.builddir, id).transcript, added.map((e) => `${JSON.stringify(e)}\n`).join(""));
    return added;
  }

  /** Events with `seq > after`, at most `limit`; `next` is the `after` to pass next time. */
  async after(id: string, after: number, limit = 1000): Promise<{ events: TranscriptEvent[]; next: number }> {
    const all = await this.events(id);
    // seq is 1-based and dense, so the index of seq `after + 1` is `after`.
    const events = all.slice(Math.max(0, after), Math.max(0, after) + limit);
    return { events, next: events.length ? events[events.length - 1]!.seq : Math.max(after, 0) };
  }

  forget(id: string): void {
    this.cache.delete(id);
  }
}
