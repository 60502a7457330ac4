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
  if (process.env.HC_DEBUG) console.log("docker", args.join(" "));
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
  /** The internal network sessions must join (HERO_CLAUDE_NETWORK): it reaches nothing but the fake. */
  network: string;
  /** ANTHROPIC_BASE_URL as seen from a session container. */
  baseUrl: string;
  script: (turns: unknown[]) => Promise<void>;
  requests: () => Promise<{ path: string; body: any }[]>;
  reset: () => Promise<void>;
  stop: () => void;
}

/**
 * Start the scripted fake Anthropic API in a container on an internal network the test owns.
 * The test controls it through `docker exec … curl` on the fake's own loopback: no port is published.
 */
export async function startFakeModel(): Promise<FakeModel> {
  const tag = randomBytes(3).toString("hex");
  const network = `hc-test-${tag}`;
  const name = `hc-test-fake-${tag}`;
  docker("network", "create", "--internal", "--label", "hero_claude.test=1", network);
  docker(
    "run", "-d", "--name", name, "--label", "hero_claude.test=1",
    "--network", network, "--network-alias", "fake-anthropic",
    "--user", "1000:1000", "--read-only", "--cap-drop", "ALL",
    "-v", `${FAKE_SCRIPT}:/fake/anthropic-fake.mjs:ro`,
    "--entrypoint", "node", IMAGE, "/fake/anthropic-fake.mjs", "--port", "8080", "--host", "0.0.0.0",
  );
  const control = (method: string, route: string, body?: unknown): string => {
    const args = ["exec", "-i", name, "curl", "-sS", "--fail-with-body", "-m", "10", "-X", method, `http://127.0.0.1:8080${route}`];
    if (body !== undefined) args.push("-H", "content-type: application/json", "--data-binary", "@-");
    return execFileSync("docker", args, { input: body === undefined ? "" : JSON.stringify(body), encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
  };
  for (let i = 0; ; i++) {
    try {
      control("GET", "/_requests");
      break;
    } catch (err) {
      if (i > 100) throw new Error(`the fake model did not come up: ${(err as Error).message}\n${docker("logs", name)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    network,
    baseUrl: "http://fake-anthropic:8080",
    script: async (turns) => void control("POST", "/_script", turns),
    requests: async () => {
      const body = JSON.parse(control("GET", "/_requests")) as { requests?: unknown[] } | unknown[];
      return (Array.isArray(body) ? body : (body.requests ?? [])) as { path: string; body: any }[];
    },
    reset: async () => void control("POST", "/_reset", {}),
    stop: () => {
      for (const args of [["rm", "-f", name], ["network", "rm", network]]) {
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
