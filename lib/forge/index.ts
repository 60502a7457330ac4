/**
 * The forge: commit, push and pull requests for finished sessions (GitHub, Forgejo/Gitea), and the
 * one way to run host-side git on a session copy (untrusted-repo).
 */
export { finishRepo, commitMessage, type FinishOptions, type FinishResult, type GitIdentity } from "./finish";
export { pullRequestClient } from "./clients";
export { ensurePullRequest, ForgeRequestFailed, tokenVariable, type NewPullRequest, type PullRequestClient, type PullRequestInfo } from "./pulls";
export { compareUrl, detectForge, parseRemoteUrl, DEFAULT_GITHUB_API_URL, type ForgeConfig, type ForgeTarget, type RemoteUrl } from "./remote";
export { openUntrustedRepo, withUntrustedRepo, checkRepoLayout, type UntrustedRepo } from "./untrusted-repo";
