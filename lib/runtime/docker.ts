/** Docker Engine API through dockerode (also Podman's compatible socket; honours DOCKER_HOST). */
import { PassThrough } from "node:stream";
import Docker from "dockerode";
import {
  capOutput,
  withTimeout,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerStatus,
  type ContainerSummary,
  type ExecOptions,
  type ExecResult,
  type RuntimeStatus,
  type StreamedProcess,
} from "./index";

const notFound = (err: unknown) => (err as { statusCode?: number }).statusCode === 404;
const notModified = (err: unknown) => (err as { statusCode?: number }).statusCode === 304;

function envList(env: Record<string, string> | undefined): string[] {
  return Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`);
}

/** The Engine API body for a session container: hardened by default. */
export function createOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: spec.image,
    User: spec.user,
    WorkingDir: spec.workdir,
    Env: envList(spec.env),
    Labels: spec.labels,
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      Binds: spec.mounts.map((m) => `${m.source}:${m.target}:${m.readOnly ? "ro" : "rw"}`),
      Tmpfs: spec.tmpfs,
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      Privileged: false,
      NanoCpus: Math.round(spec.cpu * 1e9),
      Memory: spec.memoryBytes,
      MemorySwap: spec.memoryBytes,
      PidsLimit: spec.pidsLimit,
      NetworkMode: spec.network ?? "bridge",
      ...(spec.ociRuntime ? { Runtime: spec.ociRuntime } : {}),
      RestartPolicy: { Name: "no" },
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "2" } },
    },
  };
}

/** The exit code of an exec once the engine reports it ended (read after its stream closed); -1 if never. */
async function exitCodeOf(exec: Docker.Exec, tries: number, delayMs: number): Promise<number> {
  for (let i = 0; i < tries; i++) {
    try {
      const info = await exec.inspect();
      if (!info.Running) return info.ExitCode ?? -1;
    } catch {
      return -1;
    }
    await new Promise((r) => setTimeout(r, delayMs));
  }
  return -1;
}

export class DockerRuntime implements ContainerRuntime {
  readonly kind = "docker" as const;
  readonly docker: Docker;

  constructor(docker?: Docker) {
    this.docker = docker ?? new Docker({ timeout: 30_000 } as Docker.DockerOptions);
  }

  async status(): Promise<RuntimeStatus> {
    try {
      const v = await Promise.race([
        this.docker.version(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer from the engine in 3 s")), 3000)),
      ]);
      return { kind: this.kind, reachable: true, version: v.Version ?? null };
    } catch (err) {
      return { kind: this.kind, reachable: false, version: null, error: (err as Error).message };
    }
  }

  async imagePresent(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch {
      return false;
    }
  }

  async run(spec: ContainerSpec): Promise<string> {
    const c = await this.docker.createContainer(createOptions(spec));
    try {
      await c.start();
    } catch (err) {
      await c.remove({ force: true }).catch(() => {});
      throw err;
    }
    return c.id;
  }

  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (!notModified(err)) throw err;
    }
  }

  async stop(id: string, timeoutS: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: timeoutS });
    } catch (err) {
      if (!notModified(err) && !notFound(err)) throw err;
    }
  }

  async pause(id: string): Promise<void> {
    const info = await this.docker.getContainer(id).inspect();
    if (info.State.Running && !info.State.Paused) await this.docker.getContainer(id).pause();
  }

  async unpause(id: string): Promise<void> {
    const info = await this.docker.getContainer(id).inspect().catch(() => null);
    if (info?.State.Paused) await this.docker.getContainer(id).unpause();
  }

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }

  async inspect(id: string, withStats: boolean): Promise<ContainerStatus | null> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
    const out: ContainerStatus = {
      id: info.Id,
      status: info.State.Status,
      running: info.State.Running,
      started_at: info.State.StartedAt && !info.State.StartedAt.startsWith("0001") ? info.State.StartedAt : null,
      exit_code: info.State.Running ? null : info.State.ExitCode,
      cpu_percent: null,
      memory_bytes: null,
      memory_limit_bytes: null,
      pids: null,
    };
    if (withStats && info.State.Running) {
      try {
        const st = (await this.docker.getContainer(id).stats({ stream: false })) as Docker.ContainerStats;
        const cpuDelta = st.cpu_stats.cpu_usage.total_usage - st.precpu_stats.cpu_usage.total_usage;
        const sysDelta = (st.cpu_stats.system_cpu_usage ?? 0) - (st.precpu_stats.system_cpu_usage ?? 0);
        const cpus = st.cpu_stats.online_cpus ?? st.cpu_stats.cpu_usage.percpu_usage?.length ?? 1;
        out.cpu_percent = sysDelta > 0 && cpuDelta >= 0 ? Math.round((cpuDelta / sysDelta) * cpus * 10000) / 100 : 0;
        out.memory_bytes = st.memory_stats.usage ?? null;
        out.memory_limit_bytes = st.memory_stats.limit ?? null;
        out.pids = (st as unknown as { pids_stats?: { current?: number } }).pids_stats?.current ?? null;
      } catch {
        // Stats are best effort; the status above is what matters.
      }
    }
    return out;
  }

  async list(labels: Record<string, string>): Promise<ContainerSummary[]> {
    const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
    const cs = await this.docker.listContainers({ all: true, filters: JSON.stringify(filters) });
    return cs.map((c) => ({ id: c.Id, name: (c.Names[0] ?? "").replace(/^\//, ""), labels: c.Labels, running: c.State === "running" }));
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecResult> {
    const started = Date.now();
    const { exec, stream } = await this.startExec(id, { ...opts, command: withTimeout(opts.command, opts.timeoutMs) });
    const collect = () => {
      const chunks: Buffer[] = [];
      let total = 0;
      const sink = new PassThrough();
      sink.on("data", (b: Buffer) => {
        if (total < opts.maxOutputBytes) chunks.push(b);
        total += b.length;
      });
      return { sink, text: () => capOutput(Buffer.concat(chunks), total, opts.maxOutputBytes) };
    };
    const out = collect();
    const err = collect();
    this.docker.modem.demuxStream(stream, out.sink, err.sink);
    let backstop: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
      // The in-container `timeout` kills the process; this only guards a stuck stream.
      backstop = setTimeout(() => {
        stream.destroy();
        resolve();
      }, opts.timeoutMs + 15_000);
    });
    clearTimeout(backstop);
    const exitCode = await exitCodeOf(exec, 50, 20);
    const duration = Date.now() - started;
    const timedOut = (exitCode === 124 || exitCode === 137) && duration >= opts.timeoutMs - 50;
    return { exit_code: exitCode, stdout: out.text(), stderr: err.text(), duration_ms: duration, timed_out: timedOut };
  }

  async execStream(
    id: string,
    opts: Omit<ExecOptions, "timeoutMs" | "maxOutputBytes">,
    onStdout: (chunk: string) => void,
    onStderr: (chunk: string) => void,
  ): Promise<StreamedProcess> {
    const { exec, stream } = await this.startExec(id, opts);
    const out = new PassThrough();
    const err = new PassThrough();
    out.setEncoding("utf8").on("data", onStdout);
    err.setEncoding("utf8").on("data", onStderr);
    this.docker.modem.demuxStream(stream, out, err);
    const done = new Promise<number>((resolve) => {
      let ended = false;
      const once = () => {
        if (ended) return;
        ended = true;
        void exitCodeOf(exec, 100, 50).then(resolve);
      };
      stream.on("end", once);
      stream.on("close", once);
      stream.on("error", once);
    });
    return { done };
  }

  /** Create and start an exec with stdout/stderr attached (multiplexed on the returned stream). */
  private async startExec(id: string, opts: { command: string[]; user: string; cwd: string; env?: Record<string, string> }) {
    const exec = await this.docker.getContainer(id).exec({
      Cmd: opts.command,
      User: opts.user,
      WorkingDir: opts.cwd,
      Env: envList(opts.env),
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    return { exec, stream };
  }

  async followLogs(id: string, onChunk: (text: string) => void): Promise<() => void> {
    const stream = (await this.docker.getContainer(id).logs({
      follow: true,
      stdout: true,
      stderr: true,
      since: Math.floor(Date.now() / 1000),
      timestamps: true,
    })) as unknown as NodeJS.ReadableStream & { destroy: () => void };
    const sink = new PassThrough();
    sink.setEncoding("utf8").on("data", onChunk);
    this.docker.modem.demuxStream(stream, sink, sink);
    stream.on("error", () => {});
    return () => stream.destroy();
  }
}
