// Whole sessions driven by other clients, against the real CLI and the fake model (Docker):
// an MCP client (create → start → transcript → finish through tools), and the SDK examples run as
// a user runs them (so they never rot).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { World } from "../forge/world";
import { dockerMissing, type FakeModel } from "../helpers/docker";
import { ROOT, type RunningServer } from "../helpers/server";
import { startFinishStack, type FinishStack } from "../helpers/finish-stack";
import { connectStreamable, resultOf } from "../mcp/client";

const run = promisify(execFile);
const missing = dockerMissing();

describe.skipIf(missing)("whole sessions through MCP and through the SDK examples", () => {
  let srv: RunningServer;
  let fake: FakeModel;
  const world = new World();
  const alpha = world.source("alpha", "https://github.com/acme/alpha.git", { "README.md": "# alpha\n" });

  let stack: FinishStack | undefined;

  beforeAll(async () => {
    stack = await startFinishStack(world, { "acme/alpha": alpha.bare }, "sk-fake-flows");
    ({ fake, srv } = stack);
  });
  afterAll(() => stack?.stop());

  it("runs a whole session through MCP tools", async () => {
    await fake.reset();
    await fake.script([
      { tool_use: { name: "Write", input: { file_path: "/workspace/code/alpha/mcp.txt", content: "made over MCP\n" } } },
      { text: "Wrote mcp.txt." },
    ]);
    const { client } = await connectStreamable({ socketPath: srv.serverSocket });
    try {
      const call = async (name: string, args: Record<string, unknown>) => resultOf((await client.callTool({ name, arguments: args })) as Parameters<typeof resultOf>[0]);
      const s = await call("session_create", { repos: ["alpha"], task: "Write mcp.txt", name: "via-mcp" });
      await call("session_start", { session_id: s.id });
      let after = 0;
      const seen: string[] = [];
      for (let i = 0; i < 480; i++) {
        const t = await call("session_transcript", { session_id: s.id, after });
        seen.push(...t.events.map((e: { type: string }) => e.type));
        after = t.next;
        if ((await call("session_info", { session_id: s.id })).agent.state === "done") break;
        await new Promise((r) => setTimeout(r, 250));
      }
      seen.push(...(await call("session_transcript", { session_id: s.id, after })).events.map((e: { type: string }) => e.type));
      expect(seen).toEqual(expect.arrayContaining(["user_prompt", "tool_use", "tool_result", "result"]));
      const done = await call("session_finish", { session_id: s.id, title: "Write mcp.txt" });
      expect(done.state).toBe("completed");
      expect(done.results[0]).toMatchObject({ repo: "alpha", pushed: true, branch: "hero-claude/via-mcp" });
      expect(done.results[0].pr_url).toMatch(/\/acme\/alpha\/pull\/\d+$/);
    } finally {
      await client.close();
    }
  });

  it("runs the SDK examples: list repos, run a session, finish it", async () => {
    await fake.reset();
    await fake.script([
      { tool_use: { name: "Write", input: { file_path: "/workspace/code/alpha/example.txt", content: "made by the example\n" } } },
      { text: "Wrote example.txt." },
    ]);
    const env = { ...process.env, HERO_SOCKET_DIR: path.dirname(srv.serverSocket) };
    const tsx = path.join(ROOT, "node_modules/.bin/tsx");
    const repos = await run(tsx, ["examples/list-repos.ts", "--socket", srv.serverSocket], { cwd: ROOT, env });
    expect(repos.stdout).toMatch(/alpha/);
    const session = await run(tsx, ["examples/run-session.ts", "--repo", "alpha", "--task", "Write example.txt", "--socket", srv.serverSocket], {
      cwd: ROOT,
      env,
      timeout: 180_000,
    });
    expect(session.stdout).toMatch(/Wrote example.txt/);
    const id = /\b([0-9a-f]{8})\b/.exec(session.stdout + session.stderr)?.[1];
    expect(id).toBeDefined();
    const finished = await run(tsx, ["examples/finish-session.ts", id!, "--socket", srv.serverSocket], { cwd: ROOT, env, timeout: 120_000 });
    expect(finished.stdout).toMatch(/pull\/\d+/);
  });
});
