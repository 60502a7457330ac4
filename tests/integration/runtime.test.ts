import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "../helpers/http";
import { docker, dockerMissing, removeSessionContainers, startFakeModel, type FakeModel } from "../helpers/docker";
import { hashTree, makeRepo, tempDir } from "../helpers/repos";
import { startServer, type RunningServer } from "../helpers/server";
import { until } from "../helpers/wait";

const missing = dockerMissing();

describe.skipIf(missing)("containers: start, stop, resume, exec, hardening, reconciliation", () => {
  let srv: RunningServer;
  let fake: FakeModel;
  const coderoot = path.join(tempDir("hc-rt-"), "code");
  makeRepo(path.join(coderoot, "alpha"), { "a.txt": "a\n" });

  beforeAll(async () => {
    fake = await startFakeModel();
    srv = await startServer({
      coderoot,
      env: {
        HERO_CLAUDE_NETWORK: fake.network,
        ANTHROPIC_BASE_URL: fake.baseUrl,
        ANTHROPIC_API_KEY: "sk-fake-runtime-test-key",
        HERO_CLAUDE_PIDS_LIMIT: "128",
        HERO_CLAUDE_RECONCILE_MS: "500",
        HERO_CLAUDE_STOP_TIMEOUT_S: "2",
      },
    });
  });
  afterAll(async () => {
    await srv?.stop();
    if (srv) removeSessionContainers(srv.builddir);
    fake?.stop();
  });

  let id: string;

  it("starts a hardened container with the workspace mounted and the labels set", async () => {
    await fake.script([{ text: "nothing to do" }]);
    id = (await srv.rpc("session.create", { repos: ["alpha"], task: "look around", cpu: 1, memory_gb: 1 })).id;
    const s = await srv.rpc("session.start", { session_id: id });
    expect(s.state).toBe("running");
    expect(s.container_id).toMatch(/^[0-9a-f]{64}$/);
    const info = JSON.parse(docker("inspect", s.container_id))[0];
    expect(info.Name).toBe(`/hero-claude-${id}`);
    expect(info.Config.Labels).toMatchObject({ "hero_claude.session": id, "hero_claude.builddir": srv.builddir });
    expect(info.Config.User).toBe("1000:1000");
    expect(info.HostConfig).toMatchObject({
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      ReadonlyRootfs: true,
      Privileged: false,
      PidsLimit: 128,
      NanoCpus: 1e9,
      Memory: 1024 ** 3,
      MemorySwap: 1024 ** 3,
    });
    const binds: string[] = info.HostConfig.Binds;
    expect(binds).toContain(`${path.join(srv.builddir, id, "code")}:/workspace/code:rw`);
    expect(binds.some((b) => b.includes("docker.sock"))).toBe(false);
    expect(readFileSync(path.join(srv.builddir, id, "state/container_id"), "utf8").trim()).toBe(s.container_id);
    const full = await srv.rpc("session.info", { session_id: id });
    expect(full.container).toMatchObject({ running: true, status: "running" });
    expect(full.container.memory_limit_bytes).toBeGreaterThan(0);
  });

  it("proves the hardening from inside the container", async () => {
    const run = (command: string[], timeout_s = 30) => srv.rpc("session.exec", { session_id: id, command, timeout_s });
    const status = await run(["cat", "/proc/self/status"]);
    expect(status.stdout).toMatch(/CapEff:\s+0000000000000000/);
    expect(status.stdout).toMatch(/NoNewPrivs:\s+1/);
    expect(status.stdout).toMatch(/Seccomp:\s+2/);
    expect((await run(["id", "-u"])).stdout.trim()).toBe("1000");
    const rootWrite = await run(["touch", "/hero-test"]);
    expect(rootWrite.exit_code).not.toBe(0);
    expect(rootWrite.stderr).toMatch(/Read-only file system/);
    expect((await run(["touch", "/tmp/ok", "/home/agent/ok", "/workspace/code/alpha/ok"])).exit_code).toBe(0);
    expect((await run(["sh", "-c", "ls /var/run/docker.sock /run/docker.sock"])).exit_code).not.toBe(0);
    const su = await run(["sh", "-c", "cat /etc/shadow"]);
    expect(su.exit_code).not.toBe(0);
    // A fork bomb hits the pids limit (128) instead of the host: in a session of its own, so the
    // pids it holds while the kernel reaps them cannot disturb the other tests.
    const bombId = (await srv.rpc("session.create", { repos: ["alpha"], task: "fork bomb" })).id;
    await srv.rpc("session.start", { session_id: bombId });
    const bomb = await srv.rpc("session.exec", {
      session_id: bombId,
      command: ["sh", "-c", "i=0; while [ $i -lt 400 ]; do sleep 30 & i=$((i+1)); done; echo spawned $i"],
      timeout_s: 20,
    });
    expect(bomb.stderr + bomb.stdout).toMatch(/fork|Resource temporarily unavailable|Cannot allocate/i);
    const pids = (await srv.rpc("session.info", { session_id: bombId })).container.pids;
    if (pids !== null) expect(pids).toBeLessThanOrEqual(128);
    await srv.rpc("session.destroy", { session_id: bombId });
  });

  it("runs commands: separate streams, real exit codes, timeouts, capped output, concurrency", async () => {
    const r = await srv.rpc("session.exec", { session_id: id, command: ["sh", "-c", "echo out; echo err >&2; exit 3"] });
    expect(r).toMatchObject({ exit_code: 3, stdout: "out\n", stderr: "err\n", timed_out: false });
    const pwd = await srv.rpc("session.exec", { session_id: id, command: ["pwd"], cwd: "/workspace/code/alpha" });
    expect(pwd.stdout.trim()).toBe("/workspace/code/alpha");
    const slow = await srv.rpc("session.exec", { session_id: id, command: ["sleep", "30"], timeout_s: 1 });
    expect(slow.timed_out).toBe(true);
    expect(slow.duration_ms).toBeLessThan(10_000);
    const big = await srv.rpc("session.exec", { session_id: id, command: ["sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x"] });
    expect(big.stdout).toMatch(/output truncated/);
    expect(big.stdout.length).toBeLessThan(1_100_000);
    const many = await Promise.all(
      Array.from({ length: 6 }, (_, i) => srv.rpc("session.exec", { session_id: id, command: ["sh", "-c", `sleep 0.3; echo ${i}`] })),
    );
    expect(many.map((m) => m.stdout.trim())).toEqual(["0", "1", "2", "3", "4", "5"]);
    expect((await srv.rpcRaw("session.exec", { session_id: id, command: [] })).error.code).toBe(-32602);
    expect((await srv.rpcRaw("session.exec", { session_id: id, command: ["true"], cwd: "relative" })).error.code).toBe(-32602);
  });

  it("stops and resumes with the same container and workspace", async () => {
    await srv.rpc("session.exec", { session_id: id, command: ["sh", "-c", "echo kept > /workspace/code/alpha/kept.txt"] });
    const before = (await srv.rpc("session.info", { session_id: id })).container_id;
    const stopped = await srv.rpc("session.stop", { session_id: id });
    expect(stopped.state).toBe("stopped");
    expect(JSON.parse(docker("inspect", before))[0].State.Running).toBe(false);
    expect((await srv.rpcRaw("session.exec", { session_id: id, command: ["true"] })).error.code).toBe(-32002);
    expect((await srv.rpcRaw("session.stop", { session_id: id })).error).toMatchObject({ code: -32002, message: /stopped/ });
    const again = await srv.rpc("session.start", { session_id: id });
    expect(again).toMatchObject({ state: "running", container_id: before });
    const cat = await srv.rpc("session.exec", { session_id: id, command: ["cat", "/workspace/code/alpha/kept.txt"] });
    expect(cat.stdout).toBe("kept\n");
  });

  it("reconciles: a container removed behind its back makes the session stopped, and start recreates it", async () => {
    const s = await srv.rpc("session.info", { session_id: id });
    docker("rm", "-f", s.container_id);
    const stopped = await until("the session to be stopped", async () => {
      const x = await srv.rpc("session.info", { session_id: id });
      return x.state === "stopped" && x;
    });
    // rm -f kills, then removes: reconciliation may see either moment.
    expect(stopped.error).toMatch(/disappeared|stopped on its own/);
    const again = await srv.rpc("session.start", { session_id: id });
    expect(again.state).toBe("running");
    expect(again.container_id).not.toBe(s.container_id);
    expect(readFileSync(path.join(srv.builddir, id, "code/alpha/kept.txt"), "utf8")).toBe("kept\n");
  });

  it("removes orphan containers carrying its label after a restart", async () => {
    docker("run", "-d", "--name", `hero-claude-orphan-${Date.now()}`, "--label", "hero_claude.session=deadbeef",
      "--label", `hero_claude.builddir=${srv.builddir}`, "--network", "none", "--entrypoint", "sleep", "hero-claude-sandbox:latest", "300");
    await srv.stop();
    srv = await startServer({ coderoot, dir: srv.dir, env: { HERO_CLAUDE_NETWORK: fake.network, ANTHROPIC_BASE_URL: fake.baseUrl, HERO_CLAUDE_RECONCILE_MS: "500" } });
    await until("the orphan to be removed", async () => docker("ps", "-aq", "--filter", "label=hero_claude.session=deadbeef") === "");
    const s = await srv.rpc("session.info", { session_id: id });
    expect(s.state).toBe("running");
    expect(s.container.running).toBe(true);
  });

  it("destroy removes the container too", async () => {
    const s = await srv.rpc("session.info", { session_id: id });
    await srv.rpc("session.destroy", { session_id: id });
    expect(docker("ps", "-aq", "--filter", `id=${s.container_id}`)).toBe("");
  });
});

