import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { alive } from "../../lib/cli/service";
import { makeRepo, tempDir } from "../helpers/repos";
import { baseEnv, cli } from "./helpers";

/** A home, a CODEROOT with one repo, and the environment `hero-claude start` passes to the server. */
function sandbox() {
  const home = tempDir("hc-svc-");
  const coderoot = path.join(home, "code");
  makeRepo(path.join(coderoot, "alpha"));
  const sockets = path.join(home, "sock");
  const env = baseEnv({
    HOME: home,
    CODEROOT: coderoot,
    BUILDDIR: path.join(home, "build"),
    CLAUDE_CONFIG_DIR: path.join(home, "claude"),
    HERO_SOCKET_DIR: sockets,
    HERO_CLAUDE_NO_HERO_PROC: "1",
  });
  return { home, coderoot, sockets, env, pidFile: path.join(sockets, "hero_claude.pid"), log: path.join(home, "hero/var/hero_claude/server.log") };
}

const started: number[] = [];
afterEach(() => {
  // Never leave a server behind, whatever the test did.
  for (const pid of started.splice(0)) {
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
});

describe("hero-claude start/stop (own daemon)", () => {
  it("starts a detached server, reports it, and stops it for good", async () => {
    const sb = sandbox();
    const start = await cli(["start"], sb.env);
    expect(start.stderr).toBe("");
    expect(start.code).toBe(0);
    const pid = Number(readFileSync(sb.pidFile, "utf8"));
    started.push(pid);
    expect(alive(pid)).toBe(true);
    expect(start.stdout).toMatch(new RegExp(`^hero_claude started \\(pid ${pid}\\)$`, "m"));
    expect(start.stdout).toContain(path.join(sb.sockets, "hero_claude_server.sock"));
    expect(start.stdout).toContain(sb.log);
    expect(readFileSync(sb.log, "utf8")).toMatch(/hero_claude listening/);

    const again = await cli(["start", "--json"], sb.env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ already_running: true, pid, manager: "daemon" });

    const status = await cli(["status"], sb.env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^hero_claude: running \\(pid ${pid}\\)`));
    const repos = JSON.parse((await cli(["repo", "list", "--json"], sb.env)).stdout);
    expect(repos.map((r: { name: string }) => r.name)).toEqual(["alpha"]);

    const logs = await cli(["logs", "-n", "5"], sb.env);
    expect(logs.stdout).toMatch(/hero_claude listening/);

    const stop = await cli(["stop"], sb.env);
    expect(stop).toMatchObject({ code: 0, stdout: `stopped (pid ${pid})\n` });
    expect(alive(pid)).toBe(false);
    expect(existsSync(sb.pidFile)).toBe(false);
    expect(existsSync(path.join(sb.sockets, "hero_claude_server.sock"))).toBe(false);

    const down = await cli(["status"], sb.env);
    expect(down.code).toBe(1);
    expect(await cli(["stop"], sb.env)).toMatchObject({ code: 0, stdout: "not running\n" });
  });

  it("restarts: a new pid answers afterwards", async () => {
    const sb = sandbox();
    expect((await cli(["start"], sb.env)).code).toBe(0);
    const first = Number(readFileSync(sb.pidFile, "utf8"));
    started.push(first);
    const r = await cli(["restart"], sb.env);
    expect(r.code).toBe(0);
    const second = Number(readFileSync(sb.pidFile, "utf8"));
    started.push(second);
    expect(second).not.toBe(first);
    expect(alive(first)).toBe(false);
    expect((await cli(["server", "health"], sb.env)).stdout).toBe("ok\n");
    expect((await cli(["stop"], sb.env)).code).toBe(0);
    expect(alive(second)).toBe(false);
  });

  it("reports a server that cannot start with its own one-line reason", async () => {
    const sb = sandbox();
    const r = await cli(["start"], { ...sb.env, CODEROOT: path.join(sb.home, "missing") });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the server exited \(code 2\) before answering:/);
    expect(r.stderr).toMatch(/CODEROOT=.*missing: no such directory/);
    expect(existsSync(sb.pidFile)).toBe(false);
  });

  it("removes a stale pid file instead of signalling a stranger", async () => {
    const sb = sandbox();
    mkdirSync(sb.sockets, { recursive: true });
    writeFileSync(sb.pidFile, "999999\n");
    const r = await cli(["stop"], sb.env);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/removed the stale pid file/);
    expect(existsSync(sb.pidFile)).toBe(false);
  });
});

describe("hero-claude start/stop through hero_proc", () => {
  it("registers and starts the service with hero_proc when it is on PATH, and stops it there", async () => {
    const sb = sandbox();
    const bin = path.join(sb.home, "bin");
    const state = path.join(sb.home, "hero_proc_state");
    mkdirSync(bin);
    mkdirSync(state);
    // A stand-in for hero_proc: records its command lines; `service start` runs the registered command.
    writeFileSync(
      path.join(bin, "hero_proc"),
      `#!/usr/bin/env bash
state=${JSON.stringify(state)}
printf '%s\\n' "$*" >> "$state/calls"
case "$1 $2" in
  "service set") printf '%s' "$5" > "$state/cmd.$3" ;;
  "service start") nohup sh -c "exec $(cat "$state/cmd.$3")" >> "$state/out.log" 2>&1 & echo $! > "$state/pid.$3" ;;
  "service stop") kill -TERM "$(cat "$state/pid.$3")" ;;
  "service status") echo running ;;
  *) echo "unknown command: $*" >&2; exit 1 ;;
