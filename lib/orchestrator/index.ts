/** The orchestrator: one per process, shared by server.ts and the Next.js route handlers. */
import type { Config } from "../config";
import { createRuntime, type ContainerRuntime } from "../runtime";

export const VERSION: string = process.env.HERO_CLAUDE_VERSION ?? "0.1.0";

export class Orchestrator {
  readonly startedAt = Date.now();
  readonly runtime: ContainerRuntime;

  constructor(readonly config: Config) {
    this.runtime = createRuntime(config);
  }

  /** Load state from disk and reconcile; called once before the listeners open. */
  async init(): Promise<void> {}

  /** Session counts for server.info. */
  sessionCounts(): { total: number; by_state: Record<string, number> } {
    return { total: 0, by_state: {} };
  }

  /** Stop background work; called once on shutdown after the listeners closed. */
  async shutdown(): Promise<void> {}
}
