/** Ownership of what host-side code writes into a session copy (the sandbox user must own it). */
import { lstatSync, readdirSync } from "node:fs";
import { lchown } from "node:fs/promises";
import path from "node:path";
import { runningAsRoot, type Owner } from "./rsync";

/**
 * Give every entry at or below each of `paths` to `owner` (symlinks themselves, never followed),
 * touching only entries that differ. A no-op unless running as root with an owner.
 */
export async function fixOwnership(paths: readonly string[], owner: Owner | undefined): Promise<void> {
  if (!owner || !runningAsRoot()) return;
  const pending: string[] = [...paths];
  while (pending.length > 0) {
    const p = pending.pop() as string;
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.uid !== owner.uid || st.gid !== owner.gid) await lchown(p, owner.uid, owner.gid);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) pending.push(path.join(p, name));
    }
  }
}
