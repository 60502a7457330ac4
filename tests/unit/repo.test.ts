import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors";
import { excludePathspec, hasUncommittedChanges, listRepoNames, listRepos, repoInfo, resolveRepo } from "../../lib/repo";
import { git, hashTree, makeRepo, tempDir } from "../helpers/repos";

describe("repositories under CODEROOT", () => {
  const root = tempDir("hc-coderoot-");
  const coderoot = path.join(root, "code");
  makeRepo(path.join(coderoot, "alpha"), { "a.txt": "a\n", "src/b.txt": "b\n" });
  makeRepo(path.join(coderoot, "org/beta"));
  git(path.join(coderoot, "org/beta"), "branch", "feature");
  writeFileSync(path.join(coderoot, "org/beta/untracked.txt"), "new\n");
  mkdirSync(path.join(coderoot, "plain-dir"));
  mkdirSync(path.join(coderoot, ".hidden"));
  makeRepo(path.join(root, "outside"));
  symlinkSync(path.join(root, "outside"), path.join(coderoot, "escape"));
  symlinkSync(path.join(root, "outside"), path.join(coderoot, "org/escape"));

  const codeOf = async (p: Promise<unknown>) => ((await p.catch((e) => e)) as AppError).code;

  it("finds work trees at depth 1 and 2, never through symlinks", async () => {
    expect(await listRepoNames(coderoot)).toEqual(["alpha", "org/beta"]);
  });

  it("describes each repo: branch, head, dirty", async () => {
    const repos = await listRepos(coderoot);
    const alpha = repos.find((r) => r.name === "alpha")!;
    expect(alpha).toMatchObject({ branch: "main", dirty: false, remote_url: null, path: path.join(coderoot, "alpha") });
    expect(alpha.head?.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(alpha.head?.subject).toBe("initial commit");
    expect(repos.find((r) => r.name === "org/beta")!.dirty).toBe(true);
  });

  it("follows changes between calls: a new commit, a new remote, a detached HEAD, a repo with no commits", async () => {
    const dir = makeRepo(path.join(tempDir("hc-follow-"), "code", "r"), { "a.txt": "a\n" });
    const coderoot2 = path.dirname(dir);
    const describe1 = async () => (await listRepos(coderoot2))[0]!;
    const first = await describe1();
    expect(first).toMatchObject({ branch: "main", remote_url: null, dirty: false, head: { subject: "initial commit" } });

    writeFileSync(path.join(dir, "a.txt"), "b\n");
    git(dir, "commit", "-qam", "second commit");
    git(dir, "remote", "add", "origin", "https://example.invalid/acme/r.git");
    const second = await describe1();
    expect(second.head).toMatchObject({ subject: "second commit" });
    expect(second.head!.sha).not.toBe(first.head!.sha);
    expect(second.remote_url).toBe("https://example.invalid/acme/r.git");

    git(dir, "remote", "set-url", "origin", "https://example.invalid/acme/renamed.git");
    git(dir, "checkout", "-q", "--detach", "HEAD~1");
    const third = await describe1();
    expect(third).toMatchObject({ branch: null, remote_url: "https://example.invalid/acme/renamed.git", head: { sha: first.head!.sha, subject: "initial commit" } });

    const empty = path.join(tempDir("hc-empty-"), "code", "e");
    mkdirSync(empty, { recursive: true });
    git(empty, "init", "-q", "-b", "trunk");
    expect((await listRepos(path.dirname(empty)))[0]).toMatchObject({ branch: "trunk", head: null, dirty: false });
  });

  it("gives details in repo.info", async () => {
    const info = await repoInfo(coderoot, "org/beta");
    expect(info.branches.sort()).toEqual(["feature", "main"]);
    expect(info.file_count).toBe(1);
    expect(info.recent_commits).toHaveLength(1);
    expect(info.size_bytes).toBeGreaterThan(0);
  });

  it("refuses unsafe names with -32602", async () => {
    for (const name of ["../outside", "/etc", "alpha/../..", "a\0b", "", "a//b", "-rf", "x/y/z", "./alpha"]) {
      expect(await codeOf(resolveRepo(coderoot, name)), name).toBe(-32602);
    }
  });

  it("refuses symlinks out of CODEROOT, plain dirs and missing repos with -32003", async () => {
    for (const name of ["escape", "org/escape", "plain-dir", "missing", "org/missing"]) {
      expect(await codeOf(resolveRepo(coderoot, name)), name).toBe(-32003);
    }
  });

  it("never writes to CODEROOT while reading it", async () => {
    const before = hashTree(coderoot);
    await listRepos(coderoot);
    await repoInfo(coderoot, "alpha");
    await repoInfo(coderoot, "org/beta");
    expect(hashTree(coderoot)).toBe(before);
  });
});

describe("excludePathspec", () => {
  it("turns rsync excludes into git pathspecs that leave out the same paths", () => {
    expect(excludePathspec("target/")).toBe(":(exclude,glob)**/target/**");
    expect(excludePathspec("/dist/")).toBe(":(exclude,glob)dist/**");
    expect(excludePathspec("*.o")).toBe(":(exclude,glob)**/*.o");
  });

  it("hasUncommittedChanges ignores what the excludes leave out, and sees the rest", async () => {
    const dir = makeRepo(path.join(tempDir("hc-dirty-"), "r"), { "a.txt": "a\n" });
    mkdirSync(path.join(dir, "pkg/target/debug"), { recursive: true });
    writeFileSync(path.join(dir, "pkg/target/debug/out"), "built\n");
    writeFileSync(path.join(dir, "lib.o"), "obj\n");
    expect(await hasUncommittedChanges(dir, ["target/", "*.o"])).toBe(false);
    expect(await hasUncommittedChanges(dir, ["target/"])).toBe(true);
    writeFileSync(path.join(dir, "a.txt"), "edited\n");
    expect(await hasUncommittedChanges(dir, ["target/", "*.o"])).toBe(true);
  });
});
