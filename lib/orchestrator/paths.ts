/** Where a session's files live under BUILDDIR (CONTRACT.md, "Files"). */
import path from "node:path";

export const TRASH_DIR = ".trash";
export const OPLOG_DIR = ".oplog";
/** A session directory renamed to this prefix is being deleted; start-up finishes the job. */
export const DESTROYING_PREFIX = ".tmp-destroy-";

export type LogKind = "rsync" | "claude" | "container";
export const LOG_KINDS: readonly LogKind[] = ["rsync", "claude", "container"];

export function sessionPaths(builddir: string, id: string) {
  const root = path.join(builddir, id);
  return {
    root,
    code: path.join(root, "code"),
    state: path.join(root, "state"),
    record: path.join(root, "state", "session.json"),
    containerId: path.join(root, "state", "container_id"),
    claude: path.join(root, "state", "claude"),
    bases: path.join(root, "state", "base"),
    transcript: path.join(root, "state", "transcript.jsonl"),
    logs: path.join(root, "logs"),
    log: (kind: LogKind) => path.join(root, "logs", `${kind}.log`),
    /** The recorded base of one repo (its name may hold a `/`). */
    base: (repo: string) => path.join(root, "state", "base", `${encodeURIComponent(repo)}.json`),
    repo: (repo: string) => path.join(root, "code", repo),
    trash: path.join(builddir, TRASH_DIR, id),
  };
}

export type SessionPaths = ReturnType<typeof sessionPaths>;
