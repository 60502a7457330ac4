/** Configuration from the environment, validated once at start-up (see CONTRACT.md, "Configuration"). */
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { z } from "zod";

export class ConfigError extends Error {}

const absolutePath = (name: string) =>
  z.string().refine((p) => path.isAbsolute(p), { message: `${name} must be an absolute path` });

const portNumber = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a port number (1-65535)`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65535, `${name} must be a port number (1-65535)`);

const positiveInt = (name: string) =>
  z.string().regex(/^\d+$/, `${name} must be a whole number`).transform(Number);

const positiveNumber = (name: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `${name} must be a positive number`)
    .transform(Number)
    .refine((n) => n > 0, `${name} must be a positive number`);

/** `a=b,c=d` into a record (an empty string is an empty record). */
const keyValues = (name: string) =>
  z.string().transform((raw, ctx) => {
    const out: Record<string, string> = {};
    for (const pair of raw.split(",").map((p) => p.trim()).filter(Boolean)) {
      const eq = pair.indexOf("=");
      if (eq <= 0) {
        ctx.addIssue({ code: "custom", message: `${name} is a comma-separated list of key=value` });
        return z.NEVER;
      }
      out[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return out;
  });

export interface Config {
  coderoot: string;
  builddir: string;
  claudeConfigDir: string;
  image: string;
  runtime: "docker" | "nerdctl";
  dockerHost: string | undefined;
  socketDir: string;
  serverSocket: string;
  uiSocket: string;
  socketGroup: string | undefined;
  host: string;
  port: number | undefined;
  network: string | undefined;
  agentUid: number;
  agentGid: number;
  excludes: string[];
  trashDays: number;
  defaultCpu: number;
  defaultMemoryGb: number;
  pidsLimit: number;
  /** OCI runtime for session containers (e.g. `runsc` for gVisor); used only when the engine has it. */
  ociRuntime: string | undefined;
  stopTimeoutS: number;
  reconcileMs: number;
  anthropic: { apiKey?: string; baseUrl?: string; oauthToken?: string };
  forge: {
    githubToken?: string;
    forgejoToken?: string;
    githubApiUrl: string;
    /** Per repo: which forge to use (github, forgejo, gitea, none), overriding detection from the remote URL. */
    overrides: Record<string, string>;
    /** Per host: an API base URL overriding the one derived from the remote (Forgejo/Gitea behind another address). */
    apiBases: Record<string, string>;
  };
  gitAuthor: { name: string; email: string };
}

/** Parse and check the environment; throws ConfigError with one line naming the variable and the fix. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const home = env.HOME || homedir();
  const val = (name: string, fallback: string) => {
    const v = env[name];
    return v === undefined || v === "" ? fallback : v;
  };
  const parse = <T>(name: string, schema: z.ZodType<T>, raw: string): T => {
    const r = schema.safeParse(raw);
    if (!r.success) {
      throw new ConfigError(`${name}=${JSON.stringify(raw)}: ${r.error.issues[0]?.message ?? "invalid"}`);
    }
    return r.data;
  };

  const coderoot = path.normalize(parse("CODEROOT", absolutePath("CODEROOT"), val("CODEROOT", path.join(home, "code"))));
  const builddir = path.normalize(
    parse("BUILDDIR", absolutePath("BUILDDIR"), val("BUILDDIR", path.join(home, "hero/var/hero_claude/build"))),
  );
  const claudeConfigDir = path.normalize(
    parse("CLAUDE_CONFIG_DIR", absolutePath("CLAUDE_CONFIG_DIR"), val("CLAUDE_CONFIG_DIR", path.join(home, ".claude"))),
  );
  const socketDir = path.normalize(
    parse("HERO_SOCKET_DIR", absolutePath("HERO_SOCKET_DIR"), val("HERO_SOCKET_DIR", path.join(home, "hero/var/sockets"))),
  );
  const runtime = parse(
    "DOCKER_RUNTIME",
    z.enum(["docker", "nerdctl"], { message: "DOCKER_RUNTIME must be docker or nerdctl" }),
    val("DOCKER_RUNTIME", "docker"),
  );
  const port = env.HERO_CLAUDE_PORT ? parse("HERO_CLAUDE_PORT", portNumber("HERO_CLAUDE_PORT"), env.HERO_CLAUDE_PORT) : undefined;

  if (!existsSync(coderoot) || !statSync(coderoot).isDirectory()) {
    throw new ConfigError(`CODEROOT=${coderoot}: no such directory; create it or point CODEROOT at the directory holding your repositories`);
  }
  const inside = (child: string, parent: string) => {
    const rel = path.relative(parent, child);
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
  };
  if (inside(builddir, coderoot)) {
    throw new ConfigError(`BUILDDIR=${builddir}: must not be inside CODEROOT (${coderoot}), which is never written to; choose a directory outside it`);
  }
  if (inside(coderoot, builddir)) {
    throw new ConfigError(`BUILDDIR=${builddir}: must not contain CODEROOT (${coderoot}); choose a directory outside it`);
  }

  const excludes = val("HERO_CLAUDE_EXCLUDES", "target/,node_modules/,.next/,dist/")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

  return {
    coderoot,
    builddir,
    claudeConfigDir,
    image: val("HERO_CLAUDE_IMAGE", "hero-claude-sandbox:latest"),
    runtime,
    dockerHost: env.DOCKER_HOST || undefined,
    socketDir,
    serverSocket: path.join(socketDir, "hero_claude_server.sock"),
    uiSocket: path.join(socketDir, "hero_claude_ui.sock"),
    socketGroup: env.HERO_SOCKET_GROUP || undefined,
    host: val("HERO_CLAUDE_HOST", "127.0.0.1"),
    port,
    network: env.HERO_CLAUDE_NETWORK || undefined,
    agentUid: parse("HERO_CLAUDE_UID", positiveInt("HERO_CLAUDE_UID"), val("HERO_CLAUDE_UID", "1000")),
    agentGid: parse("HERO_CLAUDE_GID", positiveInt("HERO_CLAUDE_GID"), val("HERO_CLAUDE_GID", "1000")),
    excludes,
    trashDays: parse("HERO_CLAUDE_TRASH_DAYS", positiveInt("HERO_CLAUDE_TRASH_DAYS"), val("HERO_CLAUDE_TRASH_DAYS", "14")),
    defaultCpu: parse("HERO_CLAUDE_DEFAULT_CPU", positiveNumber("HERO_CLAUDE_DEFAULT_CPU"), val("HERO_CLAUDE_DEFAULT_CPU", "2")),
    defaultMemoryGb: parse(
      "HERO_CLAUDE_DEFAULT_MEMORY_GB",
      positiveNumber("HERO_CLAUDE_DEFAULT_MEMORY_GB"),
      val("HERO_CLAUDE_DEFAULT_MEMORY_GB", "4"),
    ),
    pidsLimit: parse("HERO_CLAUDE_PIDS_LIMIT", positiveInt("HERO_CLAUDE_PIDS_LIMIT"), val("HERO_CLAUDE_PIDS_LIMIT", "1024")),
    ociRuntime: env.HERO_CLAUDE_OCI_RUNTIME || undefined,
    stopTimeoutS: parse("HERO_CLAUDE_STOP_TIMEOUT_S", positiveInt("HERO_CLAUDE_STOP_TIMEOUT_S"), val("HERO_CLAUDE_STOP_TIMEOUT_S", "10")),
    reconcileMs: parse("HERO_CLAUDE_RECONCILE_MS", positiveInt("HERO_CLAUDE_RECONCILE_MS"), val("HERO_CLAUDE_RECONCILE_MS", "15000")),
    anthropic: {
      apiKey: env.ANTHROPIC_API_KEY || undefined,
      baseUrl: env.ANTHROPIC_BASE_URL || undefined,
      oauthToken: env.CLAUDE_CODE_OAUTH_TOKEN || undefined,
    },
    forge: {
      githubToken: env.GITHUB_TOKEN || undefined,
      forgejoToken: env.FORGEJO_TOKEN || env.GITEA_TOKEN || undefined,
      githubApiUrl: val("GITHUB_API_URL", "https://api.github.com"),
      overrides: parse("HERO_CLAUDE_FORGE_OVERRIDES", keyValues("HERO_CLAUDE_FORGE_OVERRIDES"), val("HERO_CLAUDE_FORGE_OVERRIDES", "")),
      apiBases: parse("HERO_CLAUDE_FORGE_API_BASES", keyValues("HERO_CLAUDE_FORGE_API_BASES"), val("HERO_CLAUDE_FORGE_API_BASES", "")),
    },
    gitAuthor: {
      name: val("HERO_CLAUDE_GIT_AUTHOR_NAME", "hero_claude"),
      email: val("HERO_CLAUDE_GIT_AUTHOR_EMAIL", "hero-claude@localhost"),
    },
  };
}
