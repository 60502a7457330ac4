/** `logs.*`: the operation log. */
import { z } from "zod";
import { defineMethod } from "./registry";
import { LogEntrySchema, LogLevelSchema, SessionIdSchema } from "./schemas";

export const logsMethods = {
  "logs.get": defineMethod({
    name: "logs.get",
    summary: "Operation log entries, oldest first: filter by session, minimum level and time; the newest `limit`.",
    params: z.strictObject({
      session_id: SessionIdSchema.optional(),
      level: LogLevelSchema.optional(),
      since: z.iso.datetime({ offset: true, message: "since is an ISO 8601 time, e.g. 2026-01-31T12:00:00Z" }).optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
    }),
    result: z.array(LogEntrySchema),
    handler: (p, { orchestrator }) => orchestrator.oplog.query(p),
  }),
  "logs.clear": defineMethod({
    name: "logs.clear",
    summary: "Clear the operation log (memory and files).",
    params: z.strictObject({}),
    result: z.object({ cleared: z.number() }),
    handler: async (_p, { orchestrator }) => ({ cleared: await orchestrator.oplog.clear() }),
  }),
};
