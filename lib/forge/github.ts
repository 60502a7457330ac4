/**
 * GitHub and GitHub Enterprise pull requests through @octokit/rest.
 * - `pulls.list` filtered by `head=<owner>:<branch>` finds the open PR of our branch;
 * - `pulls.create` (title, body, head, base, draft); a 422 "A pull request already exists" is a
 *   duplicate, a 422 about drafts means the repository cannot take drafts;
 * - errors carry the status and GitHub's own message and field errors, never the token.
 */
import { Octokit } from "@octokit/rest";
import { ForgeRequestFailed, type NewPullRequest, type PullRequestClient, type PullRequestInfo } from "./pulls";

export interface GithubClientOptions {
  /** GITHUB_API_URL, e.g. https://api.github.com or https://ghe.example.com/api/v3. */
  apiBase: string;
  token: string;
  owner: string;
  repo: string;
  timeoutMs?: number;
}

interface OctokitError {
  status?: number;
  message?: string;
  response?: { data?: unknown };
}

function describe(e: unknown, what: string): ForgeRequestFailed {
  const err = e as OctokitError;
  const status = typeof err.status === "number" ? err.status : null;
  const data = (err.response?.data ?? {}) as { message?: string; errors?: Array<{ message?: string; code?: string; field?: string }> };
  const details = (data.errors ?? []).map((x) => x.message ?? [x.code, x.field].filter(Boolean).join(" ")).filter(Boolean);
  const said = [data.message ?? err.message ?? String(e), ...details];
  const text = said.join(" ");
  return new ForgeRequestFailed(
    `GitHub ${what} failed${status ? ` (HTTP ${status})` : ""}: ${said[0]}`,
    said,
    status,
    status === 422 && /already exists/i.test(text),
    status === 422 && /draft/i.test(text),
  );
}

/** A PullRequestClient for one GitHub repository. */
export function githubClient(o: GithubClientOptions): PullRequestClient {
  const octokit = new Octokit({
    auth: o.token,
    baseUrl: o.apiBase.replace(/\/+$/, ""),
    userAgent: "hero-claude",
    log: { debug() {}, info() {}, warn() {}, error() {} },
    request: {
      fetch: (url: string | URL, init?: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) }),
    },
  });
  const headOwner = o.owner.split("/")[0] as string;
  return {
    name: "GitHub",
    async findOpen(head: string): Promise<PullRequestInfo | null> {
      try {
        const { data } = await octokit.rest.pulls.list({
          owner: o.owner,
          repo: o.repo,
          state: "open",
          head: `${headOwner}:${head}`,
          per_page: 100,
        });
        const pr = data.find((p) => p.head.ref === head);
        return pr ? { number: pr.number, url: pr.html_url } : null;
      } catch (e) {
        throw describe(e, `listing pull requests of ${o.owner}/${o.repo}`);
      }
    },
    async create(pr: NewPullRequest): Promise<PullRequestInfo> {
      try {
        const { data } = await octokit.rest.pulls.create({
          owner: o.owner,
          repo: o.repo,
          title: pr.title,
          body: pr.body,
          head: pr.head,
          base: pr.base,
          draft: pr.draft,
        });
        return { number: data.number, url: data.html_url };
      } catch (e) {
        throw describe(e, `creating a pull request in ${o.owner}/${o.repo}`);
      }
    },
  };
}
