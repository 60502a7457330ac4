/**
 * Workspaces: each session's private copy of repositories.
 * - `copyRepo` makes the copy (one rsync pass), `recordBase` remembers what it started from;
 * - `syncRepo` brings upstream changes in without losing session changes;
 * - `trashWorkspace` keeps unsaved work before a copy is destroyed; `pruneTrash` expires it.
 * CODEROOT is only ever read.
 */
export { copyRepo, DEFAULT_EXCLUDES, runningAsRoot, type CopyRepoOptions, type Owner } from "./rsync";
export {
  BASE_REF,
  loadBase,
  recordBase,
  saveBase,
  UPSTREAM_REF_PREFIX,
  type BaseFile,
  type RepoBase,
} from "./base";
export { fetchUpstream, syncRepo, upstreamRefsStamp, type SyncRepoOptions, type SyncResult } from "./sync";
export { pruneTrash, trashWorkspace, type TrashOptions, type TrashResult } from "./trash";
export { listRepoDirs } from "./repos";
export { compileExcludes, type FileStat } from "./tree";
