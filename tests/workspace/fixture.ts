/** Shared set-up for workspace tests: a CODEROOT repo and a session copy of it with its base. */
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { copyRepo, recordBase, type RepoBase } from "../../lib/workspace";
import { makeRepo, tempDir } from "../helpers/repos";

export interface Session {
  root: string;
  src: string;
  dest: string;
  base: RepoBase;
  log: string[];
}

/** A repo `code/app` with `files` committed, copied into `build/s1/code/app`, base recorded. */
export async function makeSession(files: Record<string, string>): Promise<Session> {
  const root = tempDir("hc-ws-");
  const src = makeRepo(path.join(root, "code", "app"), files);
  const dest = path.join(root, "build", "s1", "code", "app");
  const log: string[] = [];
  await copyRepo({ src, dest, onLine: (l) => log.push(l) });
  const base = await recordBase(dest);
  return { root, src, dest, base, log };
}

let clock = Date.now() / 1000 + 10;

/** Write a file with a distinct, later mtime (same-size edits must never look unchanged). */
export function write(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  clock += 2;
  utimesSync(file, clock, clock);
}
