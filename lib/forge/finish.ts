/**
 * How the work of one repository leaves a session: commit, push, pull request.
 * - nothing new since the base (no commits after it, a work tree equal to it) → skipped;
 * - else the branch `hero-claude/<name>` is set at the session's HEAD (the agent's own commits are
 *   kept as they are; an earlier finish's branch is continued when HEAD is part of it), every
 *   uncommitted and untracked change is committed on it, and the copy is switched to that branch;
 * - pushed to the origin URL of the CODEROOT repository (see push.ts), then the pull request is
 *   found or opened against the base branch; no token or no known forge → pushed, with a note and
 *   the URL that makes the pull request by hand;
 * - idempotent: the same work tree gives the same commit, a remote branch already at it is not
 *   pushed again, an open pull request for the branch is returned instead of a new one;
 * - every failure is OperationFailed with the tail of what git or the forge said and
 *   `data.partial`, the Result of the steps that succeeded (pass it back as `previous`).
 * Call it with the agent stopped: it writes the copy's refs, HEAD and index.
 */
import { AppError, OperationFailed } from "../errors";
import { DEFAULT_EXCLUDES, type Owner } from "../workspace/rsync";
import { ensurePullRequest, tokenVariable } from "./pulls";
import { pullRequestClient } from "./clients";
import { pushBranch, readSourceRemote, remoteBranchHead, type SourceRemote } from "./push";
import { compareUrl, detectForge, redactUrl, type ForgeConfig } from "./remote";
import { isObjectId, isSafeRefName, openUntrustedRepo, type UntrustedRepo } from "./untrusted-repo";

/** One repository's outcome, as in the contract's `results`, plus why no PR was opened. */
export interface FinishResult {
  repo: string;
  branch: string | null;
  commit: string | null;
  pushed: boolean;
  pr_url: string | null;
  skipped_reason: string | null;
  /** Why no pull request was opened, or what was different (e.g. a draft the forge refused). */
  note: string | null;
  /** The page that makes the pull request by hand (set whenever the forge is known). */
  compare_url: string | null;
}

export interface GitIdentity {
  name: string;
  email: string;
}

export interface FinishOptions {
  repo: string;
  /** The session copy (agent-written). */
  repoDir: string;
  /** The CODEROOT repository (trusted, only read). */
  sourceDir: string;
  /** RepoBase.head: the commit the session started from (null: the repo had no commits). */
  baseHead: string | null;
  /** The branch the PR goes into; null: the source repository's current branch. */
  baseBranch: string | null;
  /** `hero-claude/<session name or id>`. */
  branch: string;
  title: string;
  body: string;
  draft: boolean;
  author: GitIdentity;
  committer?: GitIdentity;
  forge: ForgeConfig & { githubToken?: string; forgejoToken?: string };
  /** The result (or `data.partial`) of an earlier finish of this repository. */
  previous?: Partial<FinishResult> | null;
  onLine: (line: string) => void;
  /** rsync-style patterns left out of the copy (default DEFAULT_EXCLUDES): never committed as deleted. */
  excludes?: readonly string[];
  /** Owner of what is written into the copy (applied when running as root). */
  owner?: Owner;
  /** Limit for one push or ls-remote (default 10 minutes). */
  timeoutMs?: number;
}

const SKIPPED = "no changes: no commits after the session's base and a work tree equal to it";

function checkIdentity(who: string, id: GitIdentity | undefined): void {
  if (!id) return;
  const bad = (s: unknown) => typeof s !== "string" || !s.trim() || /[\n\r\0<>]/.test(s);
  if (bad(id.name) || bad(id.email)) throw new OperationFailed(`the ${who} identity must be a name and an email without newlines or <>`);
}

function identityEnv(author: GitIdentity, committer: GitIdentity): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
  };
}

/** The commit message: the title's first line, then the body. */
export function commitMessage(title: string, body: string): string {
  const lines = title.trim().split(/\r?\n/);
  const subject = (lines.shift() ?? "").trim() || "Changes from a hero-claude session";
  const rest = [lines.join("\n").trim(), body.trim()].filter(Boolean).join("\n\n");
  return rest ? `${subject}\n\n${rest}\n` : `${subject}\n`;
}

async function isAncestor(repo: UntrustedRepo, a: string, b: string): Promise<boolean> {
  const r = await repo.git(["merge-base", "--is-ancestor", a, b]);
  return r.code === 0;
}

async function treeOf(repo: UntrustedRepo, commit: string | null): Promise<string> {
  if (!commit) return repo.emptyTree;
  return (await repo.run(["rev-parse", "--verify", `${commit}^{tree}`])).trim();
}

/** Re-throw `e` as OperationFailed that keeps what the tool said and carries the partial result. */
function failed(e: unknown, step: string, partial: FinishResult): OperationFailed {
  const data = e instanceof AppError ? (e.data as { log?: string } | undefined) : undefined;
  const message = e instanceof Error ? e.message : String(e);
  return new OperationFailed(`finish ${partial.repo}: ${step}: ${message}`, data?.log ?? message, { partial: { ...partial } });
}