/** Whether the engine offers gVisor's runsc (registered in its daemon.json). */
function engineOffers(runtime: string): boolean {
  if (missing) return false;
  return runtime in (JSON.parse(docker("info", "--format", "{{json .Runtimes}}")) as Record<string, unknown>);
}

describe.skipIf(missing)("HERO_CLAUDE_OCI_RUNTIME", () => {
  async function startOn(ociRuntime: string): Promise<{ srv: RunningServer; id: string; sh: (script: string) => Promise<string> }> {
    const coderoot = path.join(tempDir("hc-oci-"), "code");
    makeRepo(path.join(coderoot, "alpha"), { "a.txt": "a\n" });
    const srv = await startServer({ coderoot, env: { HERO_CLAUDE_OCI_RUNTIME: ociRuntime, ANTHROPIC_BASE_URL: "http://127.0.0.1:9" } });
    const { id } = await srv.rpc("session.create", { repos: ["alpha"], task: "x" });
    await srv.rpc("session.start", { session_id: id });
    const sh = async (script: string) => {
      const r = await srv.rpc("session.exec", { session_id: id, command: ["sh", "-c", script] });
      return `${r.stdout}${r.stderr}`;
    };
    return { srv, id, sh };
  }

  it("falls back to the engine's default runtime, with a warning, when the engine does not offer it", async () => {
    const { srv, id, sh } = await startOn("no-such-runtime");
    try {
      expect(await sh("cat /proc/version")).not.toMatch(/^Linux version 4\.4\.0 #1 SMP Sun Jan 10/);
      const warnings = await srv.rpc("logs.get", { level: "warn" });
      expect(warnings.map((e: { message: string }) => e.message)).toContain("HERO_CLAUDE_OCI_RUNTIME=no-such-runtime is not offered by the engine; using its default");
      await srv.rpc("session.destroy", { session_id: id });
    } finally {
      await srv.stop();
      removeSessionContainers(srv.builddir);
    }
  });

  // Runs where the engine offers runsc (Debian's `runsc` package, registered in /etc/docker/daemon.json).
  it.skipIf(!engineOffers("runsc"))("runs the session's container on gVisor (runsc) when the engine offers it, still hardened", async () => {
    const { srv, id, sh } = await startOn("runsc");
    try {
      expect(await sh("dmesg")).toContain("Starting gVisor");
      expect(await sh("id -u; grep CapEff /proc/self/status; touch /x 2>&1; cat /workspace/code/alpha/a.txt")).toMatch(/^1000\nCapEff:\s+0+\n.*(Permission denied|Read-only).*\na\n$/s);
      await srv.rpc("session.destroy", { session_id: id });
    } finally {
      await srv.stop();
      removeSessionContainers(srv.builddir);
    }
  });
});

describe("Docker unavailable", () => {
  it("fails fast with -32004 and a hint, keeps health up and changes nothing on disk", async () => {
    const coderoot = path.join(tempDir("hc-nodock-"), "code");
    makeRepo(path.join(coderoot, "alpha"));
    const srv = await startServer({ coderoot, env: { DOCKER_HOST: `unix://${tempDir()}/no-docker.sock` } });
    try {
      const s = await srv.rpc("session.create", { repos: ["alpha"], task: "x" });
      const before = hashTree(path.join(srv.builddir, s.id, "code"));
      const recordBefore = readFileSync(path.join(srv.builddir, s.id, "state/session.json"), "utf8");
      const t0 = Date.now();
      const r = await srv.rpcRaw("session.start", { session_id: s.id });
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(r.error.code).toBe(-32004);
      expect(r.error.message).toMatch(/not reachable.*make docker/);
      expect(await srv.rpc("server.health")).toBe(true);
      const health = JSON.parse((await request(srv.serverSocket, "GET", "/health")).body);
      expect(health.docker).toBe(false);
      expect((await srv.rpc("server.info")).runtime.reachable).toBe(false);
      expect(hashTree(path.join(srv.builddir, s.id, "code"))).toBe(before);
      expect(readFileSync(path.join(srv.builddir, s.id, "state/session.json"), "utf8")).toBe(recordBefore);
      expect((await srv.rpc("session.info", { session_id: s.id })).state).toBe("created");
    } finally {
      await srv.stop();
    }
  });
});
