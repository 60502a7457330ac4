/**
 * MCP tools generated from the method registry (never written by hand):
 * - one tool per method, named with `_` for `.` (`session.create` → `session_create`);
 * - `inputSchema` from the zod params, `outputSchema` from the zod result (JSON Schema via zod 4);
 * - a result is `structuredContent` plus a text block holding the same JSON; a result that is not
 *   an object (`repo.list`, `server.health`) is wrapped as `{result: ...}`, since MCP wants objects;
 * - a failed call is a tool error (`isError: true`) whose text is `{"error": {code, message, data}}`
 *   with the JSON-RPC code of CONTRACT.md, so an agent can read and correct it.
 */
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { methods } from "../api";
import type { CallContext, MethodDef } from "../api/registry";
import { callMethod, toRpcError } from "../rpc/call";

type JsonSchema = Record<string, unknown>;

/** The MCP tool name of a method. */
export function toolName(method: string): string {
  return method.replaceAll(".", "_");
}

/** zod 4 → JSON Schema (2020-12, MCP's default dialect), without `$schema` so any validator takes it. */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const s = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  delete s.$schema;
  return s;
}

interface ToolEntry {
  def: MethodDef;
  tool: Tool;
  /** The result is wrapped as `{result}` because its schema is not an object. */
  wrapped: boolean;
}

let entries: Map<string, ToolEntry> | undefined;

function build(): Map<string, ToolEntry> {
  const map = new Map<string, ToolEntry>();
  for (const def of methods) {
    const out = jsonSchema(def.result, "output");
    const wrapped = out.type !== "object";
    const tool: Tool = {
      name: toolName(def.name),
      title: def.name,
      description: def.description ? `${def.summary}\n\n${def.description}` : def.summary,
      inputSchema: jsonSchema(def.params, "input") as Tool["inputSchema"],
      outputSchema: (wrapped
        ? { type: "object", properties: { result: out }, required: ["result"], additionalProperties: false }
        : out) as Tool["outputSchema"],
    };
    map.set(tool.name, { def, tool, wrapped });
  }
  return map;
}

function registryTools(): Map<string, ToolEntry> {
  entries ??= build();
  return entries;
}

/** Every tool, in registry order. */
export function listTools(): Tool[] {
  return [...registryTools().values()].map((e) => e.tool);
}

/** Whether a tool of this name exists. */
export function hasTool(name: string): boolean {
  return registryTools().has(name);
}

/** The error of a failed call, as an MCP tool error carrying the JSON-RPC code, message and data. */
export function toolError(err: unknown): CallToolResult {
  const error = toRpcError(err);
  return { isError: true, content: [{ type: "text", text: JSON.stringify({ error }) }] };
}

/**
 * Run the tool's method exactly as /rpc would (same validation, same typed errors).
 * The result passes through the zod result schema, so it matches the advertised `outputSchema`.
 * Returns undefined for an unknown tool (a protocol error, not a tool error).
 */
export async function callTool(name: string, args: unknown, ctx: CallContext): Promise<CallToolResult | undefined> {
  const entry = registryTools().get(name);
  if (!entry) return undefined;
  let value: unknown;
  try {
    value = await callMethod(entry.def, args ?? {}, ctx);
  } catch (err) {
    return toolError(err);
  }
  const parsed = entry.def.result.safeParse(value);
  if (!parsed.success) {
    // A handler returned something its own result schema refuses: a server bug, worth a log line.
    ctx.orchestrator.oplog.write("warn", "mcp", `${entry.def.name}: result does not match its schema: ${parsed.error.message.slice(0, 500)}`);
  }
  const data: unknown = parsed.success ? parsed.data : value;
  const structured = (entry.wrapped ? { result: data } : data) as Record<string, unknown>;
  return { content: [{ type: "text", text: JSON.stringify(data) }], structuredContent: structured };
}
