/**
 * Docker for integration tests. In CI a missing engine or image fails loudly; elsewhere those tests
 * are skipped with the reason printed.
 * The fake model runs in a container on networks the test creates: an internal network the session
 * containers join (they can reach nothing else) and a plain bridge that publishes its control port
 * on 127.0.0.1 only.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";

export const IMAGE = process.env.HERO_CLAUDE_IMAGE ?? "hero-claude-sandbox:latest";
const FAKE_SCRIPT = path.resolve(import.meta.dirname, "../fakes/anthropic-fake.mjs");

export function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Why Docker tests cannot run here, or null when they can. Throws in CI instead of skipping. */
export function dockerMissing(): string | null {
  let why: string | null = null;
  try {
    docker("info", "--format", "{{.ServerVersion}}");
    try {
      docker("image", "inspect", IMAGE);
    } catch {
      why = `the sandbox image ${IMAGE} is missing (make image)`;
    }
  } catch {
    why = "no Docker engine is reachable (make docker)";
  }
  if (why && process.env.CI) throw new Error(`Docker tests cannot run in CI: ${why}`);
  if (why) console.warn(`skipping Docker tests: ${why}`);
  return why;
}

export interface FakeModel {
  /** The network sessions must join (HERO_CLAUDE_NETWORK). */
  network: string;
  /** ANTHROPIC_BASE_URL as seen from a session container. */
  baseUrl: string;
  /** The control URL on 127.0.0.1. */
  control: string;
  script: (turns: unknown[]) => Promise<void>;
  requests: () => Promise<{ path: string; body: any }[]>;
  reset: () => Promise<void>;
  stop: () => void;
}

/** Start the scripted fake Anthropic API in a container on two networks the test owns. */
export async function startFakeModel(): Promise<FakeModel> {
  const tag = randomBytes(3).toString("hex");
  const sessionNet = `hc-test-sessions-${tag}`;
  const controlNet = `hc-test-control-${tag}`;
  const name = `hc-test-fake-${tag}`;
  docker("network", "create", "--internal", "--label", "hero_claude.test=1", sessionNet);
  docker("network", "create", "--label", "hero_claude.test=1", controlNet);
  docker(
    "run", "-d", "--name", name, "--label", "hero_claude.test=1",
    "--network", controlNet, "-p", "127.0.0.1::8080",
    "--user", "1000:1000", "--read-only", "--cap-drop", "ALL",
    "-v", `${FAKE_SCRIPT}:/fake/anthropic-fake.mjs:ro`,
    "--entrypoint", "node", IMAGE, "/fake/anthropic-fake.mjs", "--port", "8080", "--host", "0.0.0.0",
  );
  docker("network", "connect", "--alias", "fake-anthropic", sessionNet, name);
  const port = docker("port", name, "8080/tcp").split("\n")[0]!.split(":").pop();
  const control = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${control}/_requests`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const post = async (route: string, body?: unknown) => {
    const r = await fetch(`${control}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) });
    if (!r.ok) throw new Error(`fake ${route}: ${r.status} ${await r.text()}`);
  };
  return {
    network: sessionNet,
    baseUrl: "http://fake-anthropic:8080",
    control,
    script: (turns) => post("/_script", turns),
    requests: async () => {
      const body = (await (await fetch(`${control}/_requests`)).json()) as { requests?: unknown[] } | unknown[];
      return (Array.isArray(body) ? body : (body.requests ?? [])) as { path: string; body: any }[];
    },
    reset: () => post("/_reset"),
    stop: () => {
      for (const args of [["rm", "-f", name], ["network", "rm", sessionNet], ["network", "rm", controlNet]]) {
        try {
          docker(...args);
        } catch {
          // already gone
        }
      }
    },
  };
}

/** Remove every container a test server left behind under `builddir`. */
export function removeSessionContainers(builddir: string): void {
  const ids = docker("ps", "-aq", "--filter", `label=hero_claude.builddir=${builddir}`).split("\n").filter(Boolean);
  if (ids.length) docker("rm", "-f", ...ids);
}
