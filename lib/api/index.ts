/** The registry: every method of the API, by name. Adding a method here adds it to /rpc, OpenRPC, MCP and the SDK. */
import type { z } from "zod";
import { logsMethods } from "./logs";
import { repoMethods } from "./repo";
import type { MethodDef } from "./registry";
import { serverMethods } from "./server";
import { sessionMethods } from "./session";

export const registry = {
  ...serverMethods,
  ...sessionMethods,
  ...repoMethods,
  ...logsMethods,
};

export type Registry = typeof registry;
export type MethodName = keyof Registry;
export type ParamsOf<M extends MethodName> = z.input<Registry[M]["params"]>;
export type ResultOf<M extends MethodName> = z.output<Registry[M]["result"]>;

export const methods: readonly MethodDef[] = Object.values(registry) as unknown as MethodDef[];

export function getMethod(name: string): MethodDef | undefined {
  return Object.hasOwn(registry, name) ? (registry as Record<string, MethodDef>)[name] : undefined;
}
