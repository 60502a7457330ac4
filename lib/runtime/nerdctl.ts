/** nerdctl through its CLI, always with an argument array. */
import { execFile } from "node:child_process";
import type { ContainerRuntime, RuntimeStatus } from "./index";

function nerdctl(args: string[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("nerdctl", args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(stderr.trim() || err.message));
      else resolve(stdout);
    });
  });
}

export class NerdctlRuntime implements ContainerRuntime {
  readonly kind = "nerdctl" as const;

  async status(): Promise<RuntimeStatus> {
    try {
      const out = JSON.parse(await nerdctl(["version", "--format", "{{json .}}"]));
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
}
