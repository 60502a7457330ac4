// Host-side git on an agent-written repository: every program-running setting the agent can plant
// (config, includes, hooks, attributes drivers, url rewrites, a nested repository) is planted in a
// session copy, proven live with plain git on a copy, and proven dead under diffRepo + finishRepo,
// which still succeed and push to the SOURCE repository's origin. Layout tricks are refused.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors";
import { finishRepo, type FinishOptions } from "../../lib/forge/finish";
import { checkRepoLayout } from "../../lib/forge/untrusted-repo";
import { diffRepo } from "../../lib/workspace/diff";
import { startGithubFake, type GithubFake } from "../fakes/github-fake";
import { git, hashTree, makeRepo } from "../helpers/repos";
import { agentGit, bareGit, World, write } from "./world";

const HOOKS = [
  "pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "pre-push", "reference-transaction",
  "post-checkout", "post-index-change", "pre-auto-gc", "post-rewrite", "fsmonitor-watchman", "pre-rebase",
  "post-merge", "pre-merge-commit", "push-to-checkout", "sendemail-validate", "post-update", "pre-receive", "update",
];

/** Every marker a planted program would leave: `/tmp/hc-<unique>-pwned-<item>`. */
function markers(prefix: string): string[] {
  const dir = path.dirname(prefix);
  const base = path.basename(prefix);
  return readdirSync(dir).filter((n) => n.startsWith(`${base}-pwned-`)).sort();
}

/**
 * Plant in the copy at `dir` each setting that makes git run a program, each touching
 * `${MARKER_PREFIX:-<prefix>}-pwned-<item>`; returns the list of planted items.
 */
