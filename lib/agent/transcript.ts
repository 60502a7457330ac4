/**
 * The transcript parser: Claude Code's `-p --output-format stream-json --verbose` lines → typed events.
 *
 * - Input arrives in arbitrary chunks (strings or bytes, split anywhere, even inside a UTF-8
 *   character); `StreamJsonParser` reassembles lines and never throws.
 * - One stream-json object maps to zero or more events (`toEvents`): an assistant message with
 *   several content blocks gives several events, a user message one `tool_result` per block.
 * - Nothing is dropped: objects of types we do not model become `unknown` (raw kept), and lines
 *   that are not JSON become `error` events carrying the raw text.
 * - `seq` is assigned by the caller (the transcript store); `ts` is the CLI's own timestamp when the
 *   line has one, else the time of parsing.
 */
import { z } from "zod";

const base = {
  seq: z.number().int().nonnegative(),
  ts: z.iso.datetime({ offset: true }),
};

/** Set on events from a subagent (Task tool): the id of the tool call that started it. */
const parentToolUseId = z.string().nullable().optional();

export const SystemEventSchema = z.object({
  ...base,
  type: z.literal("system"),
  /** Claude Code's own session id (what `--resume` takes), not a hero_claude session id. */
  session_id: z.string(),
  model: z.string(),
  cwd: z.string(),
  tools: z.array(z.string()),
  mcp_servers: z.array(z.object({ name: z.string(), status: z.string() })),
  permission_mode: z.string().optional(),
  claude_code_version: z.string().optional(),
});

export const UserPromptEventSchema = z.object({
  ...base,
  type: z.literal("user_prompt"),
  text: z.string(),
});

export const AssistantTextEventSchema = z.object({
  ...base,
  type: z.literal("assistant_text"),
  text: z.string(),
  parent_tool_use_id: parentToolUseId,
});

export const ToolUseEventSchema = z.object({
  ...base,
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
  parent_tool_use_id: parentToolUseId,
});

export const ToolResultEventSchema = z.object({
  ...base,
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.string(),
  is_error: z.boolean(),
  parent_tool_use_id: parentToolUseId,
});

export const UsageSchema = z.object({
  input_tokens: z.number().nonnegative(),
  output_tokens: z.number().nonnegative(),
  cache_creation_input_tokens: z.number().nonnegative().optional(),
  cache_read_input_tokens: z.number().nonnegative().optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const ResultEventSchema = z.object({
  ...base,
  type: z.literal("result"),
  /** `success`, `error_max_turns`, `error_during_execution`, …; an API failure is `success` with is_error. */
  subtype: z.string(),
  is_error: z.boolean(),
  /** The final text, or the CLI's own error message when is_error. */
  result: z.string(),
  /** Turns of this invocation. */
  num_turns: z.number().nonnegative(),
  /** Cost of the whole Claude session so far (the CLI carries it across `--resume`). */
  total_cost_usd: z.number().nonnegative(),
  duration_ms: z.number().nonnegative(),
  /** Tokens of this invocation. */
  usage: UsageSchema,
  /** Tokens of the whole Claude session so far, summed over models (from `modelUsage`), when reported. */
  session_usage: UsageSchema.optional(),
  session_id: z.string(),
  /** HTTP status of the API error that ended the run, if any. */
  api_error_status: z.number().nullable().optional(),
});

export const ErrorEventSchema = z.object({
  ...base,
  type: z.literal("error"),
  message: z.string(),
  /** The offending line, for lines that are not JSON. */
  raw: z.string().optional(),
  /** HTTP status, for an API error the CLI reported as a synthetic assistant message. */
  api_error_status: z.number().nullable().optional(),
});

export const UnknownEventSchema = z.object({
  ...base,
  type: z.literal("unknown"),
  raw: z.unknown(),
});

export const TranscriptEventSchema = z.discriminatedUnion("type", [
  SystemEventSchema,
  UserPromptEventSchema,
  AssistantTextEventSchema,
  ToolUseEventSchema,
  ToolResultEventSchema,
  ResultEventSchema,
  ErrorEventSchema,
  UnknownEventSchema,
]);
export type TranscriptEvent = z.infer<typeof TranscriptEventSchema>;
export type TranscriptEventType = TranscriptEvent["type"];

/** `Omit` that keeps the union discriminated. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before the store numbers it. */
export type TranscriptEventDraft = DistributiveOmit<TranscriptEvent, "seq">;

/** One complete line of input and what it became. */
export interface ParsedLine {
  /** The line as received, without its line ending. */
  raw: string;
  /** The parsed JSON value, or undefined when the line is not JSON. */
  value: unknown;
  events: TranscriptEventDraft[];
}

export interface ParseOptions {
  /** The clock for events whose line has no timestamp of its own. */
  now?: () => string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}

function num(value: unknown, fallback = 0): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : fallback;
}

const isoDateTime = z.iso.datetime({ offset: true });

function tsOf(obj: Json, now: () => string): string {
  const ts = obj.timestamp;
  return typeof ts === "string" && isoDateTime.safeParse(ts).success ? ts : now();
}

function defaultNow(): string {
  return new Date().toISOString();
}

/** Tool result content is a string or a list of blocks; images and documents become placeholders. */
function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? "" : JSON.stringify(content);
  return content
    .map((block) => {
      if (!isObject(block)) return typeof block === "string" ? block : JSON.stringify(block);
      if (block.type === "text") return str(block.text);
      return `[${str(block.type, "block")}]`;
    })
    .join("\n");
}

