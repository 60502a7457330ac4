/**
 * A fake Forgejo (or Gitea) REST API on loopback, faithful to Forgejo's own Swagger description.
 * No npm package ships that description, so the pull-request part of Forgejo's
 * `templates/swagger/v1_json.tmpl` (MIT-licensed for interoperability) is kept, unchanged, in
 * tests/forge/fixtures/forgejo-swagger-pulls.json (extract-forgejo-swagger.mjs beside it):
 * - every request under /api/v1 is routed to an operation of that description; parameters and the
 *   JSON body are validated against it (unknown query parameters and body fields too); a mismatch
 *   is recorded in `violations` and answered 422, an unknown route 404;
 * - responses are built from the description's definitions (every property, as Forgejo sends
 *   them) with the fake's state on top, and validated before they are sent (null allowed where
 *   Go sends null for unset pointers);
 * - repoListPullRequests (state, page, limit; X-Total-Count) and repoCreatePullRequest as Forgejo
 *   does it: 422 when head equals base, 404 when a branch is missing from the repository's bare
 *   git dir (when one is known), 409 "pull request already exists for these targets …" while one
 *   is open for the same head and base, `draft` derived from a "WIP:" title prefix;
 * - 401 "token is required" without `Authorization: token <t>`.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
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

export interface FakeForgejoPull {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: "open" | "closed";
  created_at: string;
}

export interface ForgejoRecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  operationId: string | null;
  status: number;
}

export interface ForgejoFakeOptions {
  token?: string;
  /** `owner/repo` → bare git dir: create then checks that head and base are branches there. */
  bareRepos?: Record<string, string>;
  /** The public web origin in html_url (default: the fake's own origin). */
  webOrigin?: string;
}

export interface ForgejoFake {
  /** The web origin; the API base is `${url}/api/v1`. */
  url: string;
  apiBase: string;
  token: string;
  pulls: FakeForgejoPull[];
  requests: ForgejoRecordedRequest[];
  violations: string[];
  seed(p: Partial<FakeForgejoPull> & { owner: string; repo: string; head: string; base: string }): FakeForgejoPull;
  close(): Promise<void>;
}

const WIP = /^\s*(WIP:|\[WIP\])/i;
let cached: Spec | null = null;

/** The pull-request part of Forgejo's Swagger description. */
export function forgejoSpec(): Spec {
  if (!cached) {
    const file = path.resolve(import.meta.dirname, "../forge/fixtures/forgejo-swagger-pulls.json");
    cached = loadSpec(JSON.parse(readFileSync(file, "utf8")), "forgejo", { nullableResponses: true });
  }
  return cached;
}