function plant(dir: string, prefix: string, evilBare: string): string[] {
  const scripts = path.join(dir, ".git", "evil");
  mkdirSync(scripts, { recursive: true });
  const items: string[] = [];
  const script = (item: string, body = "") => {
    const p = path.join(scripts, `${item}.sh`);
    writeFileSync(p, `#!/bin/sh\ntouch "\${MARKER_PREFIX:-${prefix}}-pwned-${item}"\n${body}`);
    chmodSync(p, 0o755);
    items.push(item);
    return p;
  };
  const cfg = (key: string, value: string, file = path.join(dir, ".git", "config")) =>
    execFileSync("git", ["config", "--file", file, "--add", key, value]);

  cfg("core.fsmonitor", script("core.fsmonitor"));
  cfg("core.sshCommand", script("core.sshCommand"));
  cfg("core.pager", script("core.pager", "exec cat\n"));
  cfg("core.askPass", script("core.askPass", "echo x\n"));
  cfg("core.editor", script("core.editor"));
  cfg("sequence.editor", script("sequence.editor"));
  cfg("core.gitProxy", script("core.gitProxy"));
  cfg("core.alternateRefsCommand", script("core.alternateRefsCommand"));
  cfg("credential.helper", `!${script("credential.helper")}`);
  cfg("credential.https://github.com.helper", `!${script("credential.url.helper")}`);
  cfg("filter.evil.clean", script("filter.clean", "exec sed s/RAW/CLEANED/\n"));
  cfg("filter.evil.smudge", script("filter.smudge", "exec cat\n"));
  cfg("filter.evil.process", script("filter.process"));
  cfg("filter.evil.required", "true");
  cfg("diff.evil.textconv", script("diff.textconv", 'cat "$1"\n'));
  cfg("diff.evil.command", script("diff.command"));
  cfg("diff.external", script("diff.external"));
  cfg("merge.evil.driver", script("merge.driver"));
  cfg("uploadpack.packObjectsHook", script("uploadpack.packObjectsHook"));
  cfg("gpg.program", script("gpg.program"));
  cfg("commit.gpgSign", "true");
  cfg("pager.diff", script("pager.diff", "exec cat\n"));
  cfg("interactive.diffFilter", script("interactive.diffFilter"));
  cfg("remote.origin.url", `file://${evilBare}`);
  cfg("remote.origin.pushurl", `file://${evilBare}`);
  cfg("remote.origin.receivepack", script("remote.receivepack"));
  cfg("remote.origin.uploadpack", script("remote.uploadpack"));
  cfg(`remote.https://github.com/acme/alpha.git.receivepack`, script("remote.url.receivepack"));
  // Url rewrites that would send the push (and the host's credentials) elsewhere.
  cfg(`url.file://${evilBare}.insteadOf`, "https://github.com/");
  cfg(`url.ext::sh -c touch% ${prefix}-pwned-url.ext.pushInsteadOf`, "https://github.com/");
  items.push("url.ext.pushInsteadOf");
  cfg("protocol.ext.allow", "always");
  cfg("protocol.allow", "always");
  // Includes: a second config file with more of the same, unconditionally and by includeIf.
  const inc = path.join(dir, ".git", "evil", "included.cfg");
  cfg("core.pager", script("include.path.pager", "exec cat\n"), inc);
  cfg("diff.external", script("include.path.diff.external"), inc);
  cfg("include.path", inc);
  const incIf = path.join(dir, ".git", "evil", "included-if.cfg");
  cfg("core.fsmonitor", script("includeIf.fsmonitor"), incIf);
  cfg("includeIf.gitdir:/.path", incIf);
  // A work tree somewhere else entirely.
  cfg("core.worktree", "/");
  // Hooks: in .git/hooks and in a core.hooksPath directory.
  const hooksPath = path.join(dir, ".git", "evil", "hooks");
  mkdirSync(hooksPath);
  for (const h of HOOKS) {
    for (const [where, d] of [["hooks", path.join(dir, ".git", "hooks")], ["hooksPath", hooksPath]] as const) {
      mkdirSync(d, { recursive: true });
      const p = path.join(d, h);
      writeFileSync(p, `#!/bin/sh\ntouch "\${MARKER_PREFIX:-${prefix}}-pwned-${where}.${h}"\ncat >/dev/null 2>&1 || true\nexit 0\n`);
      chmodSync(p, 0o755);
      items.push(`${where}.${h}`);
    }
  }
  cfg("core.hooksPath", hooksPath);
  // Attributes routing every file through the planted drivers (work tree and info/attributes).
  write(dir, ".gitattributes", "* filter=evil diff=evil merge=evil\n");
  write(dir, ".git/info/attributes", "* filter=evil diff=evil merge=evil\n");
  // A nested repository with its own planted config and hooks.
  const sub = path.join(dir, "vendor", "nested");
  mkdirSync(sub, { recursive: true });
  git(sub, "init", "-q", "-b", "main");
  write(sub, "n.txt", "nested\n");
  git(sub, "add", "-A");
  git(sub, "commit", "-qm", "nested");
  cfg("core.fsmonitor", script("nested.fsmonitor"), path.join(sub, ".git", "config"));
  cfg("core.hooksPath", hooksPath, path.join(sub, ".git", "config"));
  write(dir, ".gitmodules", `[submodule "nested"]\n\tpath = vendor/nested\n\turl = ./nested\n\tupdate = !${script("gitmodules.update")}\n`);
  return items;
}