function usageOf(value: unknown): Usage {
  const u = isObject(value) ? value : {};
  const usage: Usage = { input_tokens: num(u.input_tokens), output_tokens: num(u.output_tokens) };
  if (typeof u.cache_creation_input_tokens === "number") usage.cache_creation_input_tokens = num(u.cache_creation_input_tokens);
  if (typeof u.cache_read_input_tokens === "number") usage.cache_read_input_tokens = num(u.cache_read_input_tokens);
  return usage;
}

/** Sum `modelUsage` (camelCase, per model, session-cumulative) into one Usage. */
function sessionUsageOf(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  const models = Object.values(value).filter(isObject);
  if (models.length === 0) return undefined;
  const total: Usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  for (const m of models) {
    total.input_tokens += num(m.inputTokens);
    total.output_tokens += num(m.outputTokens);
    total.cache_creation_input_tokens = (total.cache_creation_input_tokens ?? 0) + num(m.cacheCreationInputTokens);
    total.cache_read_input_tokens = (total.cache_read_input_tokens ?? 0) + num(m.cacheReadInputTokens);
  }
  return total;
}

function parentOf(obj: Json): string | null | undefined {
  const p = obj.parent_tool_use_id;
  return typeof p === "string" || p === null ? p : undefined;
}

function systemEvents(obj: Json, ts: string): TranscriptEventDraft[] {
  if (obj.subtype !== "init") return [{ type: "unknown", ts, raw: obj }];
  const servers = Array.isArray(obj.mcp_servers) ? obj.mcp_servers : [];
  const event: TranscriptEventDraft = {
    type: "system",
    ts,
    session_id: str(obj.session_id),
    model: str(obj.model),
    cwd: str(obj.cwd),
    tools: Array.isArray(obj.tools) ? obj.tools.filter((t): t is string => typeof t === "string") : [],
    mcp_servers: servers.filter(isObject).map((s) => ({ name: str(s.name), status: str(s.status, "unknown") })),
  };
  if (typeof obj.permissionMode === "string") event.permission_mode = obj.permissionMode;
  if (typeof obj.claude_code_version === "string") event.claude_code_version = obj.claude_code_version;
  return [event];
}

