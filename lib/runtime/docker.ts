/** Docker Engine API through dockerode (also Podman's compatible socket; honours DOCKER_HOST). */
import Docker from "dockerode";
import type { ContainerRuntime, RuntimeStatus } from "./index";

export class DockerRuntime implements ContainerRuntime {
  readonly kind = "docker" as const;
  readonly docker: Docker;

  constructor(docker?: Docker) {
    this.docker = docker ?? new Docker({ timeout: 5000 } as Docker.DockerOptions);
  }

  async status(): Promise<RuntimeStatus> {
    try {
      const v = await this.docker.version();
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
}
