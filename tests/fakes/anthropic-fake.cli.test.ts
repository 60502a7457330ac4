// The fake against the real Claude Code CLI, over loopback. Runs only when CLAUDE_CLI_BIN names the
// native binary (npm package @anthropic-ai/claude-code-linux-x64, file `claude`); skipped otherwise.
// `--permission-mode acceptEdits --allowedTools …` works as root too (`--dangerously-skip-permissions` does not).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StreamJsonParser, agentUpdateFrom, type TranscriptEventDraft } from "@/lib/agent/transcript";

const BIN = process.env.CLAUDE_CLI_BIN;
const FAKE = path.join(import.meta.dirname, "anthropic-fake.mjs");

let fake: ChildProcess;
let base = "";
let root = "";
let repo = "";

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  events: TranscriptEventDraft[];
}

function claude(args: string[], opts: { killWhen?: () => Promise<boolean> } = {}): Promise<Run> {
  // Only what the CLI needs: no inherited variable can point it anywhere but the fake.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: path.join(root, "home"),
    ANTHROPIC_BASE_URL: base,
    ANTHROPIC_API_KEY: "sk-fake",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_MAX_RETRIES: "0",
  };
  const child = spawn(
    BIN!,
    ["--output-format", "stream-json", "--verbose", "--permission-mode", "acceptEdits", "--allowedTools", "Bash,Write,Edit,Read", ...args],
    {
      cwd: repo,
      stdio: ["ignore", "pipe", "pipe"],
      env: env as NodeJS.ProcessEnv, // next's types make NODE_ENV required
    },
  );
  const parser = new StreamJsonParser();
  const events: TranscriptEventDraft[] = [];
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    for (const line of parser.push(chunk)) events.push(...line.events);
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  if (opts.killWhen) {
    const poll = async () => {
      while (child.exitCode === null) {
        if (await opts.killWhen!()) return void child.kill("SIGTERM");
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    void poll();
  }
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      for (const line of parser.end()) events.push(...line.events);
      resolve({ code, signal, stdout, stderr, events });
    });
  });
}

async function control(route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${route}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
  return res.json();
}

function git(...args: string[]): string {
  return spawnSync("git", ["-C", repo, ...args], { encoding: "utf8" }).stdout;
}

describe.skipIf(!BIN || !existsSync(BIN))("the real Claude Code CLI against the fake", () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), "fake-cli-"));
    repo = path.join(root, "demo");
    spawnSync("git", ["init", "-q", "-b", "main", repo]);
    writeFileSync(path.join(repo, "README.md"), "# demo\n");
    git("add", ".");
    git("-c", "user.email=dev@example.com", "-c", "user.name=dev", "commit", "-qm", "init");
    fake = spawn(process.execPath, [FAKE, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve) => createInterface({ input: fake.stdout! }).once("line", resolve));
    base = `http://127.0.0.1:${(JSON.parse(line) as { listening: number }).listening}`;
  });
  afterAll(() => {
    fake?.kill("SIGTERM");
    if (root) rmSync(root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await control("/_reset", {});
  });

  let sessionId = "";

  it("writes, runs git status, edits, and answers", async () => {
    await control("/_script", [
      { text: "I'll create the file.", tool_use: { name: "Write", input: { file_path: path.join(repo, "hello.txt"), content: "hello world\n" } } },
      { tool_use: { name: "Bash", input: { command: "git status --short", description: "Show git status" } } },
      { tool_use: { name: "Edit", input: { file_path: path.join(repo, "README.md"), old_string: "# demo", new_string: "# demo\n\nSays hello." } } },
      { text: "All done." },
    ]);
    const run = await claude(["-p", "write hello.txt"]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(path.join(repo, "hello.txt"), "utf8")).toBe("hello world\n");
    expect(readFileSync(path.join(repo, "README.md"), "utf8")).toBe("# demo\n\nSays hello.\n");
    expect(git("status", "--short")).toBe(" M README.md\n?? hello.txt\n");
    const results = run.events.filter((e) => e.type === "tool_result");
    expect(results.map((r) => r.type === "tool_result" && r.is_error)).toEqual([false, false, false]);
    expect(results[1]).toMatchObject({ content: "?? hello.txt" });
    const result = run.events.at(-1)!;
    expect(result).toMatchObject({ type: "result", is_error: false, result: "All done.", num_turns: 4 });
    const update = agentUpdateFrom(result);
    expect(update.state).toBe("done");
    sessionId = update.claude_session_id!;
    // Only the messages endpoint is called: no other route, no side request consumed the script.
    const records = (await control("/_requests")) as Array<{ path: string; kind: string }>;
    expect(records.map((r) => `${r.path} ${r.kind}`)).toEqual(Array(4).fill("/v1/messages main"));
  });

  it("continues with --resume", async () => {
    expect(sessionId).not.toBe("");
    await control("/_script", [{ tool_use: { name: "Read", input: { file_path: path.join(repo, "hello.txt") } } }, { text: "It says hello world." }]);
    const run = await claude(["-p", "what does hello.txt say?", "--resume", sessionId]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.events[0]).toMatchObject({ type: "system", session_id: sessionId });
    expect(run.events.find((e) => e.type === "tool_result")).toMatchObject({ content: expect.stringContaining("hello world") });
    expect(run.events.at(-1)).toMatchObject({ type: "result", result: "It says hello world.", session_id: sessionId });
    const [first] = (await control("/_requests")) as Array<{ body: { messages: unknown[] } }>;
    expect(first.body.messages.length).toBeGreaterThan(8); // the earlier conversation came along
  });

  it("fails with the CLI's message on a 401", async () => {
    await control("/_script", [{ error: { status: 401, type: "authentication_error", message: "invalid x-api-key" } }]);
    const run = await claude(["-p", "write hello.txt"]);
    expect(run.code).toBe(1);
    const result = run.events.at(-1)!;
    expect(result).toMatchObject({ type: "result", is_error: true, api_error_status: 401 });
    expect(agentUpdateFrom(result)).toMatchObject({ state: "failed", error: "Invalid API key · Fix external API key" });
  });

  it("can be stopped during a slow turn and resumed", async () => {
    await control("/_script", [{ text: "never seen", delay_ms: 30_000 }, { text: "resumed" }]);
    const requested = async () => ((await control("/_requests")) as unknown[]).length > 0;
    const stopped = await claude(["-p", "take your time"], { killWhen: requested });
    expect(stopped.signal ?? stopped.code).not.toBe(0);
    expect(stopped.events.some((e) => e.type === "result")).toBe(false);
    const init = stopped.events.find((e) => e.type === "system");
    const id = init?.type === "system" ? init.session_id : "";
    const resumed = await claude(["-p", "continue", "--resume", id]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.events.at(-1)).toMatchObject({ type: "result", result: "resumed", session_id: id });
  });
});
