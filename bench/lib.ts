/** Shared helpers for the benchmarks: timing, medians, a deterministic generated repo. */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makeRepo } from "../tests/helpers/repos";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function fmt(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

/** A deterministic repo of `files` files totalling about `totalMb` MB, committed (pseudo-random content, seeded). */
export function generateRepo(dir: string, files: number, totalMb: number): void {
  makeRepo(dir, { "README.md": "# bench\n" });
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const avg = Math.floor((totalMb * 1024 * 1024) / files);
  for (let i = 0; i < files; i++) {
    const sub = path.join(dir, `src/d${i % 100}`);
    mkdirSync(sub, { recursive: true });
    const size = Math.max(16, Math.floor(avg * (0.5 + (rand() % 1000) / 1000)));
    const buf = Buffer.alloc(size);
    for (let j = 0; j < size; j += 4) buf.writeUInt32LE(rand(), Math.min(j, size - 4));
    writeFileSync(path.join(sub, `f${i}.bin`), buf);
  }
  execFileSync("git", ["-c", "safe.directory=*", "add", "-A"], { cwd: dir, env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" } });
  execFileSync(
    "git",
    ["-c", "safe.directory=*", "-c", "gc.auto=0", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "generated"],
    { cwd: dir, env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" } },
  );
}
