/**
 * How Claude Code is run in a session container: the command line, its environment, its MCP
 * configuration and the credentials seeded into the session's own config dir.
 */
import { copyFile, chown, mkdir, stat } from "node:fs/promises";
import path from "node:path";

/** The agent user's Claude config dir inside the container (state/claude on the host). */
export const CONTAINER_CLAUDE_DIR = "/home/agent/.claude";
export const MCP_CONFIG_FILE = "hero-mcp.json";
/** Where the wrapper records the agent's pid, so a stop can interrupt it cleanly. */
export const AGENT_PID_FILE = "/tmp/hero-claude-agent.pid";

/** Host files copied from CLAUDE_CONFIG_DIR into the session's config dir at every start. */
const SEEDED_FILES = [".credentials.json", "settings.json", ".claude.json"];

/**
 * The argument array that runs one agent turn. The prompt is an argument, never interpolated into
 * a shell: the `sh -c` wrapper only records its pid and execs `"$@"`.
 */
export function agentCommand(opts: { prompt: string; resume: string | null; mcpConfig: boolean; model?: string }): string[] {
  const claude = ["claude", "-p", opts.prompt, "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions"];
  if (opts.resume) claude.push("--resume", opts.resume);
  if (opts.mcpConfig) claude.push("--mcp-config", `${CONTAINER_CLAUDE_DIR}/${MCP_CONFIG_FILE}`);
  if (opts.model) claude.push("--model", opts.model);
  return ["sh", "-c", `echo $$ > ${AGENT_PID_FILE}; exec "$@"`, "hero-claude-agent", ...claude];
}

/** The command that interrupts a running agent (SIGTERM to the pid the wrapper recorded). */
export function interruptCommand(): string[] {
  return ["sh", "-c", `test -s ${AGENT_PID_FILE} && kill -TERM "$(cat ${AGENT_PID_FILE})" 2>/dev/null; rm -f ${AGENT_PID_FILE}; true`];
}

/** Environment for the agent process: credentials when the host has them, no auto-update or telemetry. */
export function agentEnv(anthropic: { apiKey?: string; baseUrl?: string; oauthToken?: string }): Record<string, string> {
  const env: Record<string, string> = {
    HOME: "/home/agent",
    CLAUDE_CONFIG_DIR: CONTAINER_CLAUDE_DIR,
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  };
  if (anthropic.apiKey) env.ANTHROPIC_API_KEY = anthropic.apiKey;
  if (anthropic.baseUrl) env.ANTHROPIC_BASE_URL = anthropic.baseUrl;
  if (anthropic.oauthToken) env.CLAUDE_CODE_OAUTH_TOKEN = anthropic.oauthToken;
  return env;
}

/** Every secret value we pass, to scrub from anything shown (logs, transcript, errors). */
export function secretsOf(anthropic: { apiKey?: string; oauthToken?: string }, extra: (string | undefined)[] = []): string[] {
  return [anthropic.apiKey, anthropic.oauthToken, ...extra].filter((s): s is string => !!s && s.length >= 8);
}

/** Replace each secret in `text` with a marker. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("[redacted]");
  return out;
}

/**
 * The MCP configuration of a session, from its `mcp_servers` entries: `url`, `name=url`, or a JSON
 * object `{"name": ..., ...server config}`. Returns null when there is none.
 */
export function mcpConfig(servers: readonly string[]): { mcpServers: Record<string, unknown> } | null {
  if (servers.length === 0) return null;
  const out: Record<string, unknown> = {};
  servers.forEach((entry, i) => {
    const trimmed = entry.trim();
    if (trimmed.startsWith("{")) {
      const { name, ...rest } = JSON.parse(trimmed) as { name?: string };
      out[name ?? `server${i + 1}`] = rest;
      return;
    }
    const eq = trimmed.indexOf("=");
    const [name, url] = eq > 0 && !trimmed.slice(0, eq).includes("/") ? [trimmed.slice(0, eq), trimmed.slice(eq + 1)] : [undefined, trimmed];
    const u = new URL(url);
    out[name ?? (u.hostname.replace(/[^A-Za-z0-9_-]/g, "_") || `server${i + 1}`)] = {
      type: u.pathname.endsWith("/sse") ? "sse" : "http",
      url,
    };
  });
  return { mcpServers: out };
}

/**
 * Copy the host's credential and settings files into the session's config dir, so a refreshed
 * host login reaches the session at its next start. Files are made readable by the agent only.
 */
export async function seedCredentials(hostDir: string, sessionDir: string, owner?: { uid: number; gid: number }): Promise<string[]> {
  await mkdir(sessionDir, { recursive: true });
  const seeded: string[] = [];
  for (const name of SEEDED_FILES) {
    const src = path.join(hostDir, name);
    const st = await stat(src).catch(() => null);
    if (!st?.isFile()) continue;
    const dest = path.join(sessionDir, name);
    if (name === ".claude.json" && (await stat(dest).catch(() => null))) continue; // the session's own state wins
    await copyFile(src, dest);
    if (owner) await chown(dest, owner.uid, owner.gid);
    seeded.push(name);
  }
  return seeded;
}
