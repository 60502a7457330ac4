/** nerdctl through its CLI (DOCKER_RUNTIME=nerdctl), always with an argument array, never a shell. */
import { execFile, spawn } from "node:child_process";
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

function nerdctl(args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("nerdctl", args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(stderr.trim() || err.message));
      else resolve(stdout);
    });
  });
}

/** `nerdctl run -d` arguments for a session container: the same hardening as the Docker engine's. */
export function runArgs(spec: ContainerSpec): string[] {
  const args = ["run", "-d", "--name", spec.name, "--user", spec.user, "--workdir", spec.workdir];
  args.push("--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges");
  args.push("--cpus", String(spec.cpu), "--memory", `${spec.memoryBytes}b`, "--memory-swap", `${spec.memoryBytes}b`);
  args.push("--pids-limit", String(spec.pidsLimit), "--restart", "no");
  if (spec.network) args.push("--network", spec.network);
  if (spec.ociRuntime) args.push("--runtime", spec.ociRuntime);
  for (const [k, v] of Object.entries(spec.labels)) args.push("--label", `${k}=${v}`);
  for (const [k, v] of Object.entries(spec.env)) args.push("--env", `${k}=${v}`);
  for (const m of spec.mounts) args.push("--volume", `${m.source}:${m.target}:${m.readOnly ? "ro" : "rw"}`);
  for (const [target, opts] of Object.entries(spec.tmpfs)) args.push("--tmpfs", `${target}:${opts}`);
  args.push("--", spec.image);
  return args;
}

function execArgs(id: string, opts: { user: string; cwd: string; env?: Record<string, string> }, command: string[]): string[] {
  const args = ["exec", "--user", opts.user, "--workdir", opts.cwd];
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push("--env", `${k}=${v}`);
  return [...args, id, ...command];
}

export class NerdctlRuntime implements ContainerRuntime {
  readonly kind = "nerdctl" as const;

  async status(): Promise<RuntimeStatus> {
    try {
      const out = JSON.parse(await nerdctl(["version", "--format", "{{json .}}"], 5000));
      return { kind: this.kind, reachable: true, version: out?.Client?.Version ?? null };
    } catch (err) {
      return { kind: this.kind, reachable: false, version: null, error: (err as Error).message };
    }
  }

  async imagePresent(image: string): Promise<boolean> {
    try {
      await nerdctl(["image", "inspect", "--", image]);
      return true;
    } catch {
      return false;
    }
  }

  async run(spec: ContainerSpec): Promise<string> {
    return (await nerdctl(runArgs(spec))).trim();
  }

  async start(id: string): Promise<void> {
    await nerdctl(["start", id]);
  }

  async stop(id: string, timeoutS: number): Promise<void> {
    await nerdctl(["stop", "--time", String(timeoutS), id]).catch((err: Error) => {
      if (!/no such container|not found/i.test(err.message)) throw err;
    });
  }

  async pause(id: string): Promise<void> {
    await nerdctl(["pause", id]).catch((err: Error) => {
      if (!/already paused/i.test(err.message)) throw err;
    });
  }

  async unpause(id: string): Promise<void> {
    await nerdctl(["unpause", id]).catch((err: Error) => {
      if (!/not paused/i.test(err.message)) throw err;
    });
  }

  async remove(id: string): Promise<void> {
    await nerdctl(["rm", "--force", id]).catch((err: Error) => {
      if (!/no such container|not found/i.test(err.message)) throw err;
    });
  }

  async inspect(id: string, withStats: boolean): Promise<ContainerStatus | null> {
    let info;
    try {
      info = JSON.parse(await nerdctl(["inspect", "--type", "container", id]))[0];
    } catch (err) {
      if (/no such|not found/i.test((err as Error).message)) return null;
      throw err;
    }
    if (!info) return null;
    const out: ContainerStatus = {
      id: info.Id,
      status: info.State?.Status ?? "unknown",
      running: Boolean(info.State?.Running),
      started_at: info.State?.StartedAt || null,
      exit_code: info.State?.Running ? null : (info.State?.ExitCode ?? null),
      cpu_percent: null,
      memory_bytes: null,
      memory_limit_bytes: null,
      pids: null,
    };
    if (withStats && out.running) {
      try {
        const st = JSON.parse(await nerdctl(["stats", "--no-stream", "--format", "{{json .}}", id]));
        out.cpu_percent = Number.parseFloat(String(st.CPUPerc ?? "").replace("%", "")) || 0;
        out.pids = Number(st.PIDs) || null;
      } catch {
        // Stats are best effort.
      }
    }
    return out;
  }

  async list(labels: Record<string, string>): Promise<ContainerSummary[]> {
    const args = ["ps", "--all", "--no-trunc", "--format", "{{json .}}"];
    for (const [k, v] of Object.entries(labels)) args.push("--filter", `label=${k}=${v}`);
    const lines = (await nerdctl(args)).split("\n").filter(Boolean);
    return lines.map((l) => {
      const c = JSON.parse(l);
      const labelMap = Object.fromEntries(
        String(c.Labels ?? "")
          .split(",")
          .filter(Boolean)
          .map((kv: string) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
      );
      return { id: c.ID, name: c.Names, labels: labelMap, running: /^up/i.test(String(c.Status)) };
    });
  }

  exec(id: string, opts: ExecOptions): Promise<ExecResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn("nerdctl", execArgs(id, opts, withTimeout(opts.command, opts.timeoutMs)), { stdio: ["ignore", "pipe", "pipe"] });
      const collect = (s: NodeJS.ReadableStream) => {
        const chunks: Buffer[] = [];
        let total = 0;
        s.on("data", (b: Buffer) => {
          if (total < opts.maxOutputBytes) chunks.push(b);
          total += b.length;
        });
        return () => capOutput(Buffer.concat(chunks), total, opts.maxOutputBytes);
      };
      const out = collect(child.stdout);
      const err = collect(child.stderr);
      child.on("error", reject);
      child.on("close", (code) => {
        const duration = Date.now() - started;
        const exit = code ?? -1;
        resolve({
          exit_code: exit,
          stdout: out(),
          stderr: err(),
          duration_ms: duration,
          timed_out: (exit === 124 || exit === 137) && duration >= opts.timeoutMs - 50,
        });
      });
    });
  }

  async execStream(
    id: string,
    opts: Omit<ExecOptions, "timeoutMs" | "maxOutputBytes">,
    onStdout: (chunk: string) => void,
    onStderr: (chunk: string) => void,
  ): Promise<StreamedProcess> {
    const child = spawn("nerdctl", execArgs(id, opts, opts.command), { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.setEncoding("utf8").on("data", onStdout);
    child.stderr.setEncoding("utf8").on("data", onStderr);
    return { done: new Promise((resolve) => child.on("close", (code) => resolve(code ?? -1))) };
  }

  async followLogs(id: string, onChunk: (text: string) => void): Promise<() => void> {
    const child = spawn("nerdctl", ["logs", "--follow", "--timestamps", "--since", "1s", id], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.setEncoding("utf8").on("data", onChunk);
    child.stderr.setEncoding("utf8").on("data", onChunk);
    child.on("error", () => {});
    return () => child.kill();
  }
}
