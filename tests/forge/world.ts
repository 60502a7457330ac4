/**
 * A small CODEROOT/BUILDDIR world for the forge tests, with real git only:
 * - a source repository whose `origin` looks like a forge URL (https://github.com/acme/alpha.git)
 *   and is rewritten by `url.<file:///…/bare>.insteadOf` in the SOURCE repository's config to a
 *   bare repository made here (the "remote" the test inspects);
 * - a session copy made with `rsync -a` of the source, and git run in it as the agent would.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { git, makeRepo, TEST_GIT_ENV, tempDir } from "../helpers/repos";

const ENV = TEST_GIT_ENV;

/** git run as the agent inside its session copy (its own identity). */
export function agentGit(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...ENV, GIT_AUTHOR_NAME: "Agent", GIT_AUTHOR_EMAIL: "agent@sandbox.invalid", GIT_COMMITTER_NAME: "Agent", GIT_COMMITTER_EMAIL: "agent@sandbox.invalid" },
  });
}

/** git on a bare "remote" repository. */
export function bareGit(bare: string, ...args: string[]): string {
  return execFileSync("git", ["--git-dir", bare, ...args], { encoding: "utf8", env: ENV }).trim();
}

export interface SourceRepo {
  name: string;
  sourceDir: string;
  bare: string;
  origin: string;
}

export class World {
  readonly root = tempDir("hc-forge-");
  readonly coderoot = path.join(this.root, "code");
  readonly builddir = path.join(this.root, "build");
  readonly remotes = path.join(this.root, "remotes");

  /** A CODEROOT repository on `main` with `files`, whose origin `origin` is rewritten to a new bare repo. */
  source(name: string, origin: string, files: Record<string, string> = { "README.md": "# readme\n" }): SourceRepo {
    const sourceDir = makeRepo(path.join(this.coderoot, name), files);
    const bare = path.join(this.remotes, `${name}.git`);
    mkdirSync(this.remotes, { recursive: true });
    execFileSync("git", ["init", "-q", "--bare", "-b", "main", bare], { env: ENV });
    git(sourceDir, "remote", "add", "origin", origin);
    git(sourceDir, "config", `url.file://${bare}.insteadOf`, origin);
    git(sourceDir, "push", "-q", "origin", "main");
    return { name, sourceDir, bare, origin };
  }

  /** The session copy of `src` (rsync -a, `.git` included), and its base commit. */
  session(id: string, src: SourceRepo): { dir: string; base: string } {
    const dir = path.join(this.builddir, id, "code", src.name);
    mkdirSync(path.dirname(dir), { recursive: true });
    execFileSync("rsync", ["-a", `${src.sourceDir}/`, `${dir}/`]);
    return { dir, base: git(dir, "rev-parse", "HEAD").trim() };
  }

  /** A pre-receive hook in `bare` that rejects the first push and accepts the next ones. */
  rejectOnce(bare: string): void {
    const marker = path.join(bare, "rejected-once");
    const hook = path.join(bare, "hooks", "pre-receive");
    writeFileSync(hook, `#!/bin/sh\nif [ ! -f '${marker}' ]; then touch '${marker}'; echo 'pre-receive: push refused by policy (first try)' >&2; exit 1; fi\nexit 0\n`);
    chmodSync(hook, 0o755);
  }
}

export function write(dir: string, rel: string, content: string | Buffer): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), content);
}
