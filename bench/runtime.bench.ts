/**
 * Runtime benchmark (issue 4). Prints figures; asserts nothing. Needs Docker and the sandbox image.
 * - session.start of a created session until `running` vs a plain `docker run -d` of the same image
 *   with the same mounts (target overhead ≤ 300 ms)
 * - session.exec of `true` vs a plain `docker exec` (target ratio ≤ 1.5)
 * - 20 sessions started concurrently: total time and the server's RSS
 * Sessions join an internal network with the fake model, so the agent reaches nothing else.
 * Run: npx tsx bench/runtime.bench.ts
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { docker, IMAGE, removeSessionContainers, startFakeModel } from "../tests/helpers/docker";
import { makeRepo, tempDir } from "../tests/helpers/repos";
import { startServer } from "../tests/helpers/server";
import { fmt, median, timeIt } from "./lib";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function main() {
  execFileSync(process.execPath, ["scripts/build-server.mjs"], { stdio: "inherit" });
  const fake = await startFakeModel();
  const coderoot = path.join(tempDir("hc-rtbench-"), "code");
  makeRepo(path.join(coderoot, "alpha"), { "a.txt": "a\n" });
  const srv = await startServer({
    coderoot,
    env: { HERO_CLAUDE_NETWORK: fake.network, ANTHROPIC_BASE_URL: fake.baseUrl, ANTHROPIC_API_KEY: "sk-fake-bench", HERO_CLAUDE_STOP_TIMEOUT_S: "1" },
  });
  try {
    await fake.script(Array.from({ length: 200 }, () => ({ text: "ok" })));
    const plain: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = await srv.rpc("session.create", { repos: ["alpha"], task: "bench" });
      const code = path.join(srv.builddir, s.id, "code");
      let plainId = "";
      plain.push(
        await timeIt(() => {
          plainId = docker("run", "-d", "--network", fake.network, "-v", `${code}:/workspace/code`, "--user", "1000:1000",
            "--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", IMAGE);
        }),
      );
      docker("rm", "-f", plainId);
      ours.push(await timeIt(() => srv.rpc("session.start", { session_id: s.id })));
      if (i === 0) {
        const execPlain: number[] = [];
        const execOurs: number[] = [];
        const cid = (await srv.rpc("session.info", { session_id: s.id })).container_id as string;
        for (let j = 0; j < 20; j++) {
          execPlain.push(await timeIt(() => docker("exec", "--user", "1000:1000", cid, "true")));
          execOurs.push(await timeIt(() => srv.rpc("session.exec", { session_id: s.id, command: ["true"] })));
        }
        const ep = median(execPlain);
        const eo = median(execOurs);
        console.log(`exec true: session.exec median ${fmt(eo)}, docker exec median ${fmt(ep)}, ratio ${(eo / ep).toFixed(2)} (target ≤ 1.5)`);
      }
      await srv.rpc("session.destroy", { session_id: s.id });
    }
    const p = median(plain);
    const o = median(ours);
    console.log(`start: session.start median ${fmt(o)}, docker run -d median ${fmt(p)}, overhead ${fmt(o - p)} (target ≤ 300 ms)`);

    const many = await Promise.all(Array.from({ length: 20 }, () => srv.rpc("session.create", { repos: ["alpha"], task: "many" })));
    const before = rssMb(srv.proc.pid!);
    const total = await timeIt(() => Promise.all(many.map((s) => srv.rpc("session.start", { session_id: s.id }))));
    console.log(`20 concurrent session.start: ${fmt(total)} total; server RSS ${before.toFixed(0)} MB before, ${rssMb(srv.proc.pid!).toFixed(0)} MB after`);
    for (const s of many) await srv.rpc("session.destroy", { session_id: s.id });
  } finally {
    await srv.stop();
    removeSessionContainers(srv.builddir);
    fake.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
