// The whole flow through the server: the agent (real CLI, fake model) changes one of two repos,
// the diff shows it, finish pushes a feature branch to the (bare) origin and opens a draft PR on a
// fake GitHub validated against GitHub's OpenAPI description; the unchanged repo is skipped.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GithubFake } from "../fakes/github-fake";
import { bareGit, World } from "../forge/world";
import { dockerMissing, type FakeModel } from "../helpers/docker";
import type { RunningServer } from "../helpers/server";
import { startFinishStack, type FinishStack } from "../helpers/finish-stack";
import { until } from "../helpers/wait";

const missing = dockerMissing();

describe.skipIf(missing)("finish through the server: diff, push, pull request", () => {
  let srv: RunningServer;
  let fake: FakeModel;
  let github: GithubFake;
  const world = new World();
  const alpha = world.source("alpha", "https://github.com/acme/alpha.git", { "README.md": "# alpha\n" });
  const beta = world.source("beta", "https://github.com/acme/beta.git", { "README.md": "# beta\n" });

  let stack: FinishStack | undefined;

  beforeAll(async () => {
    stack = await startFinishStack(world, { "acme/alpha": alpha.bare, "acme/beta": beta.bare }, "sk-fake-finish");
    ({ fake, github, srv } = stack);
  });
  afterAll(() => stack?.stop());

  it("goes from a task to a pushed branch and a draft PR", async () => {
    await fake.script([
      { tool_use: { name: "Write", input: { file_path: "/workspace/code/alpha/feature.txt", content: "the feature\n" } } },
      { text: "Added feature.txt." },
    ]);
    const s = await srv.rpc("session.create", { repos: ["alpha", "beta"], task: "Add a feature file", name: "add-feature" });
    await srv.rpc("session.start", { session_id: s.id });
    await until("the agent", async () => (await srv.rpc("session.info", { session_id: s.id })).agent.state === "done");

    const diff = await srv.rpc("session.diff", { session_id: s.id });
    const byName = Object.fromEntries(diff.repos.map((r: { name: string }) => [r.name, r]));
    expect(byName.alpha.files).toEqual([expect.objectContaining({ path: "feature.txt", status: "added", additions: 1, deletions: 0 })]);
    expect(byName.alpha.patch).toMatch(/\+the feature/);
    expect(byName.beta.files).toEqual([]);
    expect((await srv.rpc("session.diff", { session_id: s.id, repo: "beta" })).repos).toHaveLength(1);
    expect((await srv.rpcRaw("session.diff", { session_id: s.id, repo: "gamma" })).error.code).toBe(-32602);

    const done = await srv.rpc("session.finish", { session_id: s.id, title: "Add a feature file", draft: true });
    expect(done.state).toBe("completed");
    expect(done.container_id).toBeNull();
    expect(done.finished_at).not.toBeNull();
    const results = Object.fromEntries(done.results.map((r: { repo: string }) => [r.repo, r]));
    expect(results.alpha).toMatchObject({ branch: "hero-claude/add-feature", pushed: true });
    expect(results.alpha.pr_url).toMatch(/\/acme\/alpha\/pull\/\d+$/);
    expect(results.beta.skipped_reason).toMatch(/no changes/);
    expect(results.beta.pushed).toBe(false);

    expect(bareGit(alpha.bare, "show", "hero-claude/add-feature:feature.txt")).toBe("the feature");
    expect(bareGit(alpha.bare, "log", "-1", "--format=%s", "hero-claude/add-feature")).toBe("Add a feature file");
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0]).toMatchObject({ repo: "alpha", head: "hero-claude/add-feature", base: "main", draft: true });
    expect(github.violations).toEqual([]);
    expect(readFileSync(path.join(srv.builddir, s.id, "code/alpha/feature.txt"), "utf8")).toBe("the feature\n");

    const again = await srv.rpcRaw("session.finish", { session_id: s.id });
    expect(again.error).toMatchObject({ code: -32002 });
    expect((await srv.rpc("session.destroy", { session_id: s.id })).destroyed).toBe(true);
  });
});
