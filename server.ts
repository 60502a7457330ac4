/**
 * hero_claude: one process, two listeners (CONTRACT.md).
 * - server socket: the API only (/rpc, /openrpc.json, /health, /mcp, /sse, /messages, /events);
 * - UI socket (and the optional loopback TCP port): the same API plus the Next.js dashboard;
 * - SIGTERM/SIGINT: stop accepting, let in-flight calls finish (bounded), remove the sockets, exit 0.
 */
import http from "node:http";
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { getMethod } from "./lib/api";
import { ConfigError, loadConfig } from "./lib/config";
import { createApiRoutes } from "./lib/http/api";
import { refuseRebinding } from "./lib/http/host-check";
import { eventsRoute } from "./lib/http/events";
import { listenOnSocket, removeSocket, SocketInUse } from "./lib/http/socket";
import { mcpRoutes } from "./lib/mcp";
import { Orchestrator } from "./lib/orchestrator";
import { setGlobals } from "./lib/orchestrator/global";
import { callMethod } from "./lib/rpc/call";
import { createDispatcher } from "./lib/rpc/dispatcher";
import { MethodNotFound } from "./lib/errors";
import { mountUnderPrefix } from "./lib/ui/mount";

const DRAIN_MS = 10_000;

/** The project root: the nearest directory above this file holding package.json (works from dist/ too). */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

async function main(): Promise<void> {
  const dev = process.argv.includes("--dev");
  const config = loadConfig();
  const orchestrator = new Orchestrator(config);
  const context = () => ({ orchestrator });
  const dispatcher = createDispatcher(context);
  setGlobals(orchestrator, async (method, params) => {
    const def = getMethod(method);
    if (!def) throw new MethodNotFound(method);
    return callMethod(def, params, context());
  });
  await orchestrator.init();
  orchestrator.startReconciling(config.reconcileMs);

  const api = createApiRoutes(orchestrator, dispatcher, { "/events": eventsRoute(orchestrator), ...mcpRoutes(orchestrator) });
  const ui = next({ dev, dir: projectRoot(), customServer: true, hostname: "localhost", port: 0 });
  await ui.prepare();
  const nextHandler = ui.getRequestHandler();

  const pidFile = path.join(config.socketDir, "hero_claude.pid");
  const inFlight = new Set<http.ServerResponse>();
  const track = (res: http.ServerResponse) => {
    inFlight.add(res);
    res.on("close", () => inFlight.delete(res));
  };
  const pathnameOf = (req: http.IncomingMessage) => (req.url ?? "/").split("?")[0] ?? "/";

  const apiServer = http.createServer((req, res) => {
    track(res);
    if (!api(req, res, pathnameOf(req))) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
    }
  });
  const uiServer = http.createServer((req, res) => {
    track(res);
    if (api(req, res, pathnameOf(req))) return;
    mountUnderPrefix(req, res); // behind a prefix-stripping proxy: asset URLs under X-Forwarded-Prefix
    void nextHandler(req, res);
  });
  const servers: http.Server[] = [apiServer, uiServer];

  for (const s of servers) {
    // Longer than clients' idle sockets live, so a kept-alive connection is not closed under a request.
    s.keepAliveTimeout = 65_000;
    s.headersTimeout = 66_000;
  }
  await listenOnSocket(apiServer, config.serverSocket, config.socketGroup);
  await listenOnSocket(uiServer, config.uiSocket, config.socketGroup);
  if (config.port !== undefined) {
    const uiHandler = uiServer.listeners("request")[0] as http.RequestListener;
    // A web page can reach a loopback port (DNS rebinding): every TCP request must name us in Host/Origin.
    const tcpServer = http.createServer((req, res) => {
      const refused = refuseRebinding(req, config.host);
      if (refused) {
        res.writeHead(403, { "content-type": "application/json" }).end(JSON.stringify({ error: refused }));
        return;
      }
      uiHandler(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      tcpServer.once("error", reject);
      tcpServer.listen(config.port, config.host, () => resolve());
    });
    tcpServer.keepAliveTimeout = 65_000;
    tcpServer.headersTimeout = 66_000;
    servers.push(tcpServer);
  }
  await writeFile(pidFile, `${process.pid}\n`);
  console.log(
    `hero_claude ${dev ? "(dev) " : ""}listening: server ${config.serverSocket}, ui ${config.uiSocket}` +
      (config.port !== undefined ? `, http://${config.host}:${config.port}` : ""),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`hero_claude: ${signal}, shutting down`);
    orchestrator.events.emit("shutdown");
    for (const s of servers) {
      s.close();
      s.closeIdleConnections();
    }
    const deadline = Date.now() + DRAIN_MS;
    while (inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const s of servers) s.closeAllConnections();
    await Promise.all([removeSocket(config.serverSocket), removeSocket(config.uiSocket), rm(pidFile, { force: true })]);
    await orchestrator.shutdown();
    await ui.close().catch(() => {});
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof SocketInUse) {
    console.error(`hero_claude: ${err.message}`);
  } else {
    console.error("hero_claude: failed to start:", err);
  }
  process.exit(2);
});
