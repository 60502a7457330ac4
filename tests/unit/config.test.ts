import { mkdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../lib/config";
import { tempDir } from "../helpers/repos";

describe("loadConfig", () => {
  const home = tempDir("hc-home-");
  mkdirSync(path.join(home, "code"));

  it("applies the contract's defaults", () => {
    const c = loadConfig({ HOME: home });
    expect(c.coderoot).toBe(path.join(home, "code"));
    expect(c.builddir).toBe(path.join(home, "hero/var/hero_claude/build"));
    expect(c.claudeConfigDir).toBe(path.join(home, ".claude"));
    expect(c.serverSocket).toBe(path.join(home, "hero/var/sockets/hero_claude_server.sock"));
    expect(c.uiSocket).toBe(path.join(home, "hero/var/sockets/hero_claude_ui.sock"));
    expect(c.image).toBe("hero-claude-sandbox:latest");
    expect(c.runtime).toBe("docker");
    expect(c.port).toBeUndefined();
    expect(c.host).toBe("127.0.0.1");
    expect(c.forge.githubApiUrl).toBe("https://api.github.com");
    expect(c.agentUid).toBe(1000);
  });

  it("takes GITEA_TOKEN as an alias of FORGEJO_TOKEN", () => {
    expect(loadConfig({ HOME: home, GITEA_TOKEN: "t" }).forge.forgejoToken).toBe("t");
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ["relative CODEROOT", { CODEROOT: "code" }, /^CODEROOT=.*absolute path/],
    ["missing CODEROOT", { CODEROOT: "/nonexistent/hc-code" }, /^CODEROOT=.*no such directory/],
    ["relative BUILDDIR", { BUILDDIR: "build" }, /^BUILDDIR=.*absolute path/],
    ["BUILDDIR inside CODEROOT", { BUILDDIR: path.join(home, "code/build") }, /^BUILDDIR=.*must not be inside CODEROOT/],
    ["BUILDDIR equal to CODEROOT", { BUILDDIR: path.join(home, "code") }, /^BUILDDIR=.*must not be inside CODEROOT/],
    ["port not a number", { HERO_CLAUDE_PORT: "http" }, /^HERO_CLAUDE_PORT=.*port number/],
    ["port out of range", { HERO_CLAUDE_PORT: "70000" }, /^HERO_CLAUDE_PORT=.*port number/],
    ["unknown runtime", { DOCKER_RUNTIME: "lxc" }, /^DOCKER_RUNTIME=.*docker or nerdctl/],
    ["relative socket dir", { HERO_SOCKET_DIR: "sockets" }, /^HERO_SOCKET_DIR=.*absolute/],
  ];
  for (const [what, env, message] of bad) {
    it(`refuses ${what} with one line naming the variable`, () => {
      let error: unknown;
      try {
        loadConfig({ HOME: home, ...env });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain("\n");
    });
  }
});
