/**
 * repo.list benchmark. Prints figures; asserts nothing.
 * 40 small repositories under CODEROOT: `repo.list` over the socket, first call and warm median,
 * against a baseline measured in the same run: one plain `git status --porcelain` per repository,
 * 8 at a time (what repo.list must do at least, since dirtiness cannot be cached).
 * Run: npx tsx bench/repos.bench.ts   (BENCH_REPOS=40, BENCH_RUNS=7 by default)
 */
import { execFile, execFileSync } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { rmSync } from "node:fs";
import { makeRepo, tempDir } from "../tests/helpers/repos";
import { startServer } from "../tests/helpers/server";
import { mapLimit } from "../lib/workspace/tree";
import { fmt, median, timeIt } from "./lib";

const REPOS = Number(process.env.BENCH_REPOS ?? 40);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const run = promisify(execFile);

async function main() {
  execFileSync(process.execPath, ["scripts/build-server.mjs"], { stdio: "inherit" });
  const root = tempDir("hc-bench-repos-");
  const coderoot = path.join(root, "code");
  const dirs = Array.from({ length: REPOS }, (_, i) => makeRepo(path.join(coderoot, `r${i}`), { "README.md": `# r${i}\n`, "src/a.txt": "a\n" }));
  const srv = await startServer({ coderoot });
  try {
    const first = await timeIt(() => srv.rpc("repo.list"));
    const listTimes: number[] = [];
    const statusTimes: number[] = [];
    const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_OPTIONAL_LOCKS: "0" };
    for (let i = 0; i < RUNS; i++) {
      statusTimes.push(await timeIt(() => mapLimit(dirs, 8, (cwd) => run("git", ["status", "--porcelain"], { cwd, env }))));
      listTimes.push(await timeIt(() => srv.rpc("repo.list")));
    }
    const l = median(listTimes);
    const g = median(statusTimes);
    console.log(`repo.list of ${REPOS} repos: first call ${fmt(first)}, then median ${fmt(l)}; plain git status ×${REPOS} median ${fmt(g)}; ratio ${(l / g).toFixed(2)}`);
  } finally {
    await srv.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
