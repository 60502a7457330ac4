/**
 * A fake GitHub REST API on loopback, faithful to GitHub's published OpenAPI description
 * (`@octokit/openapi`, generated/api.github.com.json):
 * - every request is routed to an operation of the description and its parameters and JSON body
 *   are validated against it (unknown query parameters and body fields too); a mismatch is
 *   recorded in `violations` and answered 422, an unknown route 404;
 * - response bodies are built from the operation's response schema (the description's examples,
 *   then type/format) with the fake's state on top, and validated before they are sent;
 * - pulls.list (state, head `owner:branch`, base, paging) and pulls.create (201 + Location; 422
 *   "A pull request already exists for owner:branch." while one is open for that head and base;
 *   422 when head or base is not a branch of the repository's bare git dir, when one is known);
 * - 401 "Requires authentication" without a token, "Bad credentials" with a wrong one.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import {
  checkResponse,
  loadSpec,
  merge,
  readBody,
  responseSchema,
  route,
  sample,
  sendJson,
  serveLocal,
  validateRequest,
  type Json,
  type Spec,
} from "../forge/openapi";
import { branchExists } from "../helpers/repos";

export interface FakePull {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  draft: boolean;
  state: "open" | "closed";
  created_at: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  operationId: string | null;
  status: number;
}

export interface GithubFakeOptions {
  /** The token the fake accepts (default "ghp_fake"). */
  token?: string;
  /** `owner/repo` → bare git dir: pulls.create then checks that head and base are branches there. */
  bareRepos?: Record<string, string>;
}

export interface GithubFake {
  /** The API base (use as GITHUB_API_URL). */
  url: string;
  token: string;
  pulls: FakePull[];
  requests: RecordedRequest[];
  /** Every way a request or a response of the fake differed from GitHub's description. */
  violations: string[];
  /** Add a pull request as if someone had opened it already. */
  seed(p: Partial<FakePull> & { owner: string; repo: string; head: string; base: string }): FakePull;
  /** The next `times` pulls.list answers leave out open PRs (a PR opened between list and create). */
  hideFromList(times?: number): void;
  close(): Promise<void>;
}

const DOCS = "https://docs.github.com/rest";
let cached: Spec | null = null;

/** GitHub's OpenAPI description, loaded once per process (13 MB of JSON). */
export function githubSpec(): Spec {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
    cached = loadSpec(JSON.parse(readFileSync(file, "utf8")), "github");
  }
  return cached;
}

