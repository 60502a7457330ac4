/** Unix socket files: a stale one is replaced, a live one is never stolen, permissions are 0600 (0660 with a group). */
import { readFileSync } from "node:fs";
import { chmod, chown, lstat, mkdir, unlink } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { Server } from "node:http";

export class SocketInUse extends Error {}

/** Whether something accepts connections on the socket at `p`. */
function socketAlive(p: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(p);
    const done = (alive: boolean) => {
      s.destroy();
      resolve(alive);
    };
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
    s.setTimeout(1000, () => done(true));
  });
}

/** Make `p` free to listen on: create its directory, remove a stale socket, refuse a live one. */
export async function claimSocketPath(p: string): Promise<void> {
  await mkdir(path.dirname(p), { recursive: true, mode: 0o700 });
  let st;
  try {
    st = await lstat(p);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new SocketInUse(`${p} exists and is not a socket; remove it or set HERO_SOCKET_DIR elsewhere`);
  if (await socketAlive(p)) {
    throw new SocketInUse(`another hero_claude is already listening on ${p}; stop it first (hero-claude stop)`);
  }
  await unlink(p);
}

function gidOf(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  const line = readFileSync("/etc/group", "utf8")
    .split("\n")
    .find((l) => l.split(":")[0] === group);
  if (!line) throw new Error(`HERO_SOCKET_GROUP=${group}: no such group; create it or unset HERO_SOCKET_GROUP`);
  return Number(line.split(":")[2]);
}

/** Listen on a Unix socket that is never, even briefly, wider than its final mode. */
export async function listenOnSocket(server: Server, p: string, group?: string): Promise<void> {
  await claimSocketPath(p);
  const previous = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(p, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } finally {
    process.umask(previous);
  }
  if (group) {
    await chown(p, process.getuid?.() ?? 0, gidOf(group));
    await chmod(p, 0o660);
  } else {
    await chmod(p, 0o600);
  }
}

/** Remove a socket file we created; ignore it being gone already. */
export async function removeSocket(p: string): Promise<void> {
  await unlink(p).catch(() => {});
}
