/**
 * The shared zod schemas of the contract's records. Free of server-only imports, so the dashboard's
 * forms validate with exactly what the server validates.
 */
import { z } from "zod";

export const SESSION_STATES = ["created", "running", "stopped", "completing", "completed", "failed", "destroyed"] as const;
export const SessionStateSchema = z.enum(SESSION_STATES);
export type SessionState = z.infer<typeof SessionStateSchema>;

/** The lifecycle calls whose permission depends on the session's state. */
export type SessionCall = "start" | "stop" | "prompt" | "finish" | "destroy" | "sync" | "exec" | "diff";

/**
 * The state machine of the contract, in one table: which call is allowed in which state. The
 * orchestrator enforces it (-32002); the dashboard reads it to offer only the allowed buttons.
 */
export const ALLOWED_CALLS: Record<SessionState, readonly SessionCall[]> = {
  created: ["start", "destroy", "sync", "diff"],
  running: ["stop", "prompt", "finish", "destroy", "sync", "exec", "diff"],
  stopped: ["start", "destroy", "sync", "diff", "finish"],
  completing: [],
  completed: ["destroy", "diff"],
  failed: ["start", "finish", "destroy", "diff", "sync"],
  destroyed: [],
};

export const AGENT_STATES = ["idle", "working", "done", "failed"] as const;
export const AgentStateSchema = z.enum(AGENT_STATES);

export const SessionIdSchema = z
  .string()
  .regex(/^[0-9a-f]{8}$/, "a session id is 8 lowercase hex characters, e.g. a1b2c3d4");

/**
 * A repository name: a path below CODEROOT, one or two segments (`hero_lib`, `org/hero_lib`).
 * This checks the shape; the server also resolves it on disk (no symlink out of CODEROOT).
 */
export const RepoNameSchema = z
  .string()
  .min(1, "a repository name cannot be empty")
  .max(255, "a repository name is at most 255 characters")
  .refine((s) => !s.includes("\0"), "a repository name cannot contain a NUL byte")
  .refine((s) => !s.startsWith("/"), "a repository name is relative to CODEROOT, never an absolute path")
  .refine((s) => !/[\x00-\x1f\x7f\\]/.test(s), "a repository name cannot contain control characters or backslashes")
  .refine(
    (s) => s.split("/").every((seg) => seg !== "" && seg !== "." && seg !== ".."),
    "a repository name cannot contain empty, '.' or '..' segments",
  )
  .refine((s) => s.split("/").length <= 2, "a repository name has at most two segments (org/repo)")
  .refine((s) => s.split("/").every((seg) => !seg.startsWith("-")), "a repository name segment cannot start with '-'");

export const RepoSchema = z.object({
  name: z.string(),
  path: z.string(),
  branch: z.string().nullable(),
  remote_url: z.string().nullable(),
  head: z
    .object({ sha: z.string(), subject: z.string(), date: z.string() })
    .nullable(),
  dirty: z.boolean(),
});
export type Repo = z.infer<typeof RepoSchema>;

export const RepoInfoSchema = RepoSchema.extend({
  branches: z.array(z.string()),
  size_bytes: z.number(),
  file_count: z.number(),
  recent_commits: z.array(z.object({ sha: z.string(), subject: z.string(), author: z.string(), date: z.string() })),
});
export type RepoInfo = z.infer<typeof RepoInfoSchema>;

export const AgentSchema = z.object({
  state: AgentStateSchema,
  claude_session_id: z.string().nullable(),
  turns: z.number(),
  cost_usd: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  last_result: z.string().nullable(),
});

export const ResultSchema = z.object({
  repo: z.string(),
  branch: z.string().nullable(),
  commit: z.string().nullable(),
  pushed: z.boolean(),
  pr_url: z.string().nullable(),
  skipped_reason: z.string().nullable(),
  /** Why no pull request was opened (no token, unknown forge), or what else a user should know. */
  note: z.string().nullable().optional(),
  /** The page a user opens to make the pull request by hand. */
  compare_url: z.string().nullable().optional(),
});

export const SessionSchema = z.object({
  id: SessionIdSchema,
  name: z.string(),
  state: SessionStateSchema,
  repos: z.array(z.string()),
  task: z.string(),
  image: z.string(),
  cpu: z.number(),
  memory_gb: z.number(),
  mcp_servers: z.array(z.string()),
  branch: z.string(),
  container_id: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
  error: z.string().nullable(),
  agent: AgentSchema,
  results: z.array(ResultSchema),
});
export type Session = z.infer<typeof SessionSchema>;

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export const LogLevelSchema = z.enum(LOG_LEVELS);
export const LogEntrySchema = z.object({
  ts: z.string(),
  level: LogLevelSchema,
  op: z.string(),
  session_id: z.string().optional(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;

/** Limits on user input, shared by the form and the server. */
export const LIMITS = {
  taskBytes: 256 * 1024,
  repos: 32,
  nameChars: 64,
} as const;

export const SessionNameSchema = z
  .string()
  .min(1, "a session name cannot be empty")
  .max(LIMITS.nameChars, `a session name is at most ${LIMITS.nameChars} characters`)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a session name uses letters, digits, '.', '_' and '-' and starts with a letter or digit");

/** An MCP server for the agent: `https://host/mcp`, `name=https://host/mcp`, or a JSON object with a `name`. */
export const McpServerEntrySchema = z
  .string()
  .min(1)
  .max(2048)
  .refine((entry) => {
    const t = entry.trim();
    if (t.startsWith("{")) {
      try {
        const v = JSON.parse(t) as unknown;
        return typeof v === "object" && v !== null && !Array.isArray(v);
      } catch {
        return false;
      }
    }
    const eq = t.indexOf("=");
    const url = eq > 0 && !t.slice(0, eq).includes("/") ? t.slice(eq + 1) : t;
    try {
      return ["http:", "https:"].includes(new URL(url).protocol);
    } catch {
      return false;
    }
  }, "an MCP server is an http(s) URL, name=URL, or a JSON object with its configuration");

export const SessionCreateParamsSchema = z.strictObject({
  repos: z
    .array(RepoNameSchema)
    .min(1, "pick at least one repository")
    .max(LIMITS.repos, `at most ${LIMITS.repos} repositories per session`)
    .refine((r) => new Set(r).size === r.length, "a repository is listed twice"),
  task: z
    .string()
    .refine((t) => t.trim().length > 0, "the task cannot be empty")
    .refine((t) => new TextEncoder().encode(t).length <= LIMITS.taskBytes, `the task is at most ${LIMITS.taskBytes / 1024} KiB`),
  name: SessionNameSchema.optional(),
  image: z.string().min(1).max(255).regex(/^[A-Za-z0-9][A-Za-z0-9._\/:@-]*$/, "not a valid image reference").optional(),
  cpu: z.number().positive().max(64).optional(),
  memory_gb: z.number().positive().max(512).optional(),
  mcp_servers: z.array(McpServerEntrySchema).max(32).optional(),
});
