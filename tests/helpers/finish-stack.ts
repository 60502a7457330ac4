/**
 * What a test needs to run sessions through to a pull request: the fake model (in Docker), a fake
 * GitHub that knows the world's bare "origin" repositories, and a server wired to both.
 */
import { startGithubFake, type GithubFake } from "../fakes/github-fake";
import type { World } from "../forge/world";
import { removeSessionContainers, startFakeModel, type FakeModel } from "./docker";
import { startServer, type RunningServer } from "./server";

export interface FinishStack {
  fake: FakeModel;
  github: GithubFake;
  srv: RunningServer;
  /** Stops the server, removes the sessions' containers, stops both fakes. */
  stop(): Promise<void>;
}

/**
 * `bareRepos`: "owner/repo" → the bare repository standing in for it on the fake GitHub;
 * `env`: more of the server's environment.
 */
export async function startFinishStack(
  world: World,
  bareRepos: Record<string, string>,
  apiKey: string,
  env: Record<string, string> = {},
): Promise<FinishStack> {
  const fake = await startFakeModel();
  let github: GithubFake | undefined;
  try {
    github = await startGithubFake({ bareRepos });
    const srv = await startServer({
      coderoot: world.coderoot,
      env: {
        HERO_CLAUDE_NETWORK: fake.network,
        ANTHROPIC_BASE_URL: fake.baseUrl,
        ANTHROPIC_API_KEY: apiKey,
        GITHUB_TOKEN: github.token,
        GITHUB_API_URL: github.url,
        HERO_CLAUDE_STOP_TIMEOUT_S: "1",
        ...env,
      },
    });
    const gh = github;
    return {
      fake,
      github: gh,
      srv,
      async stop() {
        await srv.stop();
        removeSessionContainers(srv.builddir);
        fake.stop();
        await gh.close();
      },
    };
  } catch (err) {
    fake.stop();
    await github?.close();
    throw err;
  }
}
