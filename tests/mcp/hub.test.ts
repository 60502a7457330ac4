/**
 * The MCP hub's notifications (list_changed, coalesced resources/updated for subscriptions) and the
 * DNS-rebinding check, in-process. Transcript events need a running agent (Docker), so here the
 * orchestrator's event emitter is driven directly; everything else is the real SDK over its in-memory pair.
 */
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { refuseRebinding } from "../../lib/http/host-check";
import { McpHub } from "../../lib/mcp/server";
import type { Orchestrator } from "../../lib/orchestrator";

const ID = "a1b2c3d4";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A test double with just what the hub reads: the event emitter, the session ids and the op log. */
function fakeOrchestrator() {
  const ids = new Set([ID]);
  return {
    events: new EventEmitter(),
    store: { all: () => [...ids].map((id) => ({ id })), has: (id: string) => ids.has(id) },
    oplog: { write: () => undefined },
  } as unknown as Orchestrator;
}

async function connected(hub: McpHub) {
  const conn = hub.open();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await conn.server.connect(serverSide);
  const client = new Client({ name: "hub-test", version: "1" });
  await client.connect(clientSide);
  const updated: string[] = [];
  let listChanged = 0;
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    updated.push(n.params.uri);
  });
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
    listChanged++;
  });
  return { conn, client, updated, listChanged: () => listChanged };
}

describe("the MCP hub", () => {
  let hub: McpHub | undefined;
  afterEach(() => hub?.shutdown());

  it("sends one resources/updated per burst of transcript events, only for subscribed URIs", async () => {
    const o = fakeOrchestrator();
    hub = new McpHub(o);
    const a = await connected(hub);
    const b = await connected(hub);
    const uri = `hero-claude://sessions/${ID}/transcript`;
    await a.client.subscribeResource({ uri });
    for (let i = 0; i < 5; i++) o.events.emit("transcript", { session_id: ID, events: [{ seq: i }] });
    o.events.emit("transcript", { session_id: "ffffffff", events: [] });
    await sleep(400);
    expect(a.updated).toEqual([uri]);
    expect(b.updated).toEqual([]);

    await a.client.unsubscribeResource({ uri });
    o.events.emit("transcript", { session_id: ID, events: [] });
    await sleep(400);
    expect(a.updated).toEqual([uri]);
  });

  it("maps claude log lines to the claude and all log URIs", async () => {
    const o = fakeOrchestrator();
    hub = new McpHub(o);
    const a = await connected(hub);
    const all = `hero-claude://sessions/${ID}/logs/all`;
    await a.client.subscribeResource({ uri: all });
    o.events.emit("session_log", { session_id: ID, kind: "claude", text: "{}\n" });
    await sleep(400);
    expect(a.updated).toEqual([all]);
  });

  it("announces list_changed for a new or destroyed session, not for an update", async () => {
    const o = fakeOrchestrator();
    hub = new McpHub(o);
    const a = await connected(hub);
    o.events.emit("session", { id: ID, state: "running" }); // known at start: an update
    await sleep(50);
    expect(a.listChanged()).toBe(0);
    o.events.emit("session", { id: "ffffffff", state: "created" });
    await sleep(50);
    expect(a.listChanged()).toBe(1);
    o.events.emit("session", { id: "ffffffff", state: "running" });
    o.events.emit("session", { id: "ffffffff", state: "destroyed" });
    await sleep(50);
    expect(a.listChanged()).toBe(2);
  });

  it("closes every connection and stops listening at shutdown", async () => {
    const o = fakeOrchestrator();
    const h = new McpHub(o);
    const a = await connected(h);
    let closed = false;
    a.client.onclose = () => (closed = true);
    expect(h.size).toBe(1);
    h.shutdown();
    await expect.poll(() => closed).toBe(true);
    expect(h.size).toBe(0);
    expect(o.events.listenerCount("transcript") + o.events.listenerCount("session") + o.events.listenerCount("session_log")).toBe(0);
  });
});

describe("the DNS-rebinding check", () => {
  const req = (localPort: number | undefined, headers: Record<string, string>) =>
    ({ socket: { localPort }, headers }) as unknown as IncomingMessage;

  it("passes Unix sockets whatever the headers", () => {
    expect(refuseRebinding(req(undefined, { host: "evil.example", origin: "http://evil.example" }))).toBeUndefined();
  });

  it("allows the loopback names with the listener's port, and a matching Origin", () => {
    for (const host of ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "LOCALHOST:8080"]) {
      expect(refuseRebinding(req(8080, { host })), host).toBeUndefined();
      expect(refuseRebinding(req(8080, { host, origin: `http://${host.toLowerCase()}` })), host).toBeUndefined();
    }
    expect(refuseRebinding(req(8080, { host: "10.1.2.3:8080" }), "10.1.2.3")).toBeUndefined();
  });

  it("refuses another host, another port, no Host, or a foreign Origin", () => {
    expect(refuseRebinding(req(8080, { host: "evil.example:8080" }))).toMatch(/Host/);
    expect(refuseRebinding(req(8080, { host: "localhost:9090" }))).toMatch(/Host/);
    expect(refuseRebinding(req(8080, { host: "localhost" }))).toMatch(/Host/);
    expect(refuseRebinding(req(8080, {}))).toMatch(/Host/);
    expect(refuseRebinding(req(8080, { host: "localhost:8080", origin: "http://evil.example" }))).toMatch(/Origin/);
    expect(refuseRebinding(req(8080, { host: "localhost:8080", origin: "null" }))).toMatch(/Origin/);
    expect(refuseRebinding(req(8080, { host: "10.1.2.3:8080" }), "0.0.0.0")).toMatch(/Host/);
  });
});