function assistantEvents(obj: Json, ts: string): TranscriptEventDraft[] {
  const message = isObject(obj.message) ? obj.message : undefined;
  const content = Array.isArray(message?.content) ? message.content : undefined;
  if (!message || !content) return [{ type: "unknown", ts, raw: obj }];
  const parent = parentOf(obj);
  // An API failure, after the CLI's retries, is reported as a synthetic assistant message.
  if (obj.is_api_error_message === true || (typeof obj.error === "string" && message.model === "<synthetic>")) {
    const text = content.map((b) => (isObject(b) ? str(b.text) : "")).join("\n").trim();
    const status = typeof obj.api_error_status === "number" ? obj.api_error_status : null;
    return [{ type: "error", ts, message: text || str(obj.error, "API error"), api_error_status: status }];
  }
  const events: TranscriptEventDraft[] = [];
  for (const block of content) {
    if (isObject(block) && block.type === "text" && typeof block.text === "string") {
      if (block.text.length > 0) events.push({ type: "assistant_text", ts, text: block.text, parent_tool_use_id: parent });
    } else if (isObject(block) && block.type === "tool_use" && typeof block.id === "string") {
      events.push({ type: "tool_use", ts, id: block.id, name: str(block.name), input: block.input ?? {}, parent_tool_use_id: parent });
    } else {
      // thinking, server tool blocks, anything newer: kept as they came.
      events.push({ type: "unknown", ts, raw: { type: "assistant", content_block: block, parent_tool_use_id: parent ?? null } });
    }
  }
  return events;
}

function userEvents(obj: Json, ts: string): TranscriptEventDraft[] {
  const message = isObject(obj.message) ? obj.message : undefined;
  const content = Array.isArray(message?.content) ? message.content : [];
  const parent = parentOf(obj);
  const results = content.filter((b): b is Json => isObject(b) && b.type === "tool_result");
  // The CLI also echoes other user messages (replays, compaction summaries): keep them whole.
  if (results.length === 0) return [{ type: "unknown", ts, raw: obj }];
  return results.map((block) => ({
    type: "tool_result" as const,
    ts,
    tool_use_id: str(block.tool_use_id),
    content: toolResultText(block.content),
    is_error: block.is_error === true,
    parent_tool_use_id: parent,
  }));
}

function resultEvents(obj: Json, ts: string): TranscriptEventDraft[] {
  const isError = obj.is_error === true || (typeof obj.subtype === "string" && obj.subtype.startsWith("error"));
  let text = str(obj.result);
  if (!text && Array.isArray(obj.errors)) text = obj.errors.filter((e) => typeof e === "string").join("; ");
  if (!text && isError) text = str(obj.subtype, "error");
  const event: TranscriptEventDraft = {
    type: "result",
    ts,
    subtype: str(obj.subtype, "unknown"),
    is_error: isError,
    result: text,
    num_turns: num(obj.num_turns),
    total_cost_usd: num(obj.total_cost_usd),
    duration_ms: num(obj.duration_ms),
    usage: usageOf(obj.usage),
    session_id: str(obj.session_id),
  };
  const sessionUsage = sessionUsageOf(obj.modelUsage);
  if (sessionUsage) event.session_usage = sessionUsage;
  if (typeof obj.api_error_status === "number" || obj.api_error_status === null) event.api_error_status = obj.api_error_status;
  return [event];
}

/** Map one stream-json value to zero or more events (without `seq`). Never throws. */
export function toEvents(obj: unknown, options: ParseOptions = {}): TranscriptEventDraft[] {
  const now = options.now ?? defaultNow;
  if (!isObject(obj)) return [{ type: "unknown", ts: now(), raw: obj }];
  const ts = tsOf(obj, now);
  switch (obj.type) {
    case "system":
      return systemEvents(obj, ts);
    case "assistant":
      return assistantEvents(obj, ts);
    case "user":
      return userEvents(obj, ts);
    case "result":
      return resultEvents(obj, ts);
    default:
      return [{ type: "unknown", ts, raw: obj }];
  }
}

/** The event for a prompt we sent to the agent (the CLI does not echo prompts in `-p` mode). */
export function userPromptEvent(text: string, ts: string = defaultNow()): TranscriptEventDraft {
  return { type: "user_prompt", ts, text };
}

