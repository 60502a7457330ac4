/**
 * Pull requests on any forge, idempotently.
 * - one small client interface per forge (find the open PR of a head branch, create one);
 * - `ensurePullRequest` finds first, creates only when none is open, and treats the forge's
 *   "already exists" answer (GitHub 422, Forgejo/Gitea 409) as "find it again";
 * - a forge that refuses drafts gets a ready pull request and says so in the note.
 */
import { OperationFailed } from "../errors";
import type { ForgeTarget } from "./remote";

export interface PullRequestInfo {
  number: number;
  /** The web page of the pull request. */
  url: string;
}

export interface NewPullRequest {
  title: string;
  body: string;
  /** The branch with the changes (in the same repository). */
  head: string;
  /** The branch to merge into. */
  base: string;
  draft: boolean;
}

export interface PullRequestClient {
  /** "GitHub", "Forgejo" or "Gitea", for messages. */
  readonly name: string;
  findOpen(head: string): Promise<PullRequestInfo | null>;
  create(pr: NewPullRequest): Promise<PullRequestInfo>;
}

/** A forge API call that failed; `data.log` holds what the forge said. */
export class ForgeRequestFailed extends OperationFailed {
  constructor(
    message: string,
    log: string[],
    readonly status: number | null,
    /** The forge says a pull request for this head already exists. */
    readonly duplicate = false,
    /** The forge refuses draft pull requests in this repository. */
    readonly draftUnsupported = false,
  ) {
    super(message, log, { status });
  }
}

export interface ForgeTokens {
  githubToken?: string;
  forgejoToken?: string;
}

/** The environment variable that carries the token for a forge kind. */
export function tokenVariable(kind: ForgeTarget["kind"]): string {
  return kind === "github" ? "GITHUB_TOKEN" : "FORGEJO_TOKEN (or GITEA_TOKEN)";
}

/** Return the open pull request of `pr.head`, creating it only when there is none. */
export async function ensurePullRequest(
  client: PullRequestClient,
  pr: NewPullRequest,
  onLine: (line: string) => void = () => {},
): Promise<PullRequestInfo & { created: boolean; note: string | null }> {
  const existing = await client.findOpen(pr.head);
  if (existing) {
    onLine(`${client.name}: pull request #${existing.number} already open for ${pr.head}: ${existing.url}`);
    return { ...existing, created: false, note: null };
  }
  let note: string | null = null;
  try {
    const made = await client.create(pr);
    onLine(`${client.name}: opened pull request #${made.number}: ${made.url}`);
    return { ...made, created: true, note };
  } catch (e) {
    if (!(e instanceof ForgeRequestFailed)) throw e;
    if (e.duplicate) {
      const again = await client.findOpen(pr.head);
      if (again) {
        onLine(`${client.name}: pull request #${again.number} already existed: ${again.url}`);
        return { ...again, created: false, note: null };
      }
      throw e;
    }
    if (e.draftUnsupported && pr.draft) {
      note = `${client.name} refused a draft pull request in this repository; it was opened as ready for review`;
      onLine(note);
      const made = await client.create({ ...pr, draft: false });
      onLine(`${client.name}: opened pull request #${made.number}: ${made.url}`);
      return { ...made, created: true, note };
    }
    throw e;
  }
}
