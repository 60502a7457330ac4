// The forge fakes themselves: real wire format, validated against the published descriptions, and
// the clients of lib/forge against them (find, create, duplicates, drafts, auth).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forgejoClient } from "../../lib/forge/forgejo";
import { githubClient } from "../../lib/forge/github";
import { ensurePullRequest, ForgeRequestFailed } from "../../lib/forge/pulls";
import { startForgejoFake, type ForgejoFake } from "../fakes/forgejo-fake";
import { githubSpec, startGithubFake, type GithubFake } from "../fakes/github-fake";
import { checkResponse, sample } from "./openapi";

describe("the GitHub fake", () => {
  let gh: GithubFake;
  beforeAll(async () => {
    gh = await startGithubFake();
  });
  afterAll(() => gh.close());

  it("answers 401 without a token and with a wrong one", async () => {
    const none = await fetch(`${gh.url}/repos/acme/alpha/pulls`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ message: "Requires authentication" });
    const wrong = await fetch(`${gh.url}/repos/acme/alpha/pulls`, { headers: { authorization: "token nope" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ message: "Bad credentials" });
  });

  it("creates, lists and refuses a duplicate like GitHub, in GitHub's response shapes", async () => {
    const client = githubClient({ apiBase: gh.url, token: gh.token, owner: "acme", repo: "alpha" });
    expect(await client.findOpen("hero-claude/one")).toBeNull();
    const made = await client.create({ title: "T", body: "B", head: "hero-claude/one", base: "main", draft: true });
    expect(made).toEqual({ number: 1, url: "https://github.com/acme/alpha/pull/1" });
    expect(gh.pulls[0]).toMatchObject({ draft: true, head: "hero-claude/one", base: "main", title: "T", body: "B" });
    expect(await client.findOpen("hero-claude/one")).toEqual(made);
    const dup = await client.create({ title: "T", body: "B", head: "hero-claude/one", base: "main", draft: false }).catch((e) => e);
    expect(dup).toBeInstanceOf(ForgeRequestFailed);
    expect(dup).toMatchObject({ status: 422, duplicate: true });
    expect((dup as ForgeRequestFailed).data).toMatchObject({ log: expect.stringContaining("A pull request already exists for acme:hero-claude/one.") });
    expect(gh.violations).toEqual([]);
    const create = gh.requests.find((r) => r.operationId === "pulls/create" && r.status === 201);
    expect(create?.body).toEqual({ title: "T", body: "B", head: "hero-claude/one", base: "main", draft: true });
  });

  it("ensurePullRequest returns the PR that appeared between list and create (422 path)", async () => {
    const client = githubClient({ apiBase: gh.url, token: gh.token, owner: "acme", repo: "race" });
    gh.seed({ owner: "acme", repo: "race", head: "hero-claude/r", base: "main" });
    gh.hideFromList(1);
    const pr = await ensurePullRequest(client, { title: "T", body: "", head: "hero-claude/r", base: "main", draft: false });
    expect(pr).toMatchObject({ created: false, url: "https://github.com/acme/race/pull/" + gh.pulls.length });
    expect(gh.pulls.filter((p) => p.repo === "race")).toHaveLength(1);
  });

  it("records requests that break the description, and its own responses match it", async () => {
    const before = gh.violations.length;
    const r = await fetch(`${gh.url}/repos/acme/alpha/pulls?state=weird&bogus=1`, { headers: { authorization: `token ${gh.token}` } });
    expect(r.status).toBe(422);
    const r2 = await fetch(`${gh.url}/repos/acme/alpha/pulls`, {
      method: "POST",
      headers: { authorization: `token ${gh.token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: 1, head: "x", colour: "red" }),
    });
    expect(r2.status).toBe(422);
    const found = gh.violations.slice(before).join("\n");
    expect(found).toMatch(/state="weird"/);
    expect(found).toMatch(/query parameter bogus is not in the description/);
    expect(found).toMatch(/must have required property 'base'/);
    expect(found).toMatch(/\/title must be string/);
    expect(found).toMatch(/body field colour is not in the description/);
    gh.violations.length = before;
    // The response validator is real: a pull request without its required fields is refused.
    const spec = githubSpec();
    expect(checkResponse(spec, { $ref: "#/components/schemas/pull-request" }, { number: 1 }, "x")).not.toEqual([]);
    expect(checkResponse(spec, { $ref: "#/components/schemas/pull-request" }, sample(spec, { $ref: "#/components/schemas/pull-request" }), "x")).toEqual([]);
  });
});

describe("the Forgejo fake", () => {
  let fj: ForgejoFake;
  beforeAll(async () => {
    fj = await startForgejoFake();
  });
  afterAll(() => fj.close());

  it("answers 401 without a token", async () => {
    const r = await fetch(`${fj.apiBase}/repos/acme/beta/pulls`);
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ message: "token is required", url: `${fj.url}/api/swagger` });
  });

  it("creates (draft as WIP:), lists, and answers 409 for a duplicate", async () => {
    const client = forgejoClient({ apiBase: fj.apiBase, token: fj.token, owner: "acme", repo: "beta" });
    expect(await client.findOpen("hero-claude/one")).toBeNull();
    const made = await client.create({ title: "Fix it", body: "B", head: "hero-claude/one", base: "main", draft: true });
    expect(made).toEqual({ number: 1, url: `${fj.url}/acme/beta/pulls/1` });
    expect(fj.pulls[0]).toMatchObject({ title: "WIP: Fix it", head: "hero-claude/one", base: "main" });
    expect(await client.findOpen("hero-claude/one")).toEqual(made);
    const dup = await client.create({ title: "Fix it", body: "B", head: "hero-claude/one", base: "main", draft: false }).catch((e) => e);
    expect(dup).toMatchObject({ status: 409, duplicate: true });
    const pr = await ensurePullRequest(client, { title: "Fix it", body: "B", head: "hero-claude/one", base: "main", draft: false });
    expect(pr).toMatchObject({ created: false, number: 1 });
    expect(fj.violations).toEqual([]);
  });

  it("finds a PR beyond the first page", async () => {
    for (let i = 0; i < 60; i++) fj.seed({ owner: "acme", repo: "many", head: `other/${i}`, base: "main" });
    fj.seed({ owner: "acme", repo: "many", head: "hero-claude/old", base: "main" });
    for (let i = 0; i < 60; i++) fj.seed({ owner: "acme", repo: "many", head: `more/${i}`, base: "main" });
    const client = forgejoClient({ apiBase: fj.apiBase, token: fj.token, owner: "acme", repo: "many" });
    expect(await client.findOpen("hero-claude/old")).toMatchObject({ url: expect.stringMatching(/\/acme\/many\/pulls\/\d+$/) });
    expect(fj.requests.filter((r) => r.path === "/api/v1/repos/acme/many/pulls").length).toBeGreaterThan(1);
    expect(fj.violations).toEqual([]);
  });

  it("records requests that break the description", async () => {
    const r = await fetch(`${fj.apiBase}/repos/acme/beta/pulls`, {
      method: "POST",
      headers: { authorization: `token ${fj.token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "x", head: "a", base: "b", draft: true }),
    });
    expect(r.status).toBe(422);
    expect(fj.violations.join("\n")).toMatch(/body field draft is not in the description/);
    fj.violations.length = 0;
  });
});
