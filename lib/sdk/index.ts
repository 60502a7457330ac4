/**
 * hero-claude/sdk: a typed client for the hero_claude JSON-RPC API over its Unix socket (or TCP).
 *
 * ```ts
 * import { createClient, SessionNotFoundError } from "hero-claude/sdk";
 * const client = createClient();
 * const repos = await client.repo.list();
 * const session = await client.session.create({ repos: ["hero_lib"], task: "Fix the flaky test" });
 * for await (const ev of client.watch(session.id)) console.log(ev.event);
 * ```
 */
export { createClient, type ClientOptions, type HeroClaudeClient, type WaitOptions } from "./client";
export * from "./errors";
export { SseParser, type SseMessage } from "./sse";
export { defaultSocketPath } from "./transport";
export type * from "./types";
export { Watch, type SessionUpdate, type WatchEvent, type WatchOptions } from "./watch";
