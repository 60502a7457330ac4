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

export interface ContainerRuntime {
  readonly kind: "docker" | "nerdctl";
  /** Really asks the engine; never throws. */
  status(): Promise<RuntimeStatus>;
  /** Whether the image exists locally; false when the engine is unreachable. */
  imagePresent(image: string): Promise<boolean>;
}

export function createRuntime(config: Config): ContainerRuntime {
  return config.runtime === "nerdctl" ? new NerdctlRuntime() : new DockerRuntime();
}

/** One line telling a user how to get the engine running. */
export const START_ENGINE_HINT =
  "start the container engine (as root: `make docker`, or `sudo systemctl start docker`) or set DOCKER_HOST";
