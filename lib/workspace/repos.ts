/** The repositories inside a session's code dir. */
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";

async function isGitWorkTree(dir: string): Promise<boolean> {
  const st = await lstat(path.join(dir, ".git")).catch(() => null);
  return st?.isDirectory() ?? false;
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
}

/**
 * Repository names under `codeDir` (`hero_lib` or `org/hero_lib`): directories holding a `.git`
 * directory at depth 1, or depth 2 below a directory that is not itself a repository. Hidden entries
 * and symlinks are skipped, as for CODEROOT.
 */
export async function listRepoDirs(codeDir: string): Promise<string[]> {
  const names: string[] = [];
  for (const first of await subdirs(codeDir)) {
    const dir = path.join(codeDir, first);
    if (await isGitWorkTree(dir)) {
      names.push(first);
      continue;
    }
    for (const second of await subdirs(dir)) {
      if (await isGitWorkTree(path.join(dir, second))) names.push(`${first}/${second}`);
    }
  }
  return names;
}