/** Commit, push and open the pull request for one repository of a session (see the module comment). */
export async function finishRepo(opts: FinishOptions): Promise<FinishResult> {
  const result: FinishResult = {
    repo: opts.repo,
    branch: null,
    commit: null,
    pushed: false,
    pr_url: null,
    skipped_reason: null,
    note: null,
    compare_url: null,
  };
  const committer = opts.committer ?? opts.author;
  let repo: UntrustedRepo;
  try {
    if (opts.branch.startsWith("-") || !isSafeRefName(`refs/heads/${opts.branch}`)) {
      throw new OperationFailed(`not a usable branch name: ${JSON.stringify(opts.branch)}`);
    }
    if (opts.baseHead !== null && !isObjectId(opts.baseHead)) throw new OperationFailed(`not a commit id: ${JSON.stringify(opts.baseHead)}`);
    checkIdentity("author", opts.author);
    checkIdentity("committer", committer);
    repo = await openUntrustedRepo(opts.repoDir);
  } catch (e) {
    throw failed(e, "checking the request and the session repository", result);
  }
  try {
    const commit = await commitStep(repo, opts, committer, result);
    if (commit === null) return { ...result, skipped_reason: SKIPPED };
    result.branch = opts.branch;
    result.commit = commit;
    const source = await pushStep(repo, opts, commit, result);
    if (!source) return result;
    result.pushed = true;
    await pullRequestStep(opts, source, result);
    return result;
  } finally {
    await repo.close();
  }
}

/** Step 1: the commit to push (null: nothing new since the base); the copy is switched to the branch. */
async function commitStep(repo: UntrustedRepo, opts: FinishOptions, committer: GitIdentity, result: FinishResult): Promise<string | null> {
  try {
    const tree = await repo.snapshot(opts.excludes ?? DEFAULT_EXCLUDES);
    const head = repo.head;
    let ahead = 0;
    if (head && opts.baseHead && head !== opts.baseHead) {
      ahead = Number((await repo.run(["rev-list", "--count", `${opts.baseHead}..${head}`, "--"])).trim());
    } else if (head && !opts.baseHead) {
      ahead = 1;
    }
    if (ahead === 0 && tree === (await treeOf(repo, opts.baseHead))) {
      opts.onLine(`${opts.repo}: ${SKIPPED}`);
      return null;
    }
    const start = head ?? opts.baseHead;
    let parent = start;
    const tip = await repo.readRef(`refs/heads/${opts.branch}`);
    if (tip && start && tip !== start && repo.branch !== opts.branch && (await isAncestor(repo, start, tip))) {
      parent = tip; // an earlier finish built the branch on top of this HEAD: continue it
    }
    let commit: string;
    if (parent && (await treeOf(repo, parent)) === tree) {
      commit = parent;
    } else {
      const args = ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-F", "-"];
      commit = (await repo.run(args, { input: commitMessage(opts.title, opts.body), env: identityEnv(opts.author, committer) })).trim();
      opts.onLine(`${opts.repo}: committed ${commit} on ${opts.branch}`);
    }
    await repo.publish({ branch: opts.branch, commit, checkout: true, owner: opts.owner });
    return commit;
  } catch (e) {
    throw failed(e, "committing", result);
  }
}

/** Step 2: push to the CODEROOT repository's origin; null when it has none (a note says so). */
async function pushStep(repo: UntrustedRepo, opts: FinishOptions, commit: string, result: FinishResult): Promise<SourceRemote | null> {
  const log = opts.onLine;
  let source: SourceRemote;
  try {
    source = await readSourceRemote(opts.sourceDir);
  } catch (e) {
    throw failed(e, "reading the source repository's origin", result);
  }
  if (!source.pushUrl) {
    result.note = `not pushed: the source repository has no origin remote; the work is on branch ${opts.branch} in the session copy`;
    log(`${opts.repo}: ${result.note}`);
    return null;
  }
  const target = { url: source.pushUrl, rewrites: source.rewrites, onLine: log, timeoutMs: opts.timeoutMs };
  try {
    const remoteHead = await remoteBranchHead(repo, target, opts.branch);
    if (remoteHead === commit) {
      log(`${opts.repo}: ${opts.branch} is already at ${commit} on ${redactUrl(source.pushUrl)}`);
      return source;
    }
    // Replace the remote branch only when it holds our own earlier push; anything else must fast-forward.
    const ours = Boolean(opts.previous?.pushed && opts.previous.commit && opts.previous.commit === remoteHead);
    log(`${opts.repo}: pushing ${opts.branch} to ${redactUrl(source.pushUrl)}`);
    await pushBranch(repo, target, { branch: opts.branch, commit, lease: ours ? remoteHead : null });
    return source;
  } catch (e) {
    throw failed(e, "pushing", result);
  }
}

/** Step 3: find or open the pull request; without a forge, a base branch or a token, say why. */
async function pullRequestStep(opts: FinishOptions, source: SourceRemote, result: FinishResult): Promise<void> {
  const log = (note: string) => {
    result.note = note;
    opts.onLine(`${opts.repo}: ${note}`);
  };
  const detected = detectForge(source.pushUrl, opts.repo, opts.forge);
  if (!detected.forge) return log(`no pull request opened: ${detected.reason}`);
  const forge = detected.forge;
  const base = opts.baseBranch ?? source.branch;
  if (!base) return log("no pull request opened: no base branch (the session started on a detached HEAD and the source repository has none checked out)");
  result.compare_url = compareUrl(forge, base, opts.branch);
  const client = pullRequestClient(forge, opts.forge);
  if (!client) {
    result.pr_url = opts.previous?.pr_url ?? null;
    return log(`no pull request opened: ${tokenVariable(forge.kind)} is not set; open ${result.compare_url} to make one`);
  }
  try {
    const title = commitMessage(opts.title, "").trim();
    const pr = await ensurePullRequest(client, { title, body: opts.body, head: opts.branch, base, draft: opts.draft }, opts.onLine);
    result.pr_url = pr.url;
    result.note = pr.note;
  } catch (e) {
    throw failed(e, "opening the pull request", result);
  }
}
