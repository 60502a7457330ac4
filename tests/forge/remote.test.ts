// Remote URL parsing, forge detection, compare URLs, and the small pure pieces of untrusted-repo.
import { describe, expect, it } from "vitest";
import { commitMessage } from "../../lib/forge/finish";
import { compareUrl, detectForge, parseRemoteUrl, redactUrl } from "../../lib/forge/remote";
import { excludePathspecs, hostGitEnv, isSafeRefName, parseConfigList } from "../../lib/forge/untrusted-repo";
import { parseNameStatus, parseNumstat } from "../../lib/workspace/diff";

describe("parseRemoteUrl", () => {
  it.each([
    ["https://github.com/acme/alpha.git", { scheme: "https", host: "github.com", port: null, owner: "acme", name: "alpha" }],
    ["https://user:secret@github.com/acme/alpha", { scheme: "https", host: "github.com", owner: "acme", name: "alpha" }],
    ["http://git.local:3000/acme/beta.git/", { scheme: "http", host: "git.local", port: "3000", owner: "acme", name: "beta" }],
    ["git@github.com:acme/alpha.git", { scheme: "ssh", host: "github.com", port: null, owner: "acme", name: "alpha" }],
    ["github.com:acme/alpha", { scheme: "ssh", host: "github.com", owner: "acme", name: "alpha" }],
    ["ssh://git@codeberg.org:2222/acme/beta.git", { scheme: "ssh", host: "codeberg.org", port: "2222", owner: "acme", name: "beta" }],
    ["git+ssh://git@codeberg.org/acme/beta.git", { scheme: "ssh", host: "codeberg.org", owner: "acme", name: "beta" }],
    ["git://example.org/group/sub/proj.git", { scheme: "git", host: "example.org", owner: "group/sub", name: "proj" }],
  ])("%s", (url, want) => {
    expect(parseRemoteUrl(url)).toMatchObject(want);
  });

  it.each(["/srv/git/alpha.git", "file:///srv/git/alpha.git", "../alpha", "https://github.com/alpha", "ext::sh -c x", ""])(
    "%s names no forge",
    (url) => {
      expect(parseRemoteUrl(url)).toBeNull();
    },
  );

  it("redacts credentials in URLs", () => {
    expect(redactUrl("https://user:tok@github.com/acme/a.git")).toBe("https://github.com/acme/a.git");
    expect(redactUrl("git@github.com:acme/a.git")).toBe("git@github.com:acme/a.git");
  });
});

describe("detectForge", () => {
  it("github.com is GitHub with GITHUB_API_URL, codeberg.org is Forgejo with its /api/v1", () => {
    expect(detectForge("git@github.com:acme/a.git", "a").forge).toMatchObject({ kind: "github", apiBase: "https://api.github.com", webBase: "https://github.com" });
    expect(detectForge("https://github.com/acme/a.git", "a", { githubApiUrl: "http://127.0.0.1:9/" }).forge?.apiBase).toBe("http://127.0.0.1:9");
    expect(detectForge("ssh://git@codeberg.org:2222/acme/b.git", "b").forge).toMatchObject({
      kind: "forgejo",
      apiBase: "https://codeberg.org/api/v1",
      webBase: "https://codeberg.org",
    });
  });

  it("GitHub Enterprise only when GITHUB_API_URL is configured", () => {
    expect(detectForge("https://github.acme.corp/team/a.git", "a").forge).toBeNull();
    const ghe = detectForge("https://github.acme.corp/team/a.git", "a", { githubApiUrl: "https://github.acme.corp/api/v3" }).forge;
    expect(ghe).toMatchObject({ kind: "github", apiBase: "https://github.acme.corp/api/v3", webBase: "https://github.acme.corp" });
    expect(detectForge("git@code.acme.corp:team/a.git", "a", { githubApiUrl: "https://api.code.acme.corp" }).forge?.kind).toBe("github");
  });

  it("overrides by repository name (or host) and explicit API bases", () => {
    const cfg = { overrides: { a: "gitea", "git.example.org": "forgejo", c: "none", d: "bogus" }, apiBaseOverride: { a: "http://127.0.0.1:3000/api/v1/" } };
    expect(detectForge("http://git.local:3000/acme/a.git", "a", cfg).forge).toMatchObject({ kind: "gitea", apiBase: "http://127.0.0.1:3000/api/v1", webBase: "http://git.local:3000" });
    expect(detectForge("git@git.example.org:acme/b.git", "b", cfg).forge).toMatchObject({ kind: "forgejo", apiBase: "https://git.example.org/api/v1" });
    expect(detectForge("https://github.com/acme/c.git", "c", cfg)).toMatchObject({ forge: null, reason: expect.stringMatching(/"none"/) });
    expect(detectForge("https://github.com/acme/d.git", "d", cfg).reason).toMatch(/not one of/);
    expect(detectForge("https://git.unknown.org/acme/e.git", "e").reason).toMatch(/no known forge at git\.unknown\.org/);
    expect(detectForge(null, "e").reason).toMatch(/no origin/);
  });

  it("compare URLs as each forge makes them", () => {
    const gh = detectForge("git@github.com:acme/a.git", "a").forge!;
    expect(compareUrl(gh, "main", "hero-claude/fix it")).toBe("https://github.com/acme/a/compare/main...hero-claude/fix%20it?expand=1");
    const fj = detectForge("https://codeberg.org/acme/b.git", "b").forge!;
    expect(compareUrl(fj, "dev/1", "hero-claude/x")).toBe("https://codeberg.org/acme/b/compare/dev/1...hero-claude/x");
  });
});

