/** Picks the pull request client for a forge: @octokit/rest for GitHub, fetch for Forgejo/Gitea. */
import { forgejoClient } from "./forgejo";
import { githubClient } from "./github";
import type { ForgeTokens, PullRequestClient } from "./pulls";
import type { ForgeTarget } from "./remote";

/** A pull request client for `forge`, or null when no token for its kind is configured. */
export function pullRequestClient(forge: ForgeTarget, tokens: ForgeTokens): PullRequestClient | null {
  const { owner, name } = forge.remote;
  if (forge.kind === "github") {
    return tokens.githubToken ? githubClient({ apiBase: forge.apiBase, token: tokens.githubToken, owner, repo: name }) : null;
  }
  return tokens.forgejoToken
    ? forgejoClient({ apiBase: forge.apiBase, token: tokens.forgejoToken, owner, repo: name, kind: forge.kind })
    : null;
}
