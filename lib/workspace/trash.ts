/**
 * Keep a session's unsaved work before its copy is destroyed, and expire old keepsakes.
 * - a repository needs keeping when it has commits on no remote-tracking branch, not upstream
 *   (`refs/hero-claude/*`) and not in the base head's history, or any uncommitted or untracked
 *   (non-ignored) change;
 * - what is kept per repository: a bundle of all refs, a binary-safe patch of tracked changes
 *   against HEAD, a copy of the untracked files, the status, and a README on how to restore;
 * - git runs in the copy only, with its filter drivers switched off (the agent could have set them).
 */
import { cp, lstat, mkdir, readdir, rm, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { OperationFailed } from "../errors";
import { copyGit, type CopyGit } from "./git";
import { listRepoDirs } from "./repos";

export interface TrashOptions {
  /** The session's code dir (`$BUILDDIR/<id>/code`). */
  codeDir: string;
  /** Where this session's keepsake goes, e.g. `$BUILDDIR/.trash/<id>-<time>`; siblings are pruned. */
  trashDir: string;
  /** Keepsakes in the same trash root older than this are removed. */
  keepDays: number;
  /** The base head of each repository (recordBase().head), by repository name. */
  baseHeads?: Record<string, string | null | undefined>;
  onLine?: (line: string) => void;
}

export interface TrashResult {
  kept: boolean;
  path: string;
  repos: string[];
}

const DAY_MS = 86_400_000;

/** The rev-list arguments for commits of the copy that exist nowhere upstream. */
function unpushedRange(baseHead: string | null | undefined): string[] {
  const args = ["--all", "--not", "--remotes", "--glob=refs/hero-claude/*"];
  if (baseHead && /^[0-9a-f]{40,64}$/.test(baseHead)) args.push(baseHead);
  return args;
}

interface RepoWork {
  statusZ: string;
  commits: string[];
}

/** What in the copy at `dir` exists nowhere else (null when git cannot read it: keep everything). */
async function inspect(g: CopyGit, baseHead: string | null | undefined): Promise<RepoWork | null> {
  const [status, commits] = await Promise.all([
    g.raw(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=all", "--no-renames"]),
    g.raw(["rev-list", "--max-count=200", "--format=%h %s", ...unpushedRange(baseHead), "--"]),
  ]);
  if (status.code !== 0 || commits.code !== 0) return null;
  return {
    statusZ: status.stdout,
    commits: commits.stdout.split("\n").filter((l) => l && !l.startsWith("commit ")),
  };
}

function readme(repo: string, head: string | null, files: string[], keepDays: number): string {
  const lines = [
    `hero_claude kept this work from the session copy of "${repo}" before the session was destroyed`,
    `(${new Date().toISOString()}). It is removed automatically after ${keepDays} days.`,
    "",
    "Files:",
    ...files.map((f) => `  ${f}`),
    "",
    "Restore, inside a checkout of the repository:",
    "  git fetch /path/to/this/dir/repo.bundle 'refs/heads/*:refs/remotes/hero-claude-trash/*'",
    "  git log --oneline refs/remotes/hero-claude-trash/<branch>   # or: git clone repo.bundle restored",
    `  git checkout ${head ?? "<commit>"}                               # the commit the patch applies to`,
    "  git apply --binary uncommitted.patch                       # add --index to stage it too",
    "  cp -a untracked/. .                                        # untracked files",
    "",
  ];
  return lines.join("\n");
}

/** Save one repository's unsaved work into `out`. */
async function keepRepo(dir: string, out: string, g: CopyGit, work: RepoWork | null, repo: string, keepDays: number): Promise<void> {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const files: string[] = [];
  if (work === null) {
    // git could not read the copy: keep the whole directory as it is.
    await cp(dir, path.join(out, "copy"), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    files.push("copy/              the whole repository directory (git could not read it)");
    await writeFile(path.join(out, "README.txt"), readme(repo, null, files, keepDays));
    return;
  }
  const head = await g.raw(["rev-parse", "--verify", "-q", "HEAD^{commit}"]);
  const headSha = head.code === 0 ? head.stdout.trim() : null;
  const anyRef = await g.run(["for-each-ref", "--count=1", "--format=%(refname)"]);
  if (anyRef.trim() || headSha) {
    await g.run(["bundle", "create", "-q", path.join(out, "repo.bundle"), "--all"]);
    files.push("repo.bundle        every branch, tag and commit of the copy (git bundle --all)");
  }
  const against = headSha ?? (await g.run(["hash-object", "-t", "tree", "--stdin"], { input: "" })).trim();
  const patch = await g.run([
    "diff", "--binary", "--no-ext-diff", "--no-textconv", "--no-color", "--ignore-submodules=all", "--no-renames", against, "--",
  ]);
  if (patch.length > 0) {
    await writeFile(path.join(out, "uncommitted.patch"), patch);
    files.push(`uncommitted.patch  tracked changes not committed, against ${headSha ?? "the empty tree"} (git apply --binary)`);
  }
  const untracked = (await g.run(["ls-files", "--others", "--exclude-standard", "-z"])).split("\0").filter(Boolean);
  for (const rel of untracked) {
    const clean = rel.replace(/\/+$/, "");
    if (clean.split("/").some((s) => s === ".." || s === "")) continue;
    await cp(path.join(dir, clean), path.join(out, "untracked", clean), {
      recursive: true,
      verbatimSymlinks: true,
      preserveTimestamps: true,
      errorOnExist: false,
    });
  }
  if (untracked.length > 0) files.push(`untracked/         ${untracked.length} untracked file(s), as they were`);
  const status = work.statusZ.split("\0").filter(Boolean);
  await writeFile(
    path.join(out, "status.txt"),
    [`HEAD ${headSha ?? "(no commits)"}`, "", "git status --porcelain:", ...status, "", "commits found nowhere upstream:", ...work.commits, ""].join("\n"),
  );
  files.push("status.txt         git status and the commits not found upstream");
  await writeFile(path.join(out, "README.txt"), readme(repo, headSha, files, keepDays));
}

/**
 * Before a session is destroyed: keep every repository of `codeDir` that holds work found nowhere
 * upstream under `trashDir/<repo>/`. Old keepsakes next to `trashDir` are pruned first.
 * Returns kept:false (and writes nothing) when there is nothing to keep.
 */
export async function trashWorkspace(opts: TrashOptions): Promise<TrashResult> {
  const trashDir = path.resolve(opts.trashDir);
  const onLine = opts.onLine ?? (() => {});
  await pruneTrash(path.dirname(trashDir), opts.keepDays, { except: path.basename(trashDir) });
  const kept: string[] = [];
  for (const repo of await listRepoDirs(opts.codeDir)) {
    const dir = path.join(path.resolve(opts.codeDir), repo);
    let g: CopyGit;
    let work: RepoWork | null;
    try {
      g = await copyGit(dir, { neutraliseFilters: true });
      work = await inspect(g, opts.baseHeads?.[repo]);
    } catch (e) {
      if (!(e instanceof OperationFailed)) throw e;
      g = await copyGit(dir);
      work = null;
    }
    if (work && work.statusZ.length === 0 && work.commits.length === 0) continue;
    onLine(`trash: keeping ${repo} (${work === null ? "unreadable by git" : `${work.commits.length} commit(s) not upstream, ${work.statusZ.split("\0").filter(Boolean).length} changed path(s)`})`);
    await keepRepo(dir, path.join(trashDir, repo), g, work, repo, opts.keepDays);
    kept.push(repo);
  }
  if (kept.length === 0) await rmdir(trashDir).catch(() => {});
  return { kept: kept.length > 0, path: trashDir, repos: kept };
}

/** Remove entries of `trashRoot` last modified more than `keepDays` ago; returns their names. */
export async function pruneTrash(trashRoot: string, keepDays: number, opts: { except?: string } = {}): Promise<string[]> {
  const entries = await readdir(trashRoot).catch(() => [] as string[]);
  const cutoff = Date.now() - Math.max(0, keepDays) * DAY_MS;
  const removed: string[] = [];
  for (const name of entries) {
    if (name === opts.except) continue;
    const p = path.join(trashRoot, name);
    const st = await lstat(p).catch(() => null);
    if (!st || st.mtimeMs >= cutoff) continue;
    await rm(p, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
