/** Calling one registry method: params validated with its zod schema, errors typed. Shared by /rpc, MCP and in-process calls. */
import type { z } from "zod";
import type { CallContext, MethodDef } from "../api/registry";
import { AppError, InvalidParams } from "../errors";

/** The zod issues in the shape of -32602 `data.issues`. */
export function issuesOf(error: z.ZodError): { path: (string | number)[]; message: string; code: string }[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    message: i.message,
    code: i.code,
  }));
}

/** Validate params (by name; omitted means `{}`) and run the handler. */
export async function callMethod(def: MethodDef, rawParams: unknown, ctx: CallContext): Promise<unknown> {
  if (Array.isArray(rawParams)) {
    throw new InvalidParams(`${def.name}: params must be an object (params are passed by name)`, {
      issues: [{ path: [], message: "expected an object, received an array", code: "invalid_type" }],
    });
  }
  const parsed = def.params.safeParse(rawParams ?? {});
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    const first = issues[0];
    const where = first && first.path.length > 0 ? `${first.path.join(".")}: ` : "";
    throw new InvalidParams(`invalid params for ${def.name}: ${where}${first?.message ?? "invalid"}`, { issues });
  }
  return def.handler(parsed.data, ctx);
}

/** Map any thrown value to a JSON-RPC error object. Unknown errors become -32603 with their message. */
export function toRpcError(err: unknown): { code: number; message: string; data?: unknown } {
  if (err instanceof AppError) {
    return err.data === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, data: err.data };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: -32603, message: `internal error: ${message}` };
}