esac
`,
    );
    chmodSync(path.join(bin, "hero_proc"), 0o755);
    const env = { ...sb.env, PATH: `${bin}${path.delimiter}${sb.env.PATH}`, HERO_CLAUDE_NO_HERO_PROC: undefined } as NodeJS.ProcessEnv;
    delete env.HERO_CLAUDE_NO_HERO_PROC;

    const start = await cli(["start"], env);
    expect(start.stderr).toBe("");
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/^hero_claude started through hero_proc \(pid \d+\)/);
    const pid = Number(readFileSync(sb.pidFile, "utf8"));
    started.push(pid);
    const calls = readFileSync(path.join(state, "calls"), "utf8").trim().split("\n");
    expect(calls[0]).toMatch(/^service set hero_claude --cmd \S+ --env-file=\S+server\.env \S+dist\/server\.mjs$/);
    expect(calls[1]).toBe("service start hero_claude");
    // The environment travels in a private file, not on the command line.
    const envFile = path.join(sb.home, "hero/var/hero_claude/server.env");
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(envFile, "utf8")).toContain(`CODEROOT=${sb.coderoot}`);

    const stop = await cli(["stop"], env);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/^stopped through hero_proc/);
    expect(readFileSync(path.join(state, "calls"), "utf8")).toContain("service stop hero_claude");
    expect(alive(pid)).toBe(false);
  });

  it("falls back to an own daemon when hero_proc refuses", async () => {
    const sb = sandbox();
    const bin = path.join(sb.home, "bin");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "hero_proc"), "#!/bin/sh\necho 'hero_proc: not connected' >&2\nexit 3\n");
    chmodSync(path.join(bin, "hero_proc"), 0o755);
    const env = { ...sb.env, PATH: `${bin}${path.delimiter}${sb.env.PATH}` } as NodeJS.ProcessEnv;
    delete env.HERO_CLAUDE_NO_HERO_PROC;
    const start = await cli(["start"], env);
    expect(start.code).toBe(0);
    expect(start.stderr).toMatch(/warning: hero_proc service set hero_claude .* failed: hero_proc: not connected; starting an own daemon instead/);
    const pid = Number(readFileSync(sb.pidFile, "utf8"));
    started.push(pid);
    expect((await cli(["stop"], env)).code).toBe(0);
    expect(alive(pid)).toBe(false);
  });
});
