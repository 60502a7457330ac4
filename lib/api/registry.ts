/**
 * The method registry: each JSON-RPC method is declared once, with its zod params, zod result and
 * handler. The /rpc dispatcher, the OpenRPC document, the MCP tools and the SDK types are all
 * derived from these declarations; nothing else describes a method.
 */
import type { z } from "zod";
import type { Orchestrator } from "../orchestrator";

/** What a handler gets besides its params. */
export interface CallContext {
  orchestrator: Orchestrator;
  /** Aborted when the caller goes away; long operations may stop early, but never lose data. */
  signal?: AbortSignal;
  /** Progress for long operations (MCP progress notifications, CLI spinners). */
  progress?: (done: number, total: number | undefined, message: string) => void;
}

export interface MethodDef<P extends z.ZodObject = z.ZodObject, R extends z.ZodType = z.ZodType> {
  name: string;
  summary: string;
  description?: string;
  params: P;
  result: R;
  /** Application error codes this method can return, for the OpenRPC document. */
  errors?: readonly number[];
  handler: (params: z.output<P>, ctx: CallContext) => Promise<z.input<R>> | z.input<R>;
}

/** Declare one method; the identity function that keeps the types of params and result. */
export function defineMethod<P extends z.ZodObject, R extends z.ZodType>(def: MethodDef<P, R>): MethodDef<P, R> {
  return def;
}