describe("pure helpers", () => {
  it("ref names safe to use as paths below .git", () => {
    for (const ok of ["refs/heads/hero-claude/s1", "refs/heads/a.b-c_d", "refs/hero-claude/base"]) expect(isSafeRefName(ok)).toBe(true);
    for (const bad of ["heads/x", "refs/heads/../x", "refs/heads/.x", "refs/heads/x.lock", "refs/heads/a b", "refs/heads/x/", "refs//x", "refs/heads/a@{1}", "refs/heads/a\\b"]) {
      expect(isSafeRefName(bad)).toBe(false);
    }
  });

  it("exclude patterns become git exclude pathspecs", () => {
    expect(excludePathspecs(["dist/", "/build/", "*.log", ""])).toEqual([
      ":(exclude,glob)**/dist/**",
      ":(exclude,glob)build/**",
      ":(exclude,glob)**/*.log/**",
      ":(exclude,glob)**/*.log",
    ]);
  });

  it("host git env: the user's global config is read, rewrites travel as GIT_CONFIG_COUNT, hooks are off", () => {
    const env = hostGitEnv([["url.file:///x=y.insteadOf", "https://github.com/"]]);
    expect(env.GIT_CONFIG_GLOBAL).toBeUndefined();
    expect(env.GIT_CONFIG_NOSYSTEM).toBeUndefined();
    expect(env.GIT_TERMINAL_PROMPT).toBe("0");
    const pairs = Array.from({ length: Number(env.GIT_CONFIG_COUNT) }, (_, i) => [env[`GIT_CONFIG_KEY_${i}`], env[`GIT_CONFIG_VALUE_${i}`]]);
    expect(pairs).toContainEqual(["core.hooksPath", "/dev/null"]);
    expect(pairs).toContainEqual(["push.recurseSubmodules", "no"]);
    expect(pairs).toContainEqual(["url.file:///x=y.insteadOf", "https://github.com/"]);
  });

  it("parses git config and diff outputs", () => {
    expect(parseConfigList("core.bare\nfalse\0core.filemode\0Extensions.objectFormat\nsha256\0")).toEqual(
      new Map([["core.bare", "false"], ["core.filemode", ""], ["extensions.objectformat", "sha256"]]),
    );
    expect(parseNameStatus("M\0a\0R087\0old name\0new\nname\0D\0gone\0T\0link\0")).toEqual([
      { status: "modified", path: "a" },
      { status: "renamed", path: "new\nname", old_path: "old name" },
      { status: "deleted", path: "gone" },
      { status: "modified", path: "link" },
    ]);
    expect(parseNumstat("1\t2\ta\0-\t-\tbin\0" + "3\t0\t\0old\0new\0")).toEqual(
      new Map([
        ["a", { additions: 1, deletions: 2, binary: false }],
        ["bin", { additions: 0, deletions: 0, binary: true }],
        ["new", { additions: 3, deletions: 0, binary: false }],
      ]),
    );
  });

  it("commit messages: the title's first line, then the rest and the body", () => {
    expect(commitMessage("Fix it", "Task: x")).toBe("Fix it\n\nTask: x\n");
    expect(commitMessage("  Fix it\nmore words ", "")).toBe("Fix it\n\nmore words\n");
    expect(commitMessage("", "")).toBe("Changes from a hero-claude session\n");
  });
});
