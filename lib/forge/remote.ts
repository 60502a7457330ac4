/**
 * Remote URLs and forges.
 * - a remote URL (https, http, `ssh://`, scp-like `git@host:owner/repo.git`, `git://`) names a
 *   host and an `owner/repo` path; local paths and `file://` name no forge;
 * - the forge comes from the host (github.com → GitHub; the GITHUB_API_URL host or a host with
 *   "github" in it → GitHub Enterprise when GITHUB_API_URL is configured; codeberg.org → Forgejo),
 *   unless an override names it per repository (or per host);
 * - API bases: GitHub's is GITHUB_API_URL; Forgejo/Gitea's is `<scheme>://<host>/api/v1` from the
 *   remote, or an explicit per-repository override (tests on loopback).
 */

export type ForgeKind = "github" | "forgejo" | "gitea";
export const FORGE_OVERRIDES = ["github", "forgejo", "gitea", "none"] as const;
export type ForgeOverride = (typeof FORGE_OVERRIDES)[number];

export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

export interface RemoteUrl {
  scheme: "https" | "http" | "ssh" | "git";
  host: string;
  /** The port in the URL (for ssh remotes the SSH port, never used for the web). */
  port: string | null;
  /** `owner` may hold several segments (groups); `name` is the last one, without `.git`. */
  owner: string;
  name: string;
}

/** Parse a git remote URL; null for local paths, `file://` and anything without an owner/repo path. */
export function parseRemoteUrl(url: string): RemoteUrl | null {
  const s = url.trim();
  let scheme: RemoteUrl["scheme"];
  let host: string;
  let port: string | null = null;
  let rawPath: string;
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s);
  if (m) {
    const proto = (m[1] as string).toLowerCase();
    const map: Record<string, RemoteUrl["scheme"]> = { https: "https", http: "http", ssh: "ssh", "git+ssh": "ssh", "ssh+git": "ssh", git: "git" };
    const sc = map[proto];
    if (!sc) return null;
    let u: URL;
    try {
      u = new URL(sc === "ssh" && proto !== "ssh" ? `ssh://${s.slice(m[0].length)}` : s);
    } catch {
      return null;
    }
    scheme = sc;
    host = u.hostname.toLowerCase();
    port = u.port || null;
    rawPath = decodeURIComponent(u.pathname);
  } else {
    // scp-like: [user@]host:path, where host has no slash and the path does not start with "//".
    const scp = /^(?:[^@/\s]+@)?(\[[^\]]+\]|[^:/\s]+):(?!\/\/)(.+)$/.exec(s);
    if (!scp) return null;
    scheme = "ssh";
    host = (scp[1] as string).replace(/^\[|\]$/g, "").toLowerCase();
    rawPath = scp[2] as string;
  }
  if (!host) return null;
  const segs = rawPath.replace(/^\/+|\/+$/g, "").replace(/^~[^/]*\//, "").split("/").filter(Boolean);
  if (segs.length < 2) return null;
  const name = (segs.pop() as string).replace(/\.git$/i, "");
  if (!name || segs.some((x) => x === "." || x === "..") || name === "." || name === "..") return null;
  return { scheme, host, port, owner: segs.join("/"), name };
}

export interface ForgeConfig {
  /** GITHUB_API_URL (default https://api.github.com). */
  githubApiUrl?: string;
  /** repo name (or host) → forge kind; a repo name wins over a host. */
  overrides?: Record<string, string>;
  /** repo name → API base (e.g. `http://127.0.0.1:3000/api/v1` for a Forgejo on loopback). */
  apiBaseOverride?: Record<string, string>;
}

export interface ForgeTarget {
  kind: ForgeKind;
  remote: RemoteUrl;
  /** Where the REST API lives (no trailing slash). */
  apiBase: string;
  /** The web origin users open (`https://github.com`, `https://codeberg.org`). */
  webBase: string;
}

export type ForgeDetection = { forge: ForgeTarget; reason: null } | { forge: null; reason: string };

function trimSlash(s: string): string {
  return s.replace(/\/+$/, "");
}

/** Which forge hosts the remote `url` of repository `repo`, and where its API and web pages are. */
export function detectForge(url: string | null, repo: string, cfg: ForgeConfig = {}): ForgeDetection {
  if (!url) return { forge: null, reason: "the repository has no origin remote" };
  const remote = parseRemoteUrl(url);
  if (!remote) return { forge: null, reason: `the origin URL ${redactUrl(url)} does not name a forge repository (owner/name on a host)` };
  const githubApi = trimSlash(cfg.githubApiUrl || DEFAULT_GITHUB_API_URL);
  const override = cfg.overrides?.[repo] ?? cfg.overrides?.[remote.host];
  let kind: ForgeKind | null = null;
  if (override !== undefined) {
    if (!(FORGE_OVERRIDES as readonly string[]).includes(override)) {
      return { forge: null, reason: `the forge override ${JSON.stringify(override)} is not one of ${FORGE_OVERRIDES.join(", ")}` };
    }
    if (override === "none") return { forge: null, reason: "the forge override for this repository is \"none\"" };
    kind = override as ForgeKind;
  } else if (remote.host === "github.com" || remote.host === "www.github.com") {
    kind = "github";
  } else if (githubApi !== DEFAULT_GITHUB_API_URL && isEnterpriseHost(remote.host, githubApi)) {
    kind = "github";
  } else if (remote.host === "codeberg.org") {
    kind = "forgejo";
  }
  if (!kind) return { forge: null, reason: `no known forge at ${remote.host} (set a forge override for this repository)` };

  const webScheme = remote.scheme === "http" ? "http" : "https";
  const webPort = remote.scheme === "http" || remote.scheme === "https" ? remote.port : null;
  const webHost = remote.host === "www.github.com" ? "github.com" : remote.host;
  const webBase = `${webScheme}://${hostForUrl(webHost)}${webPort ? `:${webPort}` : ""}`;
  const explicit = cfg.apiBaseOverride?.[repo];
  const apiBase = trimSlash(explicit ?? (kind === "github" ? githubApi : `${webBase}/api/v1`));
  return { forge: { kind, remote, apiBase, webBase }, reason: null };
}

function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function isEnterpriseHost(host: string, apiUrl: string): boolean {
  let apiHost = "";
  try {
    apiHost = new URL(apiUrl).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === apiHost || apiHost === `api.${host}` || host.includes("github");
}

function encodeRef(ref: string): string {
  return encodeURIComponent(ref).replace(/%2F/gi, "/");
}

/** The page a user opens to make the pull request by hand. */
export function compareUrl(forge: ForgeTarget, base: string, head: string): string {
  const repoPath = `${forge.remote.owner.split("/").map(encodeURIComponent).join("/")}/${encodeURIComponent(forge.remote.name)}`;
  const tail = `compare/${encodeRef(base)}...${encodeRef(head)}`;
  return forge.kind === "github" ? `${forge.webBase}/${repoPath}/${tail}?expand=1` : `${forge.webBase}/${repoPath}/${tail}`;
}

/** A URL with any user:password part removed, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, "$1");
}
