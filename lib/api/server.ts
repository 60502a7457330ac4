/** `server.*` and `rpc.discover`. */
import { z } from "zod";
import { VERSION } from "../orchestrator";
import { defineMethod } from "./registry";

export const ServerInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  uptime_s: z.number(),
  coderoot: z.string(),
  builddir: z.string(),
  image: z.object({ name: z.string(), present: z.boolean() }),
  runtime: z.object({ kind: z.enum(["docker", "nerdctl"]), reachable: z.boolean(), version: z.string().nullable() }),
  sockets: z.object({ server: z.string(), ui: z.string() }),
  sessions: z.object({ total: z.number(), by_state: z.record(z.string(), z.number()) }),
});

export const serverMethods = {
  "server.info": defineMethod({
    name: "server.info",
    summary: "Version, uptime, paths, sandbox image, container engine status and session counts.",
    params: z.strictObject({}),
    result: ServerInfoSchema,
    handler: async (_p, { orchestrator: o }) => {
      const runtime = await o.runtime.status();
      const present = runtime.reachable ? await o.runtime.imagePresent(o.config.image) : false;
      const counts = o.sessionCounts();
      return {
        name: "hero_claude",
        version: VERSION,
        uptime_s: Math.round((Date.now() - o.startedAt) / 1000),
        coderoot: o.config.coderoot,
        builddir: o.config.builddir,
        image: { name: o.config.image, present },
        runtime: { kind: runtime.kind, reachable: runtime.reachable, version: runtime.version },
        sockets: {
          server: o.config.serverSocket,
          ui: o.config.uiSocket,
        },
        sessions: counts,
      };
    },
  }),
  "server.health": defineMethod({
    name: "server.health",
    summary: "Liveness: true while the server answers.",
    params: z.strictObject({}),
    result: z.literal(true),
    handler: () => true as const,
  }),
  "rpc.discover": defineMethod({
    name: "rpc.discover",
    summary: "The OpenRPC document of this API (also served at GET /openrpc.json).",
    params: z.strictObject({}),
    result: z.record(z.string(), z.unknown()),
    handler: async () => {
      const { openRpcDocument } = await import("../rpc/openrpc");
      return openRpcDocument();
    },
  }),
};
