/**
 * Sessions benchmark (issue 3). Prints figures; asserts nothing.
 * - session.create of a ~10 000-file / ~150 MB repo vs a plain `rsync -a` of the same tree (target ratio ≤ 1.15)
 * - session.sync of an unchanged session vs a no-op `rsync -a` (target ratio ≤ 1.5)
 * - 200 concurrent session.create over the socket (small repo): all succeed, distinct ids, all back after a restart
 * - session.list with 1000 sessions: p50/p99 over the socket (target p99 ≤ 20 ms)
 * Run: npx tsx bench/sessions.bench.ts   (BENCH_RUNS=5 by default; BENCH_PARTS=create,sync to skip the rest)
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { makeRepo, tempDir } from "../tests/helpers/repos";
import { startServer } from "../tests/helpers/server";
import { fmt, generateRepo, median, percentile, timeIt } from "./lib";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Which parts to run (BENCH_PARTS=create,sync,concurrent,list; default all). */
const PARTS = new Set((process.env.BENCH_PARTS ?? "create,sync,concurrent,list").split(","));

async function main() {
  execFileSync(process.execPath, ["scripts/build-server.mjs"], { stdio: "inherit" });
  const root = tempDir("hc-bench-");
  const coderoot = path.join(root, "code");
  console.log("generating a 10 000-file / ~150 MB repo…");
  generateRepo(path.join(coderoot, "big"), 10_000, 150);
  makeRepo(path.join(coderoot, "small"), { "a.txt": "a\n" });
  let srv = await startServer({ coderoot });
  process.on("exit", () => {
    if (process.exitCode) console.error(`server output:\n${srv.output().slice(-4000)}`);
  });

  // 1. create vs rsync -a
  const rsyncTimes: number[] = [];
  const createTimes: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dest = path.join(root, `rsync-${i}`);
    rsyncTimes.push(await timeIt(() => execFileSync("rsync", ["-a", `${coderoot}/big/`, `${dest}/`])));
    createTimes.push(await timeIt(async () => ids.push((await srv.rpc("session.create", { repos: ["big"], task: "bench" })).id)));
    rmSync(dest, { recursive: true, force: true });
  }
  const rc = median(rsyncTimes);
  const cc = median(createTimes);
  console.log(`create 10k files: session.create median ${fmt(cc)}, rsync -a median ${fmt(rc)}, ratio ${(cc / rc).toFixed(2)} (target ≤ 1.15)`);

  // 2. no-op sync vs no-op rsync
  const noopDest = path.join(root, "noop");
  execFileSync("rsync", ["-a", `${coderoot}/big/`, `${noopDest}/`]);
  const noopRsync: number[] = [];
  const syncTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    noopRsync.push(await timeIt(() => execFileSync("rsync", ["-a", `${coderoot}/big/`, `${noopDest}/`])));
    syncTimes.push(await timeIt(() => srv.rpc("session.sync", { session_id: ids[0] })));
  }
  const rn = median(noopRsync);
  const sn = median(syncTimes);
  console.log(`no-op sync: session.sync median ${fmt(sn)}, rsync -a median ${fmt(rn)}, ratio ${(sn / rn).toFixed(2)} (target ≤ 1.5)`);
  for (const id of ids) await srv.rpc("session.destroy", { session_id: id });

  if (!PARTS.has("concurrent") && !PARTS.has("list")) {
    await srv.stop();
    rmSync(root, { recursive: true, force: true });
    return;
  }
  // 3. 200 concurrent creates
  const t200 = await timeIt(async () => {
    const made = await Promise.all(Array.from({ length: 200 }, () => srv.rpcRaw("session.create", { repos: ["small"], task: "many" })));
    const ok = made.filter((m) => m.result).map((m) => m.result.id as string);
    console.log(`200 concurrent creates: ${ok.length} succeeded, ${new Set(ok).size} distinct ids`);
  });
  console.log(`200 concurrent creates: ${(200 / (t200 / 1000)).toFixed(1)} calls/s (${fmt(t200)} total)`);
  await srv.stop();
  srv = await startServer({ coderoot, dir: srv.dir });
  console.log(`after a restart: ${(await srv.rpc("session.list", { limit: 1000 })).total} records`);

  // 4. session.list with 1000 sessions
  for (let made = (await srv.rpc("session.list", {})).total; made < 1000; made += 50) {
    await Promise.all(Array.from({ length: Math.min(50, 1000 - made) }, () => srv.rpc("session.create", { repos: ["small"], task: "list" })));
  }
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) lat.push(await timeIt(() => srv.rpc("session.list", { limit: 50 })));
  console.log(`session.list (1000 sessions, limit 50): p50 ${fmt(percentile(lat, 50))}, p99 ${fmt(percentile(lat, 99))} (target p99 ≤ 20 ms)`);
  const latAll: number[] = [];
  for (let i = 0; i < 50; i++) latAll.push(await timeIt(() => srv.rpc("session.list", { limit: 1000 })));
  console.log(`session.list (1000 sessions, limit 1000): p50 ${fmt(percentile(latAll, 50))}, p99 ${fmt(percentile(latAll, 99))}`);
  await srv.stop();
  rmSync(root, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
