/** The OpenRPC 1.3.2 document, generated from the registry's zod schemas (never written by hand). */
import { z } from "zod";
import { methods } from "../api";
import { VERSION } from "../orchestrator";

const ERRORS: Record<number, string> = {
  [-32001]: "session not found",
  [-32002]: "not allowed in this state",
  [-32003]: "repository not found",
  [-32004]: "container runtime unavailable",
  [-32005]: "an operation failed (data.log holds the tail of what the tool said)",
  [-32006]: "busy: another operation holds the session; retry",
};

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { target: "draft-7", io, unrepresentable: "any" }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

let cached: Record<string, unknown> | undefined;

/** The whole document; built once per process. */
export function openRpcDocument(): Record<string, unknown> {
  if (cached) return cached;
  cached = {
    openrpc: "1.3.2",
    info: {
      title: "hero_claude",
      version: VERSION,
      description: "Run Claude Code sessions in hardened Docker containers: sessions, repositories and logs.",
    },
    methods: methods.map((def) => {
      const shape = def.params.shape as Record<string, z.ZodType>;
      const required = new Set((jsonSchema(def.params, "input").required as string[] | undefined) ?? []);
      return {
        name: def.name,
        summary: def.summary,
        ...(def.description ? { description: def.description } : {}),
        paramStructure: "by-name",
        params: Object.entries(shape).map(([name, schema]) => ({
          name,
          required: required.has(name),
          schema: jsonSchema(schema, "input"),
        })),
        result: { name: `${def.name}.result`, schema: jsonSchema(def.result, "output") },
        errors: (def.errors ?? []).map((code) => ({ code, message: ERRORS[code] ?? "error" })),
      };
    }),
  };
  return cached;
}