describe("host-side git on a planted session repository", () => {
  const world = new World();
  const prefix = path.join(tmpdir(), `hc-${randomBytes(4).toString("hex")}`);
  let gh: GithubFake;
  beforeAll(async () => {
    gh = await startGithubFake();
  });
  afterAll(async () => {
    await gh.close();
    for (const m of markers(prefix)) rmSync(path.join(path.dirname(prefix), m), { force: true });
    for (const m of markers(`${prefix}-control`)) rmSync(path.join(path.dirname(prefix), m), { force: true });
  });

  it("runs none of the planted programs during diff and finish, and still pushes and opens the PR", async () => {
    const src = world.source("alpha", "https://github.com/acme/alpha.git", { "README.md": "# alpha\n", "data.txt": "RAW original\n" });
    const evilBare = path.join(world.remotes, "evil.git");
    execFileSync("git", ["init", "-q", "--bare", evilBare]);
    const s = world.session("p1", src);
    agentGit(s.dir, "commit", "-q", "--allow-empty", "-m", "agent: before planting");
    write(s.dir, "data.txt", "RAW changed by the agent\n");
    write(s.dir, "new.txt", "RAW new file\n");
    const items = plant(s.dir, prefix, evilBare);
    expect(items.length).toBeGreaterThan(60);

    // Control: plain git honours the plant (on a copy, with its own marker prefix).
    const control = path.join(world.root, "control");
    cpSync(s.dir, control, { recursive: true });
    const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", MARKER_PREFIX: `${prefix}-control`, GIT_AUTHOR_NAME: "a", GIT_AUTHOR_EMAIL: "a@b", GIT_COMMITTER_NAME: "a", GIT_COMMITTER_EMAIL: "a@b" };
    const plain = (...args: string[]) => {
      try {
        execFileSync("git", args, { cwd: control, env, stdio: "ignore", timeout: 20_000 });
      } catch {
        /* a planted program may make git fail; the markers are what count */
      }
    };
    plain("--work-tree", control, "status");
    // Planted items shadow each other (process over clean, the last fsmonitor wins): peel two off.
    const controlConfig = path.join(control, ".git", "config");
    execFileSync("git", ["config", "--file", controlConfig, "--unset-all", "filter.evil.process"]);
    execFileSync("git", ["config", "--file", controlConfig, "--unset-all", "includeIf.gitdir:/.path"]);
    execFileSync("git", ["config", "--file", controlConfig, "--unset-all", "core.fsmonitor"]);
    const peeled = ["--work-tree", control];
    plain(...peeled, "diff", "HEAD");
    plain(...peeled, "add", "-A");
    plain(...peeled, "commit", "-qm", "control");
    const live = markers(`${prefix}-control`).map((m) => m.replace(/^.*-pwned-/, ""));
    console.log(`plain git ran ${live.length} planted programs: ${live.join(", ")}`);
    expect(live).toEqual(
      expect.arrayContaining(["includeIf.fsmonitor", "filter.process", "filter.clean", "diff.command", "hooksPath.pre-commit", "gpg.program"]),
    );

    // The real thing.
    const d = await diffRepo(s.dir, s.base);
    expect(d.files.map((f) => f.path)).toEqual(expect.arrayContaining(["data.txt", "new.txt", ".gitattributes", ".gitmodules", "vendor/nested"]));
    expect(d.patch).toContain("+RAW changed by the agent"); // no clean filter, no textconv, no external diff
    const lines: string[] = [];
    const opts: FinishOptions = {
      repo: "alpha",
      repoDir: s.dir,
      sourceDir: src.sourceDir,
      baseHead: s.base,
      baseBranch: "main",
      branch: "hero-claude/p1",
      title: "planted",
      body: "body",
      draft: false,
      author: { name: "Hero Claude", email: "hero@example.invalid" },
      forge: { githubToken: gh.token, githubApiUrl: gh.url },
      onLine: (l) => lines.push(l),
    };
    const r = await finishRepo(opts);
    expect(r).toMatchObject({ pushed: true, pr_url: "https://github.com/acme/alpha/pull/1" });
    // A second finish (ls-remote, no push) and a diff after it: still nothing runs.
    expect(await finishRepo({ ...opts, previous: r })).toEqual(r);
    await diffRepo(s.dir, s.base);

    expect(markers(prefix)).toEqual([]);
    // Pushed to the source's origin (through the source's insteadOf), not to the planted URLs.
    expect(bareGit(src.bare, "rev-parse", "refs/heads/hero-claude/p1")).toBe(r.commit);
    expect(bareGit(evilBare, "for-each-ref")).toBe("");
    expect(bareGit(src.bare, "show", `${r.commit}:data.txt`)).toBe("RAW changed by the agent");
    expect(gh.violations).toEqual([]);
  });

  describe("refuses layouts that point host-side git elsewhere", () => {
    const cases: Array<[string, (dir: string, other: string) => void, RegExp]> = [
      ["a .git file (gitdir: elsewhere)", (dir, other) => {
        rmSync(path.join(dir, ".git"), { recursive: true });
        writeFileSync(path.join(dir, ".git"), `gitdir: ${other}/.git\n`);
      }, /\.git is not a directory/],
      ["a .git symlink", (dir, other) => {
        rmSync(path.join(dir, ".git"), { recursive: true });
        symlinkSync(path.join(other, ".git"), path.join(dir, ".git"));
      }, /\.git is a symlink/],
      ["commondir", (dir, other) => writeFileSync(path.join(dir, ".git", "commondir"), `${other}/.git\n`), /commondir/],
      ["alternates outside", (dir, other) => {
        mkdirSync(path.join(dir, ".git", "objects", "info"), { recursive: true });
        writeFileSync(path.join(dir, ".git", "objects", "info", "alternates"), `${other}/.git/objects\n`);
      }, /alternates points outside/],
      ["a relative alternates escaping", (dir) => {
        mkdirSync(path.join(dir, ".git", "objects", "info"), { recursive: true });
        writeFileSync(path.join(dir, ".git", "objects", "info", "alternates"), "../../../other/.git/objects\n");
      }, /alternates points outside/],
      ["a symlinked ref", (dir, other) => symlinkSync(path.join(other, ".git", "refs", "heads", "main"), path.join(dir, ".git", "refs", "heads", "evil")), /symlink or special file/],
      ["a symlinked object dir", (dir, other) => symlinkSync(path.join(other, ".git", "objects"), path.join(dir, ".git", "objects", "ee")), /symlink or special file/],
      ["a symlinked HEAD", (dir, other) => {
        rmSync(path.join(dir, ".git", "HEAD"));
        symlinkSync(path.join(other, ".git", "HEAD"), path.join(dir, ".git", "HEAD"));
      }, /HEAD is not a regular file/],
      ["a FIFO as index", (dir) => {
        rmSync(path.join(dir, ".git", "index"));
        execFileSync("mkfifo", [path.join(dir, ".git", "index")]);
      }, /index is not a regular file/],
    ];
    for (const [name, make, why] of cases) {
      it(name, async () => {
        const other = makeRepo(path.join(world.root, `other-${name.replace(/\W+/g, "-")}`), { "secret.txt": "host secret\n" });
        const src = world.source(`r-${name.replace(/\W+/g, "-")}`, "https://github.com/acme/x.git");
        const s = world.session("l1", src);
        write(s.dir, "change.txt", "x\n");
        make(s.dir, other);
        const before = hashTree(other);
        const e1 = (await diffRepo(s.dir, s.base).catch((e) => e)) as AppError;
        expect(e1).toBeInstanceOf(AppError);
        expect(e1.message).toMatch(/refusing host-side git/);
        expect(e1.message).toMatch(why);
        const e2 = (await finishRepo({
          repo: "x",
          repoDir: s.dir,
          sourceDir: src.sourceDir,
          baseHead: s.base,
          baseBranch: "main",
          branch: "hero-claude/l1",
          title: "t",
          body: "",
          draft: false,
          author: { name: "a", email: "a@b" },
          forge: {},
          onLine: () => {},
        }).catch((e) => e)) as AppError;
        expect(e2.code).toBe(-32005);
        expect(e2.message).toMatch(why);
        expect((e2.data as { partial: unknown }).partial).toMatchObject({ pushed: false, commit: null });
        expect(hashTree(other)).toBe(before);
        expect(bareGit(src.bare, "for-each-ref", "--format=%(refname)")).toBe("refs/heads/main");
      });
    }

    it("a work tree that is itself a symlink", async () => {
      const other = makeRepo(path.join(world.root, "other-wt"), { "a.txt": "a\n" });
      const link = path.join(world.root, "linked-session");
      symlinkSync(other, link);
      await expect(checkRepoLayout(link)).rejects.toThrow(/the work tree is a symlink/);
    });

    it("alternates inside the repository are fine", async () => {
      const src = world.source("alt-inside", "https://github.com/acme/x.git");
      const s = world.session("l2", src);
      const store = path.join(s.dir, ".git", "extra-objects");
      mkdirSync(store);
      mkdirSync(path.join(s.dir, ".git", "objects", "info"), { recursive: true });
      writeFileSync(path.join(s.dir, ".git", "objects", "info", "alternates"), "../extra-objects\n");
      write(s.dir, "a.txt", "a\n");
      expect((await diffRepo(s.dir, s.base)).files).toHaveLength(1);
      expect(existsSync(store)).toBe(true);
    });
  });
});