/** Start the fake on 127.0.0.1 (an ephemeral port). */
export async function startForgejoFake(opts: ForgejoFakeOptions = {}): Promise<ForgejoFake> {
  const spec = forgejoSpec();
  const token = opts.token ?? "forgejo_fake_token";
  const pulls: FakeForgejoPull[] = [];
  const requests: ForgejoRecordedRequest[] = [];
  const violations: string[] = [];
  let origin = "";
  const web = () => opts.webOrigin ?? origin;

  const user = (login: string): Json =>
    merge(sample(spec, { $ref: "#/definitions/User" }, { all: true, depth: 1 }), {
      id: 1,
      login,
      username: login,
      login_name: "",
      full_name: login,
      email: `${login}@noreply.example.invalid`,
      avatar_url: `${web()}/avatars/${login}`,
      html_url: `${web()}/${login}`,
      created: "2024-01-01T00:00:00Z",
      last_login: "2024-01-01T00:00:00Z",
    });
  const repository = (owner: string, repo: string): Json =>
    merge(sample(spec, { $ref: "#/definitions/Repository" }, { all: true, depth: 1 }), {
      id: 7,
      owner: user(owner),
      name: repo,
      full_name: `${owner}/${repo}`,
      html_url: `${web()}/${owner}/${repo}`,
      clone_url: `${web()}/${owner}/${repo}.git`,
      default_branch: "main",
      created_at: "2024-01-01T00:00:00Z",
      updated_at: "2024-01-01T00:00:00Z",
    });
  const pullJson = (p: FakeForgejoPull): Json => {
    const branch = (ref: string): Json => ({ label: ref, ref, sha: "0".repeat(40), repo_id: 7, repo: repository(p.owner, p.repo) });
    const url = `${web()}/${p.owner}/${p.repo}/pulls/${p.number}`;
    return merge(sample(spec, { $ref: "#/definitions/PullRequest" }, { all: true, depth: 1 }), {
      id: 100 + p.number,
      number: p.number,
      url,
      html_url: url,
      diff_url: `${url}.diff`,
      patch_url: `${url}.patch`,
      title: p.title,
      body: p.body,
      state: p.state,
      draft: WIP.test(p.title),
      is_locked: false,
      mergeable: true,
      merged: false,
      user: user(p.owner),
      labels: [],
      assignees: [],
      requested_reviewers: [],
      milestone: null,
      assignee: null,
      merged_at: null,
      merged_by: null,
      closed_at: null,
      due_date: null,
      merge_commit_sha: null,
      base: branch(p.base),
      head: branch(p.head),
      merge_base: "0".repeat(40),
      created_at: p.created_at,
      updated_at: p.created_at,
    });
  };

  function send(res: ServerResponse, rec: ForgejoRecordedRequest, status: number, body: Json, schema: unknown, headers: Record<string, string> = {}) {
    violations.push(...checkResponse(spec, schema, body, `${rec.method} ${rec.path} → ${status}`));
    rec.status = status;
    sendJson(res, status, body, headers);
  }
  const apiError = { $ref: "#/definitions/APIError" };
  const swaggerUrl = () => `${web()}/api/swagger`;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? "/", origin);
    const body = await readBody(req);
    const rec: ForgejoRecordedRequest = {
      method: req.method ?? "GET",
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      body: body.json,
      operationId: null,
      status: 0,
    };
    requests.push(rec);
    const routed = route(spec, rec.method, u.pathname, "/api/v1");
    if (!routed) {
      violations.push(`${rec.method} ${u.pathname}: no such operation in Forgejo's description (pull-request part)`);
      return send(res, rec, 404, { message: "The target couldn't be found.", url: swaggerUrl(), errors: [] }, { $ref: "#/definitions/APINotFound" });
    }
    rec.operationId = routed.operation.operationId;
    const m = /^(?:token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? "");
    if (!m || m[1] !== token) {
      return send(res, rec, 401, { message: m ? "user does not exist [uid: 0, name: ]" : "token is required", url: swaggerUrl() }, apiError);
    }
    if (body.bad) return send(res, rec, 422, { message: "invalid JSON body", url: swaggerUrl() }, { $ref: "#/definitions/APIValidationError" });
    const problems = validateRequest(spec, routed, u.searchParams, body.json, body.hasBody);
    if (problems.length > 0) {
      violations.push(...problems);
      return send(res, rec, 422, { message: problems.join("; "), url: swaggerUrl() }, { $ref: "#/definitions/APIValidationError" });
    }
    const { owner = "", repo = "" } = routed.params;
    const op = routed.operation;
    if (op.operationId === "repoListPullRequests") {
      const q = u.searchParams;
      const state = q.get("state") ?? "open";
      const limit = Math.min(Number(q.get("limit") ?? 30) || 30, 50);
      const page = Math.max(Number(q.get("page") ?? 1), 1);
      const list = pulls
        .filter((p) => p.owner === owner && p.repo === repo && (state === "all" || p.state === state))
        .sort((a, b) => b.number - a.number);
      const items = list.slice((page - 1) * limit, page * limit).map(pullJson);
      return send(res, rec, 200, items, responseSchema(spec, op, 200), { "x-total-count": String(list.length) });
    }
    if (op.operationId === "repoCreatePullRequest") {
      const b = (body.json ?? {}) as { title?: string; head?: string; base?: string; body?: string };
      const head = b.head ?? "";
      const base = b.base ?? "";
      if (head === base) {
        return send(res, rec, 422, { message: "Invalid PullRequest: There are no changes between the head and the base", url: swaggerUrl() }, responseSchema(spec, op, 422));
      }
      const bare = opts.bareRepos?.[`${owner}/${repo}`];
      if (bare && (!branchExists(bare, head) || !branchExists(bare, base))) {
        return send(res, rec, 404, { message: "The target couldn't be found.", url: swaggerUrl(), errors: [] }, responseSchema(spec, op, 404));
      }
      const dup = pulls.find((p) => p.owner === owner && p.repo === repo && p.state === "open" && p.head === head && p.base === base);
      if (dup) {
        const message = `pull request already exists for these targets [id: ${100 + dup.number}, issue_id: ${dup.number}, head_repo_id: 7, base_repo_id: 7, head_branch: ${head}, base_branch: ${base}]`;
        return send(res, rec, 409, { message, url: swaggerUrl() }, responseSchema(spec, op, 409));
      }
      const p = fake.seed({ owner, repo, head, base, title: b.title ?? "", body: b.body ?? "" });
      return send(res, rec, 201, pullJson(p), responseSchema(spec, op, 201));
    }
    violations.push(`${op.method} ${op.template} (${op.operationId}) is not implemented by the fake`);
    return send(res, rec, 404, { message: "The target couldn't be found.", url: swaggerUrl(), errors: [] }, { $ref: "#/definitions/APINotFound" });
  }

  const server = await serveLocal(handle, (e) => violations.push(`fake error: ${e.stack ?? e.message}`), { message: "", url: "" });
  origin = server.origin;

  const fake: ForgejoFake = {
    url: origin,
    apiBase: `${origin}/api/v1`,
    token,
    pulls,
    requests,
    violations,
    seed(p) {
      const pull: FakeForgejoPull = {
        number: pulls.length + 1,
        title: "A pull request",
        body: "",
        state: "open",
        created_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        ...p,
      };
      pulls.push(pull);
      return pull;
    },
    close: server.close,
  };
  return fake;
}
