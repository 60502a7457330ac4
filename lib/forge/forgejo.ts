/**
 * Forgejo and Gitea pull requests through their REST API (`/api/v1`), with fetch.
 * - `GET /repos/{owner}/{repo}/pulls?state=open` (paged; the API has no head filter) finds the
 *   open PR whose head is our branch in the same repository;
 * - `POST /repos/{owner}/{repo}/pulls` (title, body, head, base); the API has no draft flag, so a
 *   draft is a "WIP: " title (Forgejo's and Gitea's default work-in-progress prefix);
 * - 409 means a pull request for these branches already exists; `Authorization: token <t>`.
 */
import { ForgeRequestFailed, type NewPullRequest, type PullRequestClient, type PullRequestInfo } from "./pulls";

export interface ForgejoClientOptions {
  /** e.g. https://codeberg.org/api/v1 */
  apiBase: string;
  token: string;
  owner: string;
  repo: string;
  kind?: "forgejo" | "gitea";
  timeoutMs?: number;
  /** At most this many pages of 50 open pull requests are searched. */
  maxPages?: number;
}

/** The title prefix that marks a work-in-progress pull request on Forgejo and Gitea. */
export const WIP_PREFIX = "WIP: ";

interface ForgejoPull {
  number: number;
  html_url: string;
  state?: string;
  head?: { ref?: string; repo_id?: number; repo?: { full_name?: string } | null } | null;
  base?: { repo_id?: number } | null;
}

/** A PullRequestClient for one Forgejo or Gitea repository. */
export function forgejoClient(o: ForgejoClientOptions): PullRequestClient {
  const name = o.kind === "gitea" ? "Gitea" : "Forgejo";
  const api = o.apiBase.replace(/\/+$/, "");
  const repoPath = `/repos/${encodeURIComponent(o.owner)}/${encodeURIComponent(o.repo)}`;
  const fullName = `${o.owner}/${o.repo}`.toLowerCase();

  async function call(method: string, pathAndQuery: string, what: string, body?: unknown): Promise<{ status: number; data: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${api}${pathAndQuery}`, {
        method,
        headers: {
          Authorization: `token ${o.token}`,
          Accept: "application/json",
          "User-Agent": "hero-claude",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
      });
    } catch (e) {
      throw new ForgeRequestFailed(`${name} ${what} failed: ${(e as Error).message}`, [(e as Error).message], null);
    }
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = text;
    }
    if (!res.ok) {
      const msg = typeof data === "object" && data && "message" in data ? String((data as { message: unknown }).message) : text.slice(0, 500);
      const errors = typeof data === "object" && data && Array.isArray((data as { errors?: unknown }).errors) ? ((data as { errors: unknown[] }).errors.map(String)) : [];
      throw new ForgeRequestFailed(
        `${name} ${what} failed (HTTP ${res.status}): ${msg || res.statusText}`,
        [msg || res.statusText, ...errors],
        res.status,
        res.status === 409 || (res.status === 422 && /already exists/i.test(msg)),
      );
    }
    return { status: res.status, data };
  }

  return {
    name,
    async findOpen(head: string): Promise<PullRequestInfo | null> {
      const limit = 50;
      for (let page = 1; page <= (o.maxPages ?? 20); page++) {
        const { data } = await call("GET", `${repoPath}/pulls?state=open&limit=${limit}&page=${page}`, `listing pull requests of ${o.owner}/${o.repo}`);
        const list = Array.isArray(data) ? (data as Array<ForgejoPull | null>) : [];
        const hit = list.find(
          (p) =>
            p !== null &&
            p.head?.ref === head &&
            (p.head.repo?.full_name ? p.head.repo.full_name.toLowerCase() === fullName : p.head.repo_id === p.base?.repo_id),
        );
        if (hit) return { number: hit.number, url: hit.html_url };
        if (list.length < limit) break;
      }
      return null;
    },
    async create(pr: NewPullRequest): Promise<PullRequestInfo> {
      const title = pr.draft && !/^\s*(WIP:|\[WIP\])/i.test(pr.title) ? `${WIP_PREFIX}${pr.title}` : pr.title;
      const { data } = await call("POST", `${repoPath}/pulls`, `creating a pull request in ${o.owner}/${o.repo}`, {
        title,
        body: pr.body,
        head: pr.head,
        base: pr.base,
      });
      const p = data as ForgejoPull;
      if (typeof p?.number !== "number" || typeof p.html_url !== "string") {
        throw new ForgeRequestFailed(`${name} answered a pull request without number or html_url`, [JSON.stringify(data).slice(0, 500)], 201);
      }
      return { number: p.number, url: p.html_url };
    },
  };
}
