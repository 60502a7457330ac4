// finishRepo end to end: real git, bare "remotes" behind insteadOf rules of the CODEROOT repos,
// and the GitHub / Forgejo fakes on loopback.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors";
import { finishRepo, type FinishOptions, type FinishResult } from "../../lib/forge/finish";
import { startForgejoFake, type ForgejoFake } from "../fakes/forgejo-fake";
import { startGithubFake, type GithubFake } from "../fakes/github-fake";
import { git } from "../helpers/repos";
import { agentGit, bareGit, World, write } from "./world";

const AUTHOR = { name: "Hero Claude", email: "hero-claude@example.invalid" };
const COMMITTER = { name: "Host User", email: "host@example.invalid" };

describe("finishRepo", () => {
  const world = new World();
  let gh: GithubFake;
  let fj: ForgejoFake;
  const bares: Record<string, string> = {};
  beforeAll(async () => {
    // The fakes check that head and base are branches of the bare repo, as the forges do.
    gh = await startGithubFake({ bareRepos: bares });
    fj = await startForgejoFake({ webOrigin: "https://codeberg.org", bareRepos: bares });
  });
  const source = (name: string, origin: string, files?: Record<string, string>) => {
    const src = world.source(name, origin, files);
    bares[`acme/${name}`] = src.bare;
    return src;
  };
  afterAll(async () => {
    await gh.close();
    await fj.close();
    expect(gh.violations).toEqual([]);
    expect(fj.violations).toEqual([]);
  });

  function options(repo: string, dir: string, sourceDir: string, base: string | null, o: Partial<FinishOptions> = {}): FinishOptions & { lines: string[] } {
    const lines: string[] = [];
    return {
      repo,
      repoDir: dir,
      sourceDir,
      baseHead: base,
      baseBranch: "main",
      branch: "hero-claude/s1",
      title: "Add the greeting",
      body: "Task: add a greeting.\n\nDone by a hero-claude session.",
      draft: false,
      author: AUTHOR,
      committer: COMMITTER,
      forge: { githubToken: gh.token, forgejoToken: fj.token, githubApiUrl: gh.url, apiBaseOverride: { beta: fj.apiBase } },
      onLine: (l) => lines.push(l),
      lines,
      ...o,
    };
  }

  it("commits, pushes and opens the PR for a changed repo, keeping the agent's commits; skips an unchanged one", async () => {
    const alpha = source("alpha", "https://github.com/acme/alpha.git", { "README.md": "# alpha\n", "src/app.ts": "export {};\n" });
    const gamma = source("gamma", "https://github.com/acme/gamma.git");
    gh.pulls.length = 0;
    const a = world.session("s1", alpha);
    const g = world.session("s1", gamma);
    write(a.dir, "src/app.ts", "export const hello = 1;\n");
    agentGit(a.dir, "commit", "-qam", "agent: hello");
    const agentCommit = agentGit(a.dir, "rev-parse", "HEAD").trim();
    write(a.dir, "README.md", "# alpha\n\nnow with a greeting\n");
    write(a.dir, "docs/new.md", "untracked\n");

    const optsA = options("alpha", a.dir, alpha.sourceDir, a.base);
    const ra = await finishRepo(optsA);
    expect(ra).toMatchObject({ repo: "alpha", branch: "hero-claude/s1", pushed: true, pr_url: "https://github.com/acme/alpha/pull/1", skipped_reason: null });
    expect(ra.commit).toMatch(/^[0-9a-f]{40}$/);

    // The remote: the branch at our commit, on top of the agent's own commit (same id), main untouched.
    expect(bareGit(alpha.bare, "rev-parse", "refs/heads/hero-claude/s1")).toBe(ra.commit);
    expect(bareGit(alpha.bare, "rev-parse", "refs/heads/main")).toBe(a.base);
    expect(bareGit(alpha.bare, "rev-list", `${a.base}..hero-claude/s1`).split("\n")).toEqual([ra.commit, agentCommit]);
    expect(bareGit(alpha.bare, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s|%b", "hero-claude/s1")).toBe(
      "Hero Claude <hero-claude@example.invalid>|Host User <host@example.invalid>|Add the greeting|Task: add a greeting.\n\nDone by a hero-claude session.",
    );
    expect(bareGit(alpha.bare, "log", "-1", "--format=%an|%s", agentCommit)).toBe("Agent|agent: hello");
    expect(bareGit(alpha.bare, "show", "hero-claude/s1:docs/new.md")).toBe("untracked");
    expect(bareGit(alpha.bare, "show", "hero-claude/s1:README.md")).toBe("# alpha\n\nnow with a greeting");

    // The session copy is on the branch with a clean tree.
    expect(agentGit(a.dir, "symbolic-ref", "HEAD").trim()).toBe("refs/heads/hero-claude/s1");
    expect(agentGit(a.dir, "status", "--porcelain")).toBe("");

    // The PR.
    expect(gh.pulls).toHaveLength(1);
    expect(gh.pulls[0]).toMatchObject({ head: "hero-claude/s1", base: "main", title: "Add the greeting", draft: false });
    expect(gh.pulls[0]?.body).toContain("Task: add a greeting.");

    const rg = await finishRepo(options("gamma", g.dir, gamma.sourceDir, g.base));
    expect(rg).toMatchObject({ repo: "gamma", branch: null, commit: null, pushed: false, pr_url: null });
    expect(rg.skipped_reason).toMatch(/no changes/);
    expect(bareGit(gamma.bare, "for-each-ref", "--format=%(refname)")).toBe("refs/heads/main");
    expect(gh.requests.some((r) => r.path.includes("/gamma/"))).toBe(false);

    // A second finish changes nothing: same commit, no push, no second PR.
    const creates = gh.requests.filter((r) => r.operationId === "pulls/create").length;
    const again = await finishRepo({ ...optsA, previous: ra });
    expect(again).toEqual(ra);
    expect(optsA.lines.join("\n")).toMatch(/already at/);
    expect(gh.requests.filter((r) => r.operationId === "pulls/create").length).toBe(creates);
  });

  it("opens a draft PR on GitHub (the API got draft: true)", async () => {
    const src = source("delta", "git@github.com:acme/delta.git");
    const s = world.session("s2", src);
    write(s.dir, "x.txt", "x\n");
    const r = await finishRepo(options("delta", s.dir, src.sourceDir, s.base, { draft: true, branch: "hero-claude/s2" }));
    expect(r.pr_url).toMatch(/^https:\/\/github\.com\/acme\/delta\/pull\/\d+$/);
    const create = gh.requests.find((q) => q.operationId === "pulls/create" && q.path === "/repos/acme/delta/pulls");
    expect(create?.body).toMatchObject({ draft: true, head: "hero-claude/s2", base: "main" });
    expect(gh.pulls.find((p) => p.repo === "delta")?.draft).toBe(true);
  });

  it("opens a draft PR on Forgejo (codeberg.org) as a WIP: title", async () => {
    const src = source("beta", "https://codeberg.org/acme/beta.git");
    const s = world.session("s3", src);
    write(s.dir, "README.md", "changed\n");
    const r = await finishRepo(options("beta", s.dir, src.sourceDir, s.base, { draft: true, branch: "hero-claude/s3" }));
    expect(r).toMatchObject({ pushed: true, pr_url: "https://codeberg.org/acme/beta/pulls/1" });
    expect(fj.pulls[0]).toMatchObject({ title: "WIP: Add the greeting", head: "hero-claude/s3", base: "main" });
    expect(bareGit(src.bare, "rev-parse", "hero-claude/s3")).toBe(r.commit);
  });

  it("a rejected push fails with the remote's words and a partial result; the retry completes without duplicates", async () => {
    const src = source("eps", "https://github.com/acme/eps.git");
    world.rejectOnce(src.bare);
    const s = world.session("s4", src);
    write(s.dir, "a.txt", "a\n");
    const opts = options("eps", s.dir, src.sourceDir, s.base, { branch: "hero-claude/s4" });
    const err = (await finishRepo(opts).catch((e) => e)) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe(-32005);
    const data = err.data as { log: string; partial: FinishResult };
    expect(data.log).toMatch(/push refused by policy/);
    expect(data.partial).toMatchObject({ branch: "hero-claude/s4", pushed: false, pr_url: null });
    expect(data.partial.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(bareGit(src.bare, "for-each-ref", "--format=%(refname)")).toBe("refs/heads/main");

    const r = await finishRepo({ ...opts, previous: data.partial });
    expect(r).toMatchObject({ branch: "hero-claude/s4", commit: data.partial.commit, pushed: true });
    expect(bareGit(src.bare, "rev-list", "--count", `${s.base}..hero-claude/s4`)).toBe("1");
    expect(gh.pulls.filter((p) => p.repo === "eps")).toHaveLength(1);
  });

  it("a finish that failed continues the branch when the agent worked on after it", async () => {
    const src = source("zeta", "https://github.com/acme/zeta.git");
    world.rejectOnce(src.bare);
    const s = world.session("s5", src);
    write(s.dir, "one.txt", "1\n");
    const opts = options("zeta", s.dir, src.sourceDir, s.base, { branch: "hero-claude/s5" });
    const first = ((await finishRepo(opts).catch((e) => e)) as AppError).data as { partial: FinishResult };
    write(s.dir, "two.txt", "2\n"); // the session went back to running
    const r = await finishRepo({ ...opts, previous: first.partial });
    expect(bareGit(src.bare, "rev-list", `${s.base}..hero-claude/s5`).split("\n")).toEqual([r.commit, first.partial.commit]);
    expect(bareGit(src.bare, "ls-tree", "--name-only", "hero-claude/s5").split("\n").sort()).toEqual(["README.md", "one.txt", "two.txt"]);
  });

  it("returns the URL of a PR that already exists instead of opening another", async () => {
    const src = source("eta", "https://github.com/acme/eta.git");
    const s = world.session("s6", src);
    write(s.dir, "a.txt", "a\n");
    const seeded = gh.seed({ owner: "acme", repo: "eta", head: "hero-claude/s6", base: "main", title: "opened by hand" });
    const r = await finishRepo(options("eta", s.dir, src.sourceDir, s.base, { branch: "hero-claude/s6" }));
    expect(r.pr_url).toBe(`https://github.com/acme/eta/pull/${seeded.number}`);
    expect(gh.requests.some((q) => q.operationId === "pulls/create" && q.path === "/repos/acme/eta/pulls")).toBe(false);
  });

  it("without a token: pushed, no PR, a note and the compare URL", async () => {
    const src = source("theta", "https://github.com/acme/theta.git");
    const s = world.session("s7", src);
    write(s.dir, "a.txt", "a\n");
    const r = await finishRepo(options("theta", s.dir, src.sourceDir, s.base, { branch: "hero-claude/s7", forge: { githubApiUrl: gh.url } }));
    expect(r).toMatchObject({ pushed: true, pr_url: null, compare_url: "https://github.com/acme/theta/compare/main...hero-claude/s7?expand=1" });
    expect(r.note).toMatch(/GITHUB_TOKEN is not set/);
    expect(r.note).toContain(r.compare_url);
    expect(bareGit(src.bare, "rev-parse", "hero-claude/s7")).toBe(r.commit);

    const fsrc = source("iota", "https://codeberg.org/acme/iota.git");
    const fs = world.session("s7", fsrc);
    write(fs.dir, "a.txt", "a\n");
    const rf = await finishRepo(options("iota", fs.dir, fsrc.sourceDir, fs.base, { branch: "hero-claude/s7", forge: {} }));
    expect(rf).toMatchObject({ pushed: true, pr_url: null, compare_url: "https://codeberg.org/acme/iota/compare/main...hero-claude/s7" });
    expect(rf.note).toMatch(/FORGEJO_TOKEN/);
  });

  it("an unknown forge: pushed, with a note saying why no PR; the base branch defaults to the source's", async () => {
    const src = source("kappa", "https://git.example.invalid/acme/kappa.git");
    const s = world.session("s8", src);
    write(s.dir, "a.txt", "a\n");
    const r = await finishRepo(options("kappa", s.dir, src.sourceDir, s.base, { branch: "hero-claude/s8", baseBranch: null }));
    expect(r).toMatchObject({ pushed: true, pr_url: null, compare_url: null });
    expect(r.note).toMatch(/no known forge at git\.example\.invalid/);
    // The same repo with an override naming it Forgejo gets its PR through the override's API base.
    const s2 = world.session("s9", src);
    write(s2.dir, "b.txt", "b\n");
    const r2 = await finishRepo(
      options("kappa", s2.dir, src.sourceDir, s2.base, {
        branch: "hero-claude/s9",
        baseBranch: null,
        forge: { forgejoToken: fj.token, overrides: { kappa: "forgejo" }, apiBaseOverride: { kappa: fj.apiBase } },
      }),
    );
    expect(r2.pr_url).toMatch(/\/acme\/kappa\/pulls\/\d+$/);
    expect(fj.pulls.find((p) => p.repo === "kappa")).toMatchObject({ head: "hero-claude/s9", base: "main" });
  });

  it("the agent committed everything itself: its HEAD is pushed as it is, no extra commit", async () => {
    const src = source("lambda", "https://github.com/acme/lambda.git");
    const s = world.session("s10", src);
    write(s.dir, "a.txt", "a\n");
    agentGit(s.dir, "add", "-A");
    agentGit(s.dir, "commit", "-qm", "agent: all of it");
    const head = agentGit(s.dir, "rev-parse", "HEAD").trim();
    const r = await finishRepo(options("lambda", s.dir, src.sourceDir, s.base, { branch: "hero-claude/s10" }));
    expect(r.commit).toBe(head);
    expect(bareGit(src.bare, "log", "-1", "--format=%an|%s", "hero-claude/s10")).toBe("Agent|agent: all of it");
  });

  it("a repository with no commits at all (base null) is committed as a root commit", async () => {
    const dir = `${world.builddir}/s11/code/mu`;
    execFileSync("mkdir", ["-p", dir]);
    git(dir, "init", "-q", "-b", "main");
    write(dir, "first.txt", "first\n");
    const bare = `${world.remotes}/mu.git`;
    execFileSync("git", ["init", "-q", "--bare", bare]);
    const srcDir = `${world.coderoot}/mu`;
    execFileSync("mkdir", ["-p", srcDir]);
    git(srcDir, "init", "-q", "-b", "main");
    git(srcDir, "remote", "add", "origin", `file://${bare}`);
    const r = await finishRepo(options("mu", dir, srcDir, null, { branch: "hero-claude/s11" }));
    expect(r).toMatchObject({ pushed: true, pr_url: null });
    expect(bareGit(bare, "rev-list", "--count", "hero-claude/s11")).toBe("1");
    expect(bareGit(bare, "show", "hero-claude/s11:first.txt")).toBe("first");
  });

  it("a source repository without origin: committed in the copy, not pushed, with a note", async () => {
    const src = source("nu", "https://github.com/acme/nu.git");
    git(src.sourceDir, "remote", "remove", "origin");
    const s = world.session("s12", src);
    write(s.dir, "a.txt", "a\n");
    const r = await finishRepo(options("nu", s.dir, src.sourceDir, s.base, { branch: "hero-claude/s12" }));
    expect(r).toMatchObject({ pushed: false, branch: "hero-claude/s12", pr_url: null });
    expect(r.note).toMatch(/no origin remote/);
    expect(agentGit(s.dir, "rev-parse", "hero-claude/s12").trim()).toBe(r.commit);
  });

  it("replaces the remote branch only when it holds our own earlier push", async () => {
    const src = source("omicron", "https://github.com/acme/omicron.git");
    const s = world.session("s13", src);
    write(s.dir, "a.txt", "a\n");
    const opts = options("omicron", s.dir, src.sourceDir, s.base, { branch: "hero-claude/s13" });
    const r1 = await finishRepo(opts);
    // The agent went back to main and committed there: the branch is rebuilt from that HEAD.
    agentGit(s.dir, "checkout", "-q", "main");
    write(s.dir, "b.txt", "b\n");
    agentGit(s.dir, "add", "-A");
    agentGit(s.dir, "commit", "-qm", "agent: on main");
    const r2 = await finishRepo({ ...opts, previous: r1 });
    expect(r2.commit).not.toBe(r1.commit);
    expect(bareGit(src.bare, "rev-parse", "hero-claude/s13")).toBe(r2.commit);
    expect(() => bareGit(src.bare, "merge-base", "--is-ancestor", r1.commit!, "hero-claude/s13")).toThrow(); // replaced, not merged
    // Someone else pushed to the branch: never overwritten.
    const other = git(src.sourceDir, "commit-tree", "-m", "someone else", `${s.base}^{tree}`).trim();
    git(src.sourceDir, "push", "-q", "-f", "origin", `${other}:refs/heads/hero-claude/s13`);
    write(s.dir, "c.txt", "c\n");
    const err = (await finishRepo({ ...opts, previous: r2 }).catch((e) => e)) as AppError;
    expect(err.code).toBe(-32005);
    expect((err.data as { log: string }).log).toMatch(/rejected|non-fast-forward|fetch first/);
    expect((err.data as { partial: FinishResult }).partial).toMatchObject({ pushed: false, branch: "hero-claude/s13" });
    expect(bareGit(src.bare, "rev-parse", "hero-claude/s13")).toBe(other);
    expect(gh.pulls.filter((p) => p.repo === "omicron")).toHaveLength(1);
  });

  it.runIf(process.getuid?.() === 0)("gives what it writes into the copy to the sandbox owner", async () => {
    const src = source("pi", "https://github.com/acme/pi.git");
    const s = world.session("s14", src);
    write(s.dir, "new-file.txt", "unique content 3f9a\n");
    const r = await finishRepo(options("pi", s.dir, src.sourceDir, s.base, { branch: "hero-claude/s14", owner: { uid: 4242, gid: 4243 } }));
    const obj = `${s.dir}/.git/objects/${r.commit!.slice(0, 2)}/${r.commit!.slice(2)}`;
    for (const p of [".git/refs/heads/hero-claude/s14", ".git/refs/heads/hero-claude", ".git/index", ".git/HEAD"].map((x) => `${s.dir}/${x}`).concat(obj)) {
      expect(statSync(p)).toMatchObject({ uid: 4242, gid: 4243 });
    }
  });

  afterAll(() => {
    if (existsSync(world.root)) rmSync(world.root, { recursive: true, force: true });
  });
});
