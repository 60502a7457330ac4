import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerMissing, removeSessionContainers, startFakeModel, type FakeModel } from "../helpers/docker";
import { makeRepo, tempDir } from "../helpers/repos";
import { startServer, type RunningServer } from "../helpers/server";
import { until } from "../helpers/wait";

const missing = dockerMissing();
const SECRET = "sk-fake-agent-secret-0123456789";

describe.skipIf(missing)("the agent: the real Claude Code CLI against the scripted fake model", () => {
  let srv: RunningServer;
  let fake: FakeModel;
  const coderoot = path.join(tempDir("hc-agent-"), "code");
  makeRepo(path.join(coderoot, "alpha"), { "README.md": "# alpha\n" });
  makeRepo(path.join(coderoot, "beta"), { "notes.md": "first line\n" });

  beforeAll(async () => {
    fake = await startFakeModel();
    srv = await startServer({ coderoot, env: serverEnv() });
  });
  const serverEnv = () => ({
    HERO_CLAUDE_NETWORK: fake.network,
    ANTHROPIC_BASE_URL: fake.baseUrl,
    ANTHROPIC_API_KEY: SECRET,
    HERO_CLAUDE_STOP_TIMEOUT_S: "2",
    HERO_CLAUDE_RECONCILE_MS: "1000",
  });
  afterAll(async () => {
    await srv?.stop();
    if (srv) removeSessionContainers(srv.builddir);
    fake?.stop();
  });

  const agentState = (id: string, state: string) =>
    until(`agent ${state}`, async () => {
      const s = await srv.rpc("session.info", { session_id: id });
      return s.agent.state === state && s;
    });

  let id: string;

  it("runs the task: writes and edits files in two repos, with a live transcript", async () => {
    await fake.script([
      { tool_use: { name: "Write", input: { file_path: "/workspace/code/alpha/hello.txt", content: "hello from the agent\n" } } },
      { tool_use: { name: "Read", input: { file_path: "/workspace/code/beta/notes.md" } } },
      { tool_use: { name: "Edit", input: { file_path: "/workspace/code/beta/notes.md", old_string: "first line", new_string: "first line, edited" } } },
      { tool_use: { name: "Bash", input: { command: "cd /workspace/code/alpha && git status --short", description: "status" } } },
      { text: "Wrote hello.txt and edited notes.md." },
    ]);
    id = (await srv.rpc("session.create", { repos: ["alpha", "beta"], task: "Write hello.txt and edit notes.md" })).id;

    const live: string[] = [];
    const stream = http.get({ socketPath: srv.serverSocket, path: `/events?session_id=${id}` }, (res) => {
      expect(res.headers["content-type"]).toMatch(/text\/event-stream/);
      res.setEncoding("utf8").on("data", (c: string) => live.push(c));
    });

    await srv.rpc("session.start", { session_id: id });
    const done = await agentState(id, "done");
    stream.destroy();

    const ws = path.join(srv.builddir, id, "code");
    expect(readFileSync(path.join(ws, "alpha/hello.txt"), "utf8")).toBe("hello from the agent\n");
    expect(readFileSync(path.join(ws, "beta/notes.md"), "utf8")).toBe("first line, edited\n");
    expect(done.agent).toMatchObject({ state: "done", last_result: "Wrote hello.txt and edited notes.md." });
    expect(done.agent.claude_session_id).toMatch(/[0-9a-f-]{36}/);
    expect(done.agent.turns).toBeGreaterThanOrEqual(5);
    expect(done.agent.cost_usd).toBeGreaterThan(0);

    const { events, next } = await srv.rpc("session.transcript", { session_id: id });
    const types = events.map((e: { type: string }) => e.type);
    expect(types[0]).toBe("user_prompt");
    expect(types).toContain("system");
    const tools = events.filter((e: { type: string }) => e.type === "tool_use").map((e: { name: string }) => e.name);
    expect(tools).toEqual(["Write", "Read", "Edit", "Bash"]);
    expect(events.filter((e: { type: string }) => e.type === "tool_result")).toHaveLength(4);
    const result = events.find((e: { type: string }) => e.type === "result");
    expect(result).toMatchObject({ is_error: false });
    expect(result.total_cost_usd).toBeGreaterThan(0);
    expect(next).toBe(events[events.length - 1].seq);
    expect((await srv.rpc("session.transcript", { session_id: id, after: next })).events).toEqual([]);
    expect(live.join("")).toMatch(/event: transcript/);
    expect(readFileSync(path.join(srv.builddir, id, "logs/claude.log"), "utf8")).toMatch(/"type":"result"/);
  });

  it("runs a follow-up in the same conversation", async () => {
    await fake.reset();
    await fake.script([{ text: "Second answer." }]);
    const before = (await srv.rpc("session.info", { session_id: id })).agent.claude_session_id;
    await srv.rpc("session.prompt", { session_id: id, message: "And now summarise." });
    const done = await until("second turn", async () => {
      const s = await srv.rpc("session.info", { session_id: id });
      return s.agent.state === "done" && s.agent.last_result === "Second answer." && s;
    });
    expect(done.agent.claude_session_id).toBe(before);
    const main = (await fake.requests()).filter((r) => r.path.startsWith("/v1/messages") && r.body?.tools?.length);
    // The resumed conversation carries the first turn's messages.
    expect(JSON.stringify(main[main.length - 1]!.body.messages)).toMatch(/hello from the agent/);
    const { events } = await srv.rpc("session.transcript", { session_id: id });
    expect(events.filter((e: { type: string }) => e.type === "user_prompt").map((e: { text: string }) => e.text)).toEqual([
      "Write hello.txt and edit notes.md",
      "And now summarise.",
    ]);
  });

  it("is stopped in the middle of a slow turn and resumes the conversation at the next start", async () => {
    await fake.reset();
    await fake.script([{ text: "slow", delay_ms: 60_000 }, { text: "Resumed and finished." }]);
    await srv.rpc("session.prompt", { session_id: id, message: "Take your time." });
    await agentState(id, "working");
    await until("the slow request", async () => (await fake.requests()).some((r) => r.body?.tools?.length));
    const stopped = await srv.rpc("session.stop", { session_id: id });
    expect(stopped.state).toBe("stopped");
    expect(stopped.agent.state).toBe("idle");
    await srv.rpc("session.start", { session_id: id });
    const done = await until("the resumed turn", async () => {
      const s = await srv.rpc("session.info", { session_id: id });
      return s.agent.state === "done" && s.agent.last_result === "Resumed and finished." && s;
    });
    expect(done.state).toBe("running");
  });

  for (const signal of ["SIGKILL", "SIGTERM"] as const) {
    it(`continues a turn the server was stopped in (${signal}) once it is back, and never leaves the agent "working"`, async () => {
      await fake.reset();
      const answer = `Continued after ${signal}.`;
      await fake.script([{ text: "slow", delay_ms: 60_000 }, { text: answer }]);
      await srv.rpc("session.prompt", { session_id: id, message: `Take your time (${signal}).` });
      await agentState(id, "working");
      await until("the slow request", async () => (await fake.requests()).some((r) => r.body?.tools?.length));
      await srv.stop(signal);
      const record = JSON.parse(readFileSync(path.join(srv.builddir, id, "state/session.json"), "utf8"));
      // A graceful stop interrupts the turn itself; a crash leaves it to the next start-up to notice.
      expect(record.agent.state).toBe(signal === "SIGTERM" ? "idle" : "working");
      srv = await startServer({ coderoot, dir: srv.dir, env: serverEnv() });
      const done = await until("the continued turn", async () => {
        const s = await srv.rpc("session.info", { session_id: id });
        return s.agent.state === "done" && s.agent.last_result === answer && s;
      });
      expect(done.state).toBe("running");
      const prompts = (await srv.rpc("session.transcript", { session_id: id })).events.filter((e: { type: string }) => e.type === "user_prompt");
      expect(prompts.at(-1).text).toMatch(/interrupted/i);
      const warnings = (await srv.rpc("logs.get", { session_id: id })).map((e: { message: string }) => e.message);
      expect(warnings).toContain("agent resumed after the server restarted");
      // The old CLI process is gone too: once the new one has exited, no claude runs.
      await until("no claude process left in the container", async () => {
        const ps = await srv.rpc("session.exec", { session_id: id, command: ["sh", "-c", "ps -eo comm | grep -c '^claude' || true"] });
        return ps.stdout.trim() === "0";
      }, 20_000); // well before the old one's 60 s answer would have ended it on its own
    });
  }

  it("fails with the CLI's own message on an API error, and keeps the container and workspace", async () => {
    await fake.reset();
    await fake.script([{ error: { status: 401, message: "invalid x-api-key" } }]);
    const s = await srv.rpc("session.create", { repos: ["alpha"], task: "this will fail" });
    await srv.rpc("session.start", { session_id: s.id });
    const failed = await agentState(s.id, "failed");
    expect(failed.state).toBe("running");
    expect(failed.error).toMatch(/API key|401|invalid/i);
    expect((await srv.rpc("session.exec", { session_id: s.id, command: ["true"] })).exit_code).toBe(0);
  });

  it("never shows the API key in logs, records, transcripts or events", async () => {
    const dump = [
      readFileSync(path.join(srv.builddir, id, "logs/claude.log"), "utf8"),
      readFileSync(path.join(srv.builddir, id, "logs/container.log"), "utf8"),
      readFileSync(path.join(srv.builddir, id, "state/session.json"), "utf8"),
      JSON.stringify(await srv.rpc("session.info", { session_id: id })),
      JSON.stringify(await srv.rpc("session.transcript", { session_id: id })),
      JSON.stringify(await srv.rpc("logs.get", { limit: 10_000 })),
      JSON.stringify(await srv.rpc("session.logs", { session_id: id, kind: "all", tail: 10_000 })),
    ].join("\n");
    expect(dump).not.toContain(SECRET);
  });
});
