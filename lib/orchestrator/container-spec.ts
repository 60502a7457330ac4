/** The container a session runs in: hardened by default (CONTRACT.md, "Files"; issue "runtime"). */
import { existsSync } from "node:fs";
import type { Config } from "../config";
import type { ContainerSpec } from "../runtime";
import type { SessionPaths } from "./paths";
import type { StoredSession } from "./store";

export const LABEL_SESSION = "hero_claude.session";
export const LABEL_BUILDDIR = "hero_claude.builddir";
export const AGENT_HOME = "/home/agent";
export const WORKDIR = "/workspace/code";

export function containerName(id: string): string {
  return `hero-claude-${id}`;
}

export function agentUser(config: Config): string {
  return `${config.agentUid}:${config.agentGid}`;
}

/** The spec for a session's container; `ociRuntime` only when the engine offers it. */
export function sessionContainerSpec(config: Config, s: StoredSession, p: SessionPaths, ociRuntime?: string): ContainerSpec {
  const mounts: ContainerSpec["mounts"] = [
    { source: p.code, target: WORKDIR, readOnly: false },
    { source: p.claude, target: `${AGENT_HOME}/.claude`, readOnly: false },
  ];
  // Never let the engine create a missing host path (it would, as root): mount only what exists.
  if (existsSync(config.claudeConfigDir)) mounts.push({ source: config.claudeConfigDir, target: "/workspace/.claude", readOnly: true });
  const owner = `uid=${config.agentUid},gid=${config.agentGid}`;
  return {
    name: containerName(s.id),
    image: s.image,
    user: agentUser(config),
    workdir: WORKDIR,
    env: { HOME: AGENT_HOME, CLAUDE_CONFIG_DIR: `${AGENT_HOME}/.claude`, HERO_CLAUDE_SESSION: s.id },
    labels: { [LABEL_SESSION]: s.id, [LABEL_BUILDDIR]: config.builddir },
    mounts,
    tmpfs: {
      "/tmp": "rw,nosuid,nodev,size=1g,mode=1777",
      [AGENT_HOME]: `rw,nosuid,nodev,size=2g,mode=0755,${owner}`,
    },
    cpu: s.cpu,
    memoryBytes: Math.round(s.memory_gb * 1024 ** 3),
    pidsLimit: config.pidsLimit,
    network: config.network,
    ociRuntime,
  };
}