/** Map one line of text: JSON → `toEvents`, anything else → one `error` event keeping the text. */
export function parseLine(raw: string, options: ParseOptions = {}): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    const now = options.now ?? defaultNow;
    return { raw, value: undefined, events: [{ type: "error", ts: now(), message: "not a stream-json line", raw }] };
  }
  return { raw, value, events: toEvents(value, options) };
}

/**
 * Reassembles lines from chunks split anywhere. Feed it with `push` as output arrives and call
 * `end` once the stream closes (a last line without a newline is still a line).
 */
export class StreamJsonParser {
  private buffer = "";
  private readonly decoder = new TextDecoder("utf-8");

  constructor(private readonly options: ParseOptions = {}) {}

  /** Add a chunk; returns the lines it completed. */
  push(chunk: string | Uint8Array): ParsedLine[] {
    this.buffer += typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    const lines: ParsedLine[] = [];
    let newline = this.buffer.indexOf("\n");
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      const parsed = this.take(line);
      if (parsed) lines.push(parsed);
      newline = this.buffer.indexOf("\n");
    }
    return lines;
  }

  /** Flush what is left (a final line without a newline, a dangling partial character). */
  end(): ParsedLine[] {
    this.buffer += this.decoder.decode();
    const rest = this.buffer;
    this.buffer = "";
    const parsed = this.take(rest);
    return parsed ? [parsed] : [];
  }

  private take(line: string): ParsedLine | undefined {
    const raw = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (raw.trim().length === 0) return undefined;
    return parseLine(raw, this.options);
  }
}

/** The parts of a Session's `agent` block (and its `error`) an event changes. */
export interface AgentUpdate {
  claude_session_id?: string;
  turns?: number;
  cost_usd?: number;
  input_tokens?: number;
  output_tokens?: number;
  last_result?: string;
  state?: "done" | "failed";
  /** The CLI's own message, for the Session's `error`. */
  error?: string;
}

/** What the agent block holds so far, to add a run's figures to. */
export interface AgentTotals {
  claude_session_id?: string | null;
  turns?: number;
  cost_usd?: number;
  input_tokens?: number;
  output_tokens?: number;
}

/**
 * The fields to update in a Session's `agent` block for one event (empty for most events).
 * `system` names the Claude session; `result` ends the run: `done`, or `failed` with the CLI's message.
 * Cost and session token totals are cumulative in the CLI across `--resume`, so within the same
 * Claude session they replace `prev`; turns (and tokens when the CLI gives no totals) are per run
 * and are added to `prev`.
 */
export function agentUpdateFrom(event: TranscriptEventDraft | TranscriptEvent, prev: AgentTotals = {}): AgentUpdate {
  switch (event.type) {
    case "system":
      return event.session_id ? { claude_session_id: event.session_id } : {};
    case "result": {
      const sameSession = !!event.session_id && prev.claude_session_id === event.session_id;
      const carried = sameSession ? 0 : 1; // a new Claude session starts its own totals from zero
      const update: AgentUpdate = {
        turns: (prev.turns ?? 0) + event.num_turns,
        cost_usd: carried * (prev.cost_usd ?? 0) + event.total_cost_usd,
        state: event.is_error ? "failed" : "done",
      };
      if (event.session_id) update.claude_session_id = event.session_id;
      if (event.session_usage) {
        update.input_tokens = carried * (prev.input_tokens ?? 0) + event.session_usage.input_tokens;
        update.output_tokens = carried * (prev.output_tokens ?? 0) + event.session_usage.output_tokens;
      } else {
        update.input_tokens = (prev.input_tokens ?? 0) + event.usage.input_tokens;
        update.output_tokens = (prev.output_tokens ?? 0) + event.usage.output_tokens;
      }
      if (event.is_error) update.error = event.result || `Claude Code failed (${event.subtype})`;
      else update.last_result = event.result;
      return update;
    }
    default:
      return {};
  }
}
