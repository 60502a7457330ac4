/** Container engines behind one interface: Docker Engine API (dockerode) or nerdctl (its CLI). */
import type { Config } from "../config";
import { DockerRuntime } from "./docker";
import { NerdctlRuntime } from "./nerdctl";

export interface RuntimeStatus {
  kind: "docker" | "nerdctl";
  reachable: boolean;
  version: string | null;
  error?: string;
}

/** Live status of one container, as session.info shows it. */
export interface ContainerStatus {
  id: string;
  status: string;
  running: boolean;
  started_at: string | null;
  exit_code: number | null;
  cpu_percent: number | null;
  memory_bytes: number | null;
  memory_limit_bytes: number | null;
  pids: number | null;
}

/** Everything needed to create a session container; the engine adapters only translate it. */
export interface ContainerSpec {
  name: string;
  image: string;
  user: string;
  workdir: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  mounts: { source: string; target: string; readOnly: boolean }[];
  tmpfs: Record<string, string>;
  cpu: number;
  memoryBytes: number;
  pidsLimit: number;
  network?: string;
  /** An OCI runtime such as `runsc` (gVisor); the engine default when unset. */
  ociRuntime?: string;
}

export interface ExecOptions {
  command: string[];
  user: string;
  cwd: string;
  env?: Record<string, string>;
  timeoutMs: number;
  /** Per stream; beyond it the output is cut with a marker. */
  maxOutputBytes: number;
}

export interface ExecResult {
  exit_code: number;
  stdout: string;
  stderr: string;
  duration_ms: number;
  timed_out: boolean;
}

/** A process started in a container whose output is streamed (the agent). */
export interface StreamedProcess {
  /** Resolves with the exit code once the process ended and its output was delivered. */
  done: Promise<number>;
}

export interface ContainerSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
  running: boolean;
}

export interface ContainerRuntime {
  readonly kind: "docker" | "nerdctl";
  /** Really asks the engine; never throws. */
  status(): Promise<RuntimeStatus>;
  /** Whether the image exists locally; false when the engine is unreachable. */
  imagePresent(image: string): Promise<boolean>;
  /** Create and start; returns the container id. */
  run(spec: ContainerSpec): Promise<string>;
  /** Start an existing, stopped container. */
  start(id: string): Promise<void>;
  /** Stop gracefully, killing after `timeoutS`; no error when already stopped. */
  stop(id: string, timeoutS: number): Promise<void>;
  /** Freeze every process in the container (cgroup freezer); no error when already paused. */
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  /** Remove (forcefully); no error when already gone. */
  remove(id: string): Promise<void>;
  /** Status with resource use; null when the engine does not know the container. */
  inspect(id: string, withStats: boolean): Promise<ContainerStatus | null>;
  /** Containers carrying every given label. */
  list(labels: Record<string, string>): Promise<ContainerSummary[]>;
  exec(id: string, opts: ExecOptions): Promise<ExecResult>;
  /** Run a process and hand its output lines as they come. */
  execStream(
    id: string,
    opts: Omit<ExecOptions, "timeoutMs" | "maxOutputBytes">,
    onStdout: (chunk: string) => void,
    onStderr: (chunk: string) => void,
  ): Promise<StreamedProcess>;
  /** Follow the container's own output from now on, until it stops; returns a stopper. */
  followLogs(id: string, onChunk: (text: string) => void): Promise<() => void>;
}

export function createRuntime(config: Config): ContainerRuntime {
  return config.runtime === "nerdctl" ? new NerdctlRuntime() : new DockerRuntime();
}

/** One line telling a user how to get the engine running. */
export const START_ENGINE_HINT =
  "start the container engine (as root: `make docker`, or `sudo systemctl start docker`) or set DOCKER_HOST";

/** Cut a string to `max` bytes with a marker saying how much was dropped. */
export function capOutput(buf: Buffer, total: number, max: number): string {
  const text = buf.subarray(0, max).toString("utf8");
  return total > max ? `${text}\n[hero_claude: output truncated, ${total - max} more bytes not shown]` : text;
}

/** Wrap a command so the engine kills it (and its children) at the deadline: exit 124 means timed out. */
export function withTimeout(command: string[], timeoutMs: number): string[] {
  const s = Math.max(1, Math.ceil(timeoutMs / 1000));
  return ["timeout", "--kill-after=2", String(s), ...command];
}
