import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo, tempDir } from "../helpers/repos";
import { startServer, type RunningServer } from "../helpers/server";
import { baseEnv, cli, example } from "./helpers";

const ESC = "\x1b[";

describe("hero-claude against a running server", () => {
  let srv: RunningServer;
  let sock: string[];
  const coderoot = path.join(tempDir("hc-cli-"), "code");
  makeRepo(path.join(coderoot, "alpha"), { "a.txt": "a\n" });
  makeRepo(path.join(coderoot, "org/beta"));

  beforeAll(async () => {
    srv = await startServer({ coderoot });
    sock = ["--socket", srv.serverSocket];
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it("prints parseable JSON with --json (repo list, session create/list/info)", async () => {
    const repos = await cli(["repo", "list", "--json", ...sock]);
    expect(repos.code).toBe(0);
    expect(JSON.parse(repos.stdout).map((r: { name: string }) => r.name)).toEqual(["alpha", "org/beta"]);

    const created = await cli(["session", "create", "--repo", "alpha", "--repo", "org/beta", "--task", "fix it", "--name", "cli-json", "--json", ...sock]);
    expect(created.code).toBe(0);
    const s = JSON.parse(created.stdout);
    expect(s).toMatchObject({ name: "cli-json", state: "created", repos: ["alpha", "org/beta"], task: "fix it" });

    const listed = JSON.parse((await cli([...sock, "--json", "session", "list"])).stdout);
    expect(listed.sessions.map((x: { id: string }) => x.id)).toContain(s.id);
    const info = JSON.parse((await cli(["session", "info", s.id, "--json", ...sock])).stdout);
    expect(info).toMatchObject({ id: s.id, container: null });

    const destroyed = await cli(["session", "destroy", s.id, "--json", ...sock]);
    expect(JSON.parse(destroyed.stdout)).toMatchObject({ session_id: s.id, destroyed: true });
  });

  it("prints human tables without colours when stdout is not a TTY", async () => {
    const repos = await cli(["repo", "list", ...sock]);
    expect(repos.stdout.split("\n")[0]).toMatch(/^NAME\s+BRANCH\s+HEAD\s+DIRTY\s+REMOTE$/);
    expect(repos.stdout).toMatch(/^org\/beta\s+main\s+[0-9a-f]{8} initial commit\s+no\s+-$/m);
    expect(repos.stdout).not.toContain(ESC);

    const created = await cli(["session", "create", "--repo", "alpha", "--task-file", "-", ...sock], baseEnv(), 60_000, "task from stdin\n");
    expect(created.code).toBe(0);
    const id = /created session ([0-9a-f]{8})/.exec(created.stdout)![1]!;
    const list = await cli(["session", "list", ...sock]);
    expect(list.stdout.split("\n")[0]).toMatch(/^ID\s+NAME\s+STATE\s+AGENT\s+REPOS\s+COST\s+CREATED\s+TASK$/);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+\\S+\\s+created\\s+idle\\s+alpha\\s`, "m"));
    const info = await cli(["session", "info", id, ...sock]);
    expect(info.stdout).toMatch(/^state\s+created$/m);
    expect(info.stdout).toMatch(/^task\s+task from stdin$/m);
    await cli(["session", "destroy", id, ...sock]);
  });

  it("uses colours only when asked on a non-TTY and never with NO_COLOR", async () => {
    const forced = await cli(["repo", "list", ...sock], baseEnv({ FORCE_COLOR: "1" }));
    expect(forced.stdout).toContain(ESC);
    const no = await cli(["repo", "list", ...sock], baseEnv({ FORCE_COLOR: "1", NO_COLOR: "1" }));
    expect(no.stdout).not.toContain(ESC);
  });

  it("exits 3 for an unknown session, with one error line and no stack trace", async () => {
    const r = await cli(["session", "info", "deadbeef", ...sock]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: session not found: deadbeef; list sessions with `hero-claude session list`/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await cli(["repo", "info", "nope", ...sock])).code).toBe(3);

    const json = await cli(["session", "info", "deadbeef", "--json", ...sock]);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: -32001, exit: 3 } });

    const debug = await cli(["session", "info", "deadbeef", "--debug", ...sock]);
    expect(debug.stderr).toMatch(/code: -32001/);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it("exits 2 for usage errors, and for params the server rejects", async () => {
    const cases: string[][] = [
      ["bogus"],
      ["session"],
      ["session", "create", "--task", "x"],
      ["session", "create", "--repo", "alpha"],
      ["session", "info"],
      ["session", "info", "a", "b"],
      ["session", "list", "--bogus"],
      ["session", "list", "--state", "sleeping"],
      ["session", "list", "--limit", "many"],
      ["session", "exec", "deadbeef"],
      ["repo", "list", "--", "x"],
      ["completion", "fish"],
    ];
    for (const args of cases) {
      const r = await cli([...args, ...sock]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const rejected = await cli(["session", "info", "NOT-HEX", ...sock]);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toMatch(/invalid params for session\.info: session_id/);
  });

  it("reports session.diff and session.finish of an unknown session as not found", async () => {
    expect((await cli(["session", "diff", "deadbeef", ...sock])).code).toBe(3);
    const r = await cli(["session", "finish", "deadbeef", "--title", "t", "--draft", ...sock]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: session not found: deadbeef/);
  });

  it("passes `exec` arguments after -- and reports the state error (exit 4) for a session without container", async () => {
    const s = JSON.parse((await cli(["session", "create", "--repo", "alpha", "--task", "x", "--json", ...sock])).stdout);
    const r = await cli(["session", "exec", s.id, ...sock, "--", "ls", "-la", "--json"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/session\.exec is not allowed/);
    await cli(["session", "destroy", s.id, ...sock]);
  });

  it("watches a session live (NDJSON with --json) until it is destroyed", async () => {
    const s = JSON.parse((await cli(["session", "create", "--repo", "alpha", "--task", "x", "--json", ...sock])).stdout);
    const watching = cli(["session", "watch", s.id, "--json", ...sock]);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await cli(["session", "destroy", s.id, ...sock])).code).toBe(0);
    const r = await watching;
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ event: "session", data: { id: s.id, state: "created" } });
    expect(events.at(-1)).toEqual({ event: "session", data: { id: s.id, state: "destroyed" } });
  });

  it("finds the server through HERO_SOCKET_DIR, and --socket overrides it", async () => {
    const viaEnv = await cli(["server", "health"], baseEnv({ HERO_SOCKET_DIR: path.dirname(srv.serverSocket) }));
    expect(viaEnv).toMatchObject({ code: 0, stdout: "ok\n" });
    const wrong = await cli(["server", "health", "--socket", path.join(tempDir("hc-cli-none-"), "x.sock")], baseEnv({ HERO_SOCKET_DIR: path.dirname(srv.serverSocket) }));
    expect(wrong.code).toBe(7);
    expect(wrong.stderr).toMatch(/^error: cannot reach hero_claude at unix:.*x\.sock: no socket there/);
  });

  it("shows status, server info and the operation log", async () => {
    const status = await cli(["status", ...sock]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^hero_claude: running/);
    expect(status.stdout).toMatch(/^docker\s+/m);
    expect(status.stdout).toMatch(/^image\s+hero-claude-sandbox:latest/m);
    const json = JSON.parse((await cli(["status", "--json", ...sock])).stdout);
    expect(json).toMatchObject({ running: true, pid: srv.proc.pid, info: { name: "hero_claude", coderoot }, health: { status: "ok" } });

    expect(JSON.parse((await cli(["server", "info", "--json", ...sock])).stdout)).toMatchObject({ coderoot });
    const logs = JSON.parse((await cli(["logs", "get", "--limit", "5", "--since", "1h", "--json", ...sock])).stdout);
    expect(Array.isArray(logs)).toBe(true);
    expect(logs.length).toBeGreaterThan(0);
  });

  it("runs the list-repos example with the SDK, imported as hero-claude/sdk", async () => {
    const r = await example("list-repos.ts", ["--socket", srv.serverSocket]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^alpha\tmain\tclean\t[0-9a-f]{8} initial commit$/m);
    expect(r.stdout).toMatch(/^org\/beta\t/m);
  });

  it("checks the other examples' arguments", async () => {
    const run = await example("run-session.ts", []);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/usage: run-session\.ts --repo NAME/);
    const finish = await example("finish-session.ts", ["--bogus"]);
    expect(finish.code).toBe(2);
    const watch = await example("watch-session.ts", ["deadbeef", "--socket", srv.serverSocket]);
    expect(watch.code).toBe(1);
    expect(watch.stderr).toMatch(/session not found: deadbeef/);
  });
});

describe("hero-claude without a server", () => {
  it("status exits 1 when the server is down", async () => {
    const dir = tempDir("hc-cli-down-");
    const r = await cli(["status"], baseEnv({ HERO_SOCKET_DIR: dir, HOME: dir }));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^hero_claude: not running/);
    const json = await cli(["status", "--json"], baseEnv({ HERO_SOCKET_DIR: dir, HOME: dir }));
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ running: false, pid: null });
  });

  it("API commands exit 7 when nothing answers", async () => {
    const dir = tempDir("hc-cli-down-");
    const r = await cli(["repo", "list"], baseEnv({ HERO_SOCKET_DIR: dir }));
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/start it with `hero-claude start`/);
  });

  it("documents the exit codes in --help", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit status:/);
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 8]) expect(r.stdout).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, "m"));
    expect((await cli(["session", "create", "--help"])).stdout).toMatch(/--repo NAME/);
    expect((await cli(["help", "session", "watch"])).stdout).toMatch(/^Usage: hero-claude session watch ID/);
    expect((await cli(["--version"])).stdout).toMatch(/^hero-claude \d+\.\d+\.\d+/);
  });

  it("prints bash and zsh completion scripts", async () => {
    const bash = await cli(["completion", "bash"]);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain("complete -o default -F _hero_claude hero-claude");
    execFileSync("bash", ["-n"], { input: bash.stdout });
    // The script completes commands, subcommands and option values.
    const complete = (...words: string[]) =>
      execFileSync(
        "bash",
        ["-c", `eval "$(cat)"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _hero_claude; echo "\${COMPREPLY[*]}"`],
        { input: bash.stdout, encoding: "utf8" },
      ).trim();
    expect(complete("hero-claude", "se").split(" ")).toEqual(["session", "server"]);
    expect(complete("hero-claude", "session", "cr")).toBe("create");
    expect(complete("hero-claude", "session", "list", "--state", "ru")).toBe("running");
    expect(complete("hero-claude", "session", "create", "--ta")).toBe("--task --task-file");
    const zsh = await cli(["completion", "zsh"]);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef hero-claude/);
    expect(zsh.stdout).toContain("compdef _hero_claude hero-claude");
  });
});