/** Start the fake on 127.0.0.1 (an ephemeral port). */
export async function startGithubFake(opts: GithubFakeOptions = {}): Promise<GithubFake> {
  const spec = githubSpec();
  const token = opts.token ?? "ghp_fake";
  const pulls: FakePull[] = [];
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  let hidden = 0;
  let origin = "";

  const users = (login: string): Json =>
    merge(sample(spec, { $ref: "#/components/schemas/simple-user" }), {
      login,
      id: 1,
      html_url: `https://github.com/${login}`,
      url: `${origin}/users/${login}`,
      type: "User",
    });
  const repository = (owner: string, repo: string): Json =>
    merge(sample(spec, { $ref: "#/components/schemas/repository" }), {
      name: repo,
      full_name: `${owner}/${repo}`,
      owner: users(owner),
      html_url: `https://github.com/${owner}/${repo}`,
      url: `${origin}/repos/${owner}/${repo}`,
      private: true,
      default_branch: "main",
    });
  const pullJson = (p: FakePull, schemaName: "pull-request" | "pull-request-simple"): Json => {
    const api = `${origin}/repos/${p.owner}/${p.repo}`;
    const web = `https://github.com/${p.owner}/${p.repo}`;
    const side = (ref: string): Json => ({ label: `${p.owner}:${ref}`, ref, sha: "0".repeat(40), user: users(p.owner), repo: repository(p.owner, p.repo) });
    return merge(sample(spec, { $ref: `#/components/schemas/${schemaName}` }), {
      id: 1000 + p.number,
      number: p.number,
      state: p.state,
      title: p.title,
      body: p.body,
      draft: p.draft,
      locked: false,
      url: `${api}/pulls/${p.number}`,
      html_url: `${web}/pull/${p.number}`,
      diff_url: `${web}/pull/${p.number}.diff`,
      patch_url: `${web}/pull/${p.number}.patch`,
      issue_url: `${api}/issues/${p.number}`,
      created_at: p.created_at,
      updated_at: p.created_at,
      user: users(p.owner),
      head: side(p.head),
      base: side(p.base),
    });
  };

  function send(res: ServerResponse, rec: RecordedRequest, status: number, body: Json, schema: unknown, headers: Record<string, string> = {}) {
    violations.push(...checkResponse(spec, schema, body, `${rec.method} ${rec.path} → ${status}`));
    rec.status = status;
    sendJson(res, status, body, { "x-github-media-type": "github.v3; format=json", ...headers });
  }

  const basicError = { $ref: "#/components/schemas/basic-error" };
  const validationError = { $ref: "#/components/schemas/validation-error" };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? "/", origin);
    const body = await readBody(req);
    const rec: RecordedRequest = {
      method: req.method ?? "GET",
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      body: body.json,
      operationId: null,
      status: 0,
    };
    requests.push(rec);
    const routed = route(spec, rec.method, u.pathname);
    if (!routed) {
      violations.push(`${rec.method} ${u.pathname}: no such operation in GitHub's description`);
      return send(res, rec, 404, { message: "Not Found", documentation_url: DOCS, status: "404" }, basicError);
    }
    rec.operationId = routed.operation.operationId;
    const auth = req.headers.authorization ?? "";
    const m = /^(?:token|bearer)\s+(.+)$/i.exec(auth);
    if (!m) return send(res, rec, 401, { message: "Requires authentication", documentation_url: DOCS, status: "401" }, basicError);
    if (m[1] !== token) return send(res, rec, 401, { message: "Bad credentials", documentation_url: DOCS, status: "401" }, basicError);
    if (body.bad) return send(res, rec, 400, { message: "Problems parsing JSON", documentation_url: DOCS, status: "400" }, basicError);
    const problems = validateRequest(spec, routed, u.searchParams, body.json, body.hasBody);
    if (problems.length > 0) {
      violations.push(...problems);
      return send(res, rec, 422, { message: "Invalid request.\n\n" + problems.join("\n"), documentation_url: DOCS, status: "422" }, validationError);
    }
    const { owner = "", repo = "" } = routed.params;
    const op = routed.operation;
    if (op.operationId === "pulls/list") {
      const q = u.searchParams;
      const state = q.get("state") ?? "open";
      const head = q.get("head");
      const base = q.get("base");
      const perPage = Math.min(Number(q.get("per_page") ?? 30), 100);
      const page = Number(q.get("page") ?? 1);
      const list = pulls
        .filter((p) => p.owner === owner && p.repo === repo)
        .filter((p) => state === "all" || p.state === state)
        .filter((p) => !head || `${p.owner}:${p.head}` === head || (!head.includes(":") && p.head === head))
        .filter((p) => !base || p.base === base)
        .filter((p) => !(hidden > 0 && p.state === "open"))
        .sort((a, b) => b.number - a.number);
      if (hidden > 0) hidden--;
      const items = list.slice((page - 1) * perPage, page * perPage).map((p) => pullJson(p, "pull-request-simple"));
      return send(res, rec, 200, items, responseSchema(spec, op, 200));
    }
    if (op.operationId === "pulls/create") {
      const b = body.json as { title?: string; head: string; base: string; body?: string; draft?: boolean };
      const headBranch = b.head.includes(":") ? b.head.slice(b.head.indexOf(":") + 1) : b.head;
      const bare = opts.bareRepos?.[`${owner}/${repo}`];
      const invalid = (field: string) =>
        send(res, rec, 422, { message: "Validation Failed", errors: [{ resource: "PullRequest", field, code: "invalid" }], documentation_url: `${DOCS}/pulls/pulls#create-a-pull-request`, status: "422" }, responseSchema(spec, op, 422));
      if (bare && !branchExists(bare, headBranch)) return invalid("head");
      if (bare && !branchExists(bare, b.base)) return invalid("base");
      if (pulls.some((p) => p.owner === owner && p.repo === repo && p.state === "open" && p.head === headBranch && p.base === b.base)) {
        return send(
          res,
          rec,
          422,
          {
            message: "Validation Failed",
            errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${owner}:${headBranch}.` }],
            documentation_url: `${DOCS}/pulls/pulls#create-a-pull-request`,
            status: "422",
          },
          responseSchema(spec, op, 422),
        );
      }
      const p = fake.seed({ owner, repo, head: headBranch, base: b.base, title: b.title ?? "", body: b.body ?? null, draft: b.draft ?? false });
      const json = pullJson(p, "pull-request");
      return send(res, rec, 201, json, responseSchema(spec, op, 201), { location: `${origin}/repos/${owner}/${repo}/pulls/${p.number}` });
    }
    violations.push(`${op.method} ${op.template} (${op.operationId}) is not implemented by the fake`);
    return send(res, rec, 404, { message: "Not Found", documentation_url: DOCS, status: "404" }, basicError);
  }

  const server = await serveLocal(handle, (e) => violations.push(`fake error: ${e.stack ?? e.message}`), { message: "Server Error" });
  origin = server.origin;

  const fake: GithubFake = {
    url: origin,
    token,
    pulls,
    requests,
    violations,
    seed(p) {
      const pull: FakePull = {
        number: pulls.length + 1,
        title: "A pull request",
        body: null,
        draft: false,
        state: "open",
        created_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        ...p,
      };
      pulls.push(pull);
      return pull;
    },
    hideFromList(times = 1) {
      hidden = times;
    },
    close: server.close,
  };
  return fake;
}
