/**
 * Pushing a session's branch to the origin of the repository it was copied from.
 * - the origin URL (pushurl, else url) and the `url.<base>.insteadOf`/`pushInsteadOf` rules are
 *   read from the CODEROOT repository (trusted, read only), never from the session copy, whose
 *   config the agent controls (a planted insteadOf could send the host's credentials elsewhere);
 * - git runs in the copy's shadow git dir (see untrusted-repo), with the host user's own global
 *   and system config (credential helper, sshCommand, proxies) and SSH agent, hooks off,
 *   submodules never pushed, no prompts;
 * - `ls-remote` first: a branch already at our commit is not pushed again.
 */
import { OperationFailed } from "../errors";
import { runGitRaw } from "../git/safe";
import { execGit, hostGitEnv, isObjectId, type UntrustedRepo } from "./untrusted-repo";
import { redactUrl } from "./remote";

export interface SourceRemote {
  /** remote.origin.url (what forge detection reads). */
  url: string | null;
  /** Where pushes go: remote.origin.pushurl, else url. */
  pushUrl: string | null;
  /** url.<base>.insteadOf / pushInsteadOf pairs from the source repository's config. */
  rewrites: Array<[string, string]>;
  /** The branch checked out in the source repository (null: detached). */
  branch: string | null;
}

/** Read origin and URL rewrite rules from the trusted CODEROOT repository at `sourceDir`. */
export async function readSourceRemote(sourceDir: string): Promise<SourceRemote> {
  const r = await runGitRaw(sourceDir, [
    "config",
    "-z",
    "--get-regexp",
    "^(remote\\.origin\\.(url|pushurl)|url\\..*\\.(insteadof|pushinsteadof))$",
  ]);
  if (r.code !== 0 && r.code !== 1) throw new OperationFailed(`cannot read the origin of ${sourceDir}`, r.stderr);
  let url: string | null = null;
  let pushUrl: string | null = null;
  const rewrites: Array<[string, string]> = [];
  for (const rec of r.stdout.split("\0")) {
    const i = rec.indexOf("\n");
    if (i < 0) continue;
    const key = rec.slice(0, i);
    const value = rec.slice(i + 1);
    const lower = key.toLowerCase();
    if (lower === "remote.origin.url") url ??= value;
    else if (lower === "remote.origin.pushurl") pushUrl ??= value;
    else {
      const m = /^url\.(.+)\.(insteadof|pushinsteadof)$/is.exec(key);
      if (m) rewrites.push([`url.${m[1]}.${m[2]?.toLowerCase() === "insteadof" ? "insteadOf" : "pushInsteadOf"}`, value]);
    }
  }
  const b = await runGitRaw(sourceDir, ["symbolic-ref", "-q", "--short", "HEAD"]);
  return { url, pushUrl: pushUrl ?? url, rewrites, branch: b.code === 0 ? b.stdout.trim() || null : null };
}

export interface PushTarget {
  url: string;
  rewrites: Array<[string, string]>;
  onLine: (line: string) => void;
  timeoutMs?: number;
}

function hostRun(repo: UntrustedRepo, t: PushTarget, args: string[]) {
  return execGit(repo.shadow, args, hostGitEnv(t.rewrites, { GIT_DIR: repo.shadow }), {
    timeoutMs: t.timeoutMs ?? 10 * 60_000,
    onStderrLine: t.onLine,
  });
}

/** The commit `refs/heads/<branch>` points at on the remote (null: no such branch). */
export async function remoteBranchHead(repo: UntrustedRepo, t: PushTarget, branch: string): Promise<string | null> {
  const r = await hostRun(repo, t, ["ls-remote", "--refs", "--", t.url, `refs/heads/${branch}`]);
  if (r.code !== 0 || r.timedOut) {
    throw new OperationFailed(`git ls-remote ${redactUrl(t.url)} failed (${r.timedOut ? "timed out" : `exit ${r.code}`})`, r.stderr || r.stdout);
  }
  for (const line of r.stdout.split("\n")) {
    const [sha, ref] = line.split("\t");
    if (ref === `refs/heads/${branch}` && isObjectId(sha)) return sha;
  }
  return null;
}

/**
 * Push `commit` to `refs/heads/<branch>`. With `lease`, the remote branch may be replaced only while
 * it still points at that commit (our own earlier push); without it, only a fast-forward is accepted.
 */
export async function pushBranch(
  repo: UntrustedRepo,
  t: PushTarget,
  p: { branch: string; commit: string; lease?: string | null },
): Promise<void> {
  const ref = `refs/heads/${p.branch}`;
  const args = ["push", "--porcelain", "--no-verify", "--no-recurse-submodules"];
  if (p.lease) args.push(`--force-with-lease=${ref}:${p.lease}`);
  args.push("--", t.url, `${p.commit}:${ref}`);
  const r = await hostRun(repo, t, args);
  for (const line of r.stdout.split("\n")) if (line.trim()) t.onLine(line);
  if (r.code !== 0 || r.timedOut) {
    throw new OperationFailed(
      `git push to ${redactUrl(t.url)} was rejected or failed (${r.timedOut ? "timed out" : `exit ${r.code}`})`,
      `${r.stderr}\n${r.stdout}`,
    );
  }
}
