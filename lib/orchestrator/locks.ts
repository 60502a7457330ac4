/** Per-session locks: calls on one session never interleave; calls on different sessions run in parallel. */
import { Busy } from "../errors";

interface Holder {
  op: string;
  release: Promise<void>;
}

export class SessionLocks {
  private readonly held = new Map<string, Holder>();

  /** Whether an operation holds the session now, and which. */
  holder(id: string): string | undefined {
    return this.held.get(id)?.op;
  }

  /**
   * Run `fn` holding the session's lock. If another operation holds it, wait up to `waitMs`
   * for it, then fail with -32006 naming that operation.
   */
  async run<T>(id: string, op: string, fn: () => Promise<T>, waitMs = 1500): Promise<T> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const current = this.held.get(id);
      if (!current) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Busy(`session ${id} is busy: ${current.op} is in progress; retry when it ends`, {
          session_id: id,
          operation: current.op,
        });
      }
      await Promise.race([current.release, new Promise((r) => setTimeout(r, left))]);
    }
    let release!: () => void;
    const holder: Holder = { op, release: new Promise<void>((r) => (release = r)) };
    this.held.set(id, holder);
    try {
      return await fn();
    } finally {
      this.held.delete(id);
      release();
    }
  }
}

/** A counting semaphore bounding how many heavy jobs (rsync copies) run at once. */
export class Semaphore {
  private waiting: (() => void)[] = [];
  private active = 0;
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
