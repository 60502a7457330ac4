/** `session.*`: the lifecycle of a session (CONTRACT.md, "Session lifecycle"). */
import { z } from "zod";
import { defineMethod } from "./registry";
import { TranscriptEventSchema } from "../agent/transcript";
import { LIMITS, RepoNameSchema, SessionCreateParamsSchema, SessionIdSchema, SessionSchema, SessionStateSchema } from "./schemas";

const ById = z.strictObject({ session_id: SessionIdSchema });

export const ContainerStatusSchema = z.object({
  id: z.string(),
  status: z.string(),
  running: z.boolean(),
  started_at: z.string().nullable(),
  exit_code: z.number().nullable(),
  cpu_percent: z.number().nullable(),
  memory_bytes: z.number().nullable(),
  memory_limit_bytes: z.number().nullable(),
  pids: z.number().nullable(),
});

export const SessionInfoSchema = SessionSchema.extend({ container: ContainerStatusSchema.nullable() });

export const sessionMethods = {
  "session.create": defineMethod({
    name: "session.create",
    summary: "Create a session: copy the repos from CODEROOT into a private workspace (state created).",
    description: "Each repo (a name from repo.list) is copied with rsync, .git included and build output excluded.",
    params: SessionCreateParamsSchema,
    result: SessionSchema,
    errors: [-32003, -32005],
    handler: (p, { orchestrator, progress }) => orchestrator.createSession(p, progress),
  }),
  "session.start": defineMethod({
    name: "session.start",
    summary: "Start (or resume) the session's hardened container and the agent on its task (state running).",
    params: ById,
    result: SessionSchema,
    errors: [-32001, -32002, -32004, -32005, -32006],
    handler: ({ session_id }, { orchestrator, progress }) => orchestrator.startSession(session_id, progress),
  }),
  "session.stop": defineMethod({
    name: "session.stop",
    summary: "Stop the session's container (the agent is interrupted); the workspace and the conversation stay (state stopped).",
    params: ById,
    result: SessionSchema,
    errors: [-32001, -32002, -32004, -32006],
    handler: ({ session_id }, { orchestrator }) => orchestrator.stopSession(session_id),
  }),
  "session.exec": defineMethod({
    name: "session.exec",
    summary: "Run a command (an argument array, no shell) in the session's container as the agent user.",
    description: "For a shell, pass it yourself: [\"bash\", \"-lc\", \"...\"]. Output is capped at 1 MiB per stream.",
    params: z.strictObject({
      session_id: SessionIdSchema,
      command: z.array(z.string().refine((a) => !a.includes("\0"), "an argument cannot contain a NUL byte")).min(1, "command cannot be empty").max(4096),
      timeout_s: z.number().int().min(1).max(3600).optional(),
      cwd: z
        .string()
        .startsWith("/", "cwd is an absolute path inside the container, e.g. /workspace/code/my_repo")
        .refine((c) => !c.includes("\0"), "cwd cannot contain a NUL byte")
        .optional(),
    }),
    result: z.object({
      exit_code: z.number(),
      stdout: z.string(),
      stderr: z.string(),
      duration_ms: z.number(),
      timed_out: z.boolean(),
    }),
    errors: [-32001, -32002, -32004],
    handler: ({ session_id, ...p }, { orchestrator }) => orchestrator.execInSession(session_id, p),
  }),
  "session.prompt": defineMethod({
    name: "session.prompt",
    summary: "Send the agent a follow-up message; it resumes the same conversation (queued while the agent works).",
    params: z.strictObject({
      session_id: SessionIdSchema,
      message: z
        .string()
        .refine((t) => t.trim().length > 0, "the message cannot be empty")
        .refine((t) => new TextEncoder().encode(t).length <= LIMITS.taskBytes, `the message is at most ${LIMITS.taskBytes / 1024} KiB`),
    }),
    result: SessionSchema,
    errors: [-32001, -32002, -32006],
    handler: ({ session_id, message }, { orchestrator }) => orchestrator.promptSession(session_id, message),
  }),
  "session.transcript": defineMethod({
    name: "session.transcript",
    summary: "The agent's transcript as typed events (prompt, text, tool use, tool result, result, error) after `after`.",
    description: "Pass the returned `next` as `after` to read only new events.",
    params: z.strictObject({ session_id: SessionIdSchema, after: z.number().int().min(0).optional() }),
    result: z.object({ events: z.array(TranscriptEventSchema), next: z.number() }),
    errors: [-32001],
    handler: ({ session_id, after }, { orchestrator }) => orchestrator.sessionTranscript(session_id, after ?? 0),
  }),
  "session.diff": defineMethod({
    name: "session.diff",
    summary: "Per repo, the changed files and the unified patch of the session's work against its base (uncommitted and untracked included).",
    params: z.strictObject({ session_id: SessionIdSchema, repo: RepoNameSchema.optional() }),
    result: z.object({
      repos: z.array(
        z.object({
          name: z.string(),
          files: z.array(
            z.object({
              path: z.string(),
              status: z.enum(["added", "modified", "deleted", "renamed"]),
              additions: z.number(),
              deletions: z.number(),
              old_path: z.string().optional(),
              binary: z.boolean().optional(),
            }),
          ),
          patch: z.string(),
          truncated: z.boolean().optional(),
        }),
      ),
    }),
    errors: [-32001, -32002, -32005],
    handler: ({ session_id, repo }, { orchestrator }) => orchestrator.diffSession(session_id, repo),
  }),
  "session.finish": defineMethod({
    name: "session.finish",
    summary: "Commit each changed repo to the feature branch, push it and open a pull request; then state completed.",
    description:
      "Repos without changes are skipped (skipped_reason). A failure leaves the session as it was with what succeeded recorded in results; calling finish again continues.",
    params: z.strictObject({
      session_id: SessionIdSchema,
      title: z.string().max(256).optional(),
      body: z.string().max(65_536).optional(),
      draft: z.boolean().optional(),
    }),
    result: SessionSchema,
    errors: [-32001, -32002, -32003, -32005, -32006],
    handler: ({ session_id, ...p }, { orchestrator, progress }) => orchestrator.finishSession(session_id, p, progress),
  }),
  "session.sync": defineMethod({
    name: "session.sync",
    summary: "Bring upstream changes from CODEROOT into the session without losing any change the session made.",
    description:
      "Files changed only upstream arrive (updated); files changed both upstream and in the session stay as the session has them (conflicts).",
    params: ById,
    result: z.object({
      session_id: SessionIdSchema,
      repos: z.array(z.object({ name: z.string(), updated: z.array(z.string()), conflicts: z.array(z.string()) })),
    }),
    errors: [-32001, -32002, -32003, -32005, -32006],
    handler: ({ session_id }, { orchestrator, progress }) => orchestrator.syncSession(session_id, progress),
  }),
  "session.destroy": defineMethod({
    name: "session.destroy",
    summary: "Destroy a session: its container, workspace and record. Unpushed work is kept in BUILDDIR/.trash first.",
    params: ById,
    result: z.object({
      session_id: SessionIdSchema,
      destroyed: z.literal(true),
      trash: z.object({
        kept: z.boolean(),
        path: z.string().nullable(),
        repos: z.array(z.string()),
        keep_days: z.number(),
      }),
    }),
    errors: [-32001, -32002, -32005, -32006],
    handler: ({ session_id }, { orchestrator }) => orchestrator.destroySession(session_id),
  }),
  "session.list": defineMethod({
    name: "session.list",
    summary: "Sessions, newest first, optionally in one state, paged.",
    params: z.strictObject({
      state: SessionStateSchema.optional(),
      limit: z.number().int().min(1).max(1000).optional(),
      offset: z.number().int().min(0).optional(),
    }),
    result: z.object({ sessions: z.array(SessionSchema), total: z.number() }),
    handler: (p, { orchestrator }) => orchestrator.listSessions(p),
  }),
  "session.info": defineMethod({
    name: "session.info",
    summary: "One session, with its container's live status and resource use.",
    params: ById,
    result: SessionInfoSchema,
    errors: [-32001],
    handler: ({ session_id }, { orchestrator }) => orchestrator.sessionInfo(session_id),
  }),
  "session.logs": defineMethod({
    name: "session.logs",
    summary: "The tail of a session's rsync, claude or container log (or all three).",
    params: z.strictObject({
      session_id: SessionIdSchema,
      kind: z.enum(["rsync", "claude", "container", "all"]).optional(),
      tail: z.number().int().min(1).max(10_000).optional(),
    }),
    result: z.object({ session_id: SessionIdSchema, kind: z.string(), lines: z.array(z.string()) }),
    errors: [-32001],
    handler: ({ session_id, kind, tail }, { orchestrator }) => orchestrator.sessionLogs(session_id, kind ?? "all", tail ?? 200),
  }),
};
