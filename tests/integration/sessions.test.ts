import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "../helpers/http";
import { git, hashTree, makeRepo, tempDir } from "../helpers/repos";
import { runServerExpectingExit, startServer, type RunningServer } from "../helpers/server";

const isRoot = process.getuid?.() === 0;

/** A directory holding a fake `rsync` that runs `body` (sh) before or instead of the real one. */
function fakeRsync(body: string): string {
  const dir = tempDir("hc-fakebin-");
  writeFileSync(path.join(dir, "rsync"), `#!/bin/sh\n${body}\n`);
  chmodSync(path.join(dir, "rsync"), 0o755);
  return dir;
}

describe("sessions and workspaces", () => {
  let srv: RunningServer;
  const root = tempDir("hc-sess-");
  const coderoot = path.join(root, "code");
  makeRepo(path.join(coderoot, "alpha"), {
    "README.md": "alpha\n",
    "src/main.rs": "fn main() {}\n",
    "dist.txt": "not a build dir\n",
  });
  mkdirSync(path.join(coderoot, "alpha/target/debug"), { recursive: true });
  writeFileSync(path.join(coderoot, "alpha/target/debug/big.bin"), Buffer.alloc(1024 * 1024));
  mkdirSync(path.join(coderoot, "alpha/node_modules/x"), { recursive: true });
  writeFileSync(path.join(coderoot, "alpha/node_modules/x/index.js"), "x\n");
  makeRepo(path.join(coderoot, "org/beta"), { "b.txt": "beta\n" });
  // Work the user has not committed: an edit and a new file.
  makeRepo(path.join(coderoot, "delta"), { "d.txt": "committed\n" });
  writeFileSync(path.join(coderoot, "delta/d.txt"), "edited, not committed\n");
  writeFileSync(path.join(coderoot, "delta/new.txt"), "not added\n");
  let coderootHash: string;

  beforeAll(async () => {
    coderootHash = hashTree(coderoot);
    srv = await startServer({ coderoot });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it("creates a session: a private copy of each repo with .git, build output excluded", async () => {
    const s = await srv.rpc("session.create", { repos: ["alpha", "org/beta"], task: "Add a README section" });
    expect(s.id).toMatch(/^[0-9a-f]{8}$/);
    expect(s).toMatchObject({ state: "created", repos: ["alpha", "org/beta"], task: "Add a README section", error: null });
    expect(s.agent).toMatchObject({ state: "idle", turns: 0 });
    expect(s.branch).toBe(`hero-claude/${s.name}`);
    const code = path.join(srv.builddir, s.id, "code");
    expect(readFileSync(path.join(code, "alpha/src/main.rs"), "utf8")).toBe("fn main() {}\n");
    expect(readFileSync(path.join(code, "alpha/dist.txt"), "utf8")).toBe("not a build dir\n");
    expect(existsSync(path.join(code, "alpha/.git/HEAD"))).toBe(true);
    expect(existsSync(path.join(code, "alpha/target"))).toBe(false);
    expect(existsSync(path.join(code, "alpha/node_modules"))).toBe(false);
    expect(readFileSync(path.join(code, "org/beta/b.txt"), "utf8")).toBe("beta\n");
    expect(git(path.join(code, "alpha"), "status", "--porcelain")).toBe("");
    const record = JSON.parse(readFileSync(path.join(srv.builddir, s.id, "state/session.json"), "utf8"));
    expect(record.id).toBe(s.id);
    if (isRoot) {
      expect(statSync(path.join(code, "alpha/src/main.rs")).uid).toBe(1000);
      expect(statSync(path.join(code, "alpha")).uid).toBe(1000);
    }
    const logs = await srv.rpc("session.logs", { session_id: s.id, kind: "rsync" });
    expect(logs.lines.join("\n")).toMatch(/copy alpha/);
    // alpha's untracked target/ and node_modules/ are excluded from the copy: not uncommitted work.
    expect(logs.lines.join("\n")).not.toMatch(/uncommitted/);
  });

  it("says so when a repo has uncommitted changes in CODEROOT, which the copy and its diff carry", async () => {
    const s = await srv.rpc("session.create", { repos: ["delta"], task: "Carry on" });
    const note = "delta has uncommitted changes in CODEROOT: they are copied too, so the session's diff and pull request include them";
    const warnings = await srv.rpc("logs.get", { session_id: s.id, level: "warn" });
    expect(warnings.map((e: { message: string }) => e.message)).toContain(note);
    expect((await srv.rpc("session.logs", { session_id: s.id, kind: "rsync" })).lines).toContain(`# ${note}`);
    const code = path.join(srv.builddir, s.id, "code/delta");
    expect(readFileSync(path.join(code, "d.txt"), "utf8")).toBe("edited, not committed\n");
    expect(readFileSync(path.join(code, "new.txt"), "utf8")).toBe("not added\n");
    await srv.rpc("session.destroy", { session_id: s.id });
  });

  it("lists newest first, filters by state and pages", async () => {
    const a = await srv.rpc("session.create", { repos: ["org/beta"], task: "one" });
    const b = await srv.rpc("session.create", { repos: ["org/beta"], task: "two" });
    const all = await srv.rpc("session.list", {});
    expect(all.total).toBeGreaterThanOrEqual(3);
    expect(all.sessions[0].id).toBe(b.id);
    expect(all.sessions[1].id).toBe(a.id);
    const page = await srv.rpc("session.list", { limit: 1, offset: 1 });
    expect(page.sessions.map((s: { id: string }) => s.id)).toEqual([a.id]);
    expect((await srv.rpc("session.list", { state: "running" })).total).toBe(0);
    const info = await srv.rpc("session.info", { session_id: a.id });
    expect(info).toMatchObject({ id: a.id, state: "created", container: null });
  });

  it("gives every bad input a clear error and creates nothing", async () => {
    const before = readdirSync(srv.builddir).length;
    const code = async (params: unknown) => (await srv.rpcRaw("session.create", params)).error?.code;
    expect(await code({ repos: [], task: "x" })).toBe(-32602);
    expect(await code({ repos: ["alpha"], task: "   " })).toBe(-32602);
    expect(await code({ repos: ["alpha"] })).toBe(-32602);
    expect(await code({ repos: ["../alpha"], task: "x" })).toBe(-32602);
    expect(await code({ repos: ["/etc"], task: "x" })).toBe(-32602);
    expect(await code({ repos: ["al\0pha"], task: "x" })).toBe(-32602);
    expect(await code({ repos: ["nope"], task: "x" })).toBe(-32003);
    expect(await code({ repos: ["alpha", "alpha"], task: "x" })).toBe(-32602);
    expect(await code({ repos: Array.from({ length: 10_000 }, (_, i) => `r${i}`), task: "x" })).toBe(-32602);
    expect(await code({ repos: ["alpha"], task: "x".repeat(300 * 1024) })).toBe(-32602);
    const huge = await request(
      srv.serverSocket,
      "POST",
      "/rpc",
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "session.create", params: { repos: ["alpha"], task: "x".repeat(5 * 1024 * 1024) } }),
    );
    expect(huge.status).toBe(413);
    const bad = await srv.rpcRaw("session.create", { repos: ["alpha"], task: "x", cpu: -1, extra: 1 });
    expect(bad.error.data.issues.map((i: { path: string[] }) => i.path.join("."))).toEqual(expect.arrayContaining(["cpu", ""]));
    for (const m of ["session.info", "session.sync", "session.destroy", "session.logs"]) {
      expect((await srv.rpcRaw(m, { session_id: "00000000" })).error.code, m).toBe(-32001);
      expect((await srv.rpcRaw(m, { session_id: "../../x" })).error.code, m).toBe(-32602);
    }
    expect(readdirSync(srv.builddir).length).toBe(before);
  });

  it("syncs upstream changes and never loses a session change", async () => {
    const upstream = makeRepo(path.join(coderoot, "gamma"), {
      "same.txt": "base\n",
      "up.txt": "base\n",
      "mine.txt": "base\n",
      "both.txt": "base\n",
      "gone.txt": "base\n",
    });
    const s = await srv.rpc("session.create", { repos: ["gamma"], task: "sync test" });
    const ws = path.join(srv.builddir, s.id, "code/gamma");
    // The session edits two files; upstream edits two, deletes one, adds one.
    writeFileSync(path.join(ws, "mine.txt"), "session\n");
    writeFileSync(path.join(ws, "both.txt"), "session\n");
    writeFileSync(path.join(upstream, "up.txt"), "upstream\n");
    writeFileSync(path.join(upstream, "both.txt"), "upstream\n");
    writeFileSync(path.join(upstream, "new.txt"), "new upstream\n");
    execFileSync("rm", [path.join(upstream, "gone.txt")]);
    git(upstream, "add", "-A");
    git(upstream, "commit", "-qm", "upstream work");
    const r = await srv.rpc("session.sync", { session_id: s.id });
    const gamma = r.repos[0];
    expect(gamma.name).toBe("gamma");
    expect(gamma.updated.sort()).toEqual(["gone.txt", "new.txt", "up.txt"]);
    expect(gamma.conflicts).toEqual(["both.txt"]);
    expect(readFileSync(path.join(ws, "up.txt"), "utf8")).toBe("upstream\n");
    expect(readFileSync(path.join(ws, "new.txt"), "utf8")).toBe("new upstream\n");
    expect(existsSync(path.join(ws, "gone.txt"))).toBe(false);
    expect(readFileSync(path.join(ws, "mine.txt"), "utf8")).toBe("session\n");
    expect(readFileSync(path.join(ws, "both.txt"), "utf8")).toBe("session\n");
    const again = await srv.rpc("session.sync", { session_id: s.id });
    expect(again.repos[0].updated).toEqual([]);
  });

  it("destroys a clean session without a trash copy, and keeps unpushed work of a changed one", async () => {
    const clean = await srv.rpc("session.create", { repos: ["org/beta"], task: "clean" });
    const r1 = await srv.rpc("session.destroy", { session_id: clean.id });
    expect(r1).toMatchObject({ session_id: clean.id, destroyed: true, trash: { kept: false } });
    expect((await srv.rpcRaw("session.info", { session_id: clean.id })).error.code).toBe(-32001);
    expect(existsSync(path.join(srv.builddir, clean.id))).toBe(false);

    const dirty = await srv.rpc("session.create", { repos: ["org/beta"], task: "dirty" });
    const ws = path.join(srv.builddir, dirty.id, "code/org/beta");
    writeFileSync(path.join(ws, "b.txt"), "changed by the agent\n");
    writeFileSync(path.join(ws, "untracked.txt"), "new file\n");
    const r2 = await srv.rpc("session.destroy", { session_id: dirty.id });
    expect(r2.trash.kept).toBe(true);
    expect(r2.trash.path).toBe(path.join(srv.builddir, ".trash", dirty.id));
    expect(r2.trash.repos).toEqual(["org/beta"]);
    expect(existsSync(r2.trash.path)).toBe(true);
    const entries = await srv.rpc("logs.get", { session_id: dirty.id });
    expect(entries.map((e: { message: string }) => e.message).join("\n")).toMatch(/kept in/);
  });

  it("serialises calls on one session and runs different sessions in parallel", async () => {
    const a = await srv.rpc("session.create", { repos: ["alpha"], task: "lock a" });
    const b = await srv.rpc("session.create", { repos: ["alpha"], task: "lock b" });
    const results = await Promise.all([
      srv.rpcRaw("session.sync", { session_id: a.id }),
      srv.rpcRaw("session.destroy", { session_id: a.id }),
      srv.rpcRaw("session.sync", { session_id: b.id }),
    ]);
    // The second call on `a` either waited for the first (and then ran) or was told to retry.
    expect(results[0].result ?? results[0].error).toBeTruthy();
    const second = results[1];
    expect(second.result?.destroyed === true || second.error?.code === -32006).toBe(true);
    expect(results[2].result.session_id).toBe(b.id);
  });

  it("keeps the operation log, filters it and clears it", async () => {
    const errors = await srv.rpc("logs.get", { level: "error" });
    expect(errors.every((e: { level: string }) => e.level === "error")).toBe(true);
    const recent = await srv.rpc("logs.get", { limit: 2 });
    expect(recent).toHaveLength(2);
    const since = await srv.rpc("logs.get", { since: new Date(Date.now() + 60_000).toISOString() });
    expect(since).toEqual([]);
    expect((await srv.rpcRaw("logs.get", { since: "yesterday" })).error.code).toBe(-32602);
  });

  it("survives a restart: every record is loaded again", async () => {
    const before = await srv.rpc("session.list", { limit: 1000 });
    await srv.stop();
    srv = await startServer({ coderoot, dir: srv.dir });
    const after = await srv.rpc("session.list", { limit: 1000 });
    expect(after.sessions.map((s: { id: string }) => s.id)).toEqual(before.sessions.map((s: { id: string }) => s.id));
    expect((await srv.rpc("logs.get", { limit: 10_000 })).length).toBeGreaterThan(5);
    const cleared = await srv.rpc("logs.clear");
    expect(cleared.cleared).toBeGreaterThan(0);
    expect((await srv.rpc("logs.get", {})).length).toBeLessThanOrEqual(1);
  });

  it("leaves CODEROOT byte-for-byte unchanged (but for the repo the sync test changed itself)", () => {
    expect(hashTreeWithout(coderoot, "gamma")).toBe(coderootHash);
  });
});

/** hashTree of `root` as if its top-level entry `skip` were not there (copied aside with mtimes kept). */
function hashTreeWithout(root: string, skip: string): string {
  const copy = path.join(tempDir("hc-hash-"), "code");
  execFileSync("rsync", ["-a", "--exclude", `/${skip}`, `${root}/`, `${copy}/`]);
  return hashTree(copy);
}

describe("faults", () => {
  const root = tempDir("hc-fault-");
  const coderoot = path.join(root, "code");
  makeRepo(path.join(coderoot, "alpha"), { "a.txt": "a\n" });

  it("fails a create cleanly when rsync is missing: -32005 with the reason, the session failed with its error", async () => {
    const emptyBin = tempDir("hc-nobin-");
    for (const tool of ["git", "sh"]) {
      execFileSync("ln", ["-s", execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim(), path.join(emptyBin, tool)]);
    }
    const srv = await startServer({ coderoot, env: { PATH: emptyBin } });
    try {
      const r = await srv.rpcRaw("session.create", { repos: ["alpha"], task: "x" });
      expect(r.error.code).toBe(-32005);
      expect(r.error.message).toMatch(/rsync/);
      const listed = await srv.rpc("session.list", {});
      expect(listed.sessions[0]).toMatchObject({ id: r.error.data.session_id, state: "failed" });
      expect(listed.sessions[0].error).toMatch(/rsync/);
      expect((await srv.rpc("session.destroy", { session_id: r.error.data.session_id })).destroyed).toBe(true);
    } finally {
      await srv.stop();
    }
  });

  it("fails a create when rsync fails midway, with rsync's words in data.log", async () => {
    const bin = fakeRsync(`echo "rsync: [sender] write error: Broken pipe (32)" >&2\nexit 12`);
    const srv = await startServer({ coderoot, env: { PATH: `${bin}:${process.env.PATH}` } });
    try {
      const r = await srv.rpcRaw("session.create", { repos: ["alpha"], task: "x" });
      expect(r.error.code).toBe(-32005);
      expect(r.error.data.log).toMatch(/Broken pipe/);
      const s = await srv.rpc("session.info", { session_id: r.error.data.session_id });
      expect(s.state).toBe("failed");
    } finally {
      await srv.stop();
    }
  });

  it("repairs a session whose create was killed with kill -9: failed, with an error saying so, workspace kept", async () => {
    const bin = fakeRsync(`sleep 30\nexec /usr/bin/rsync "$@"`);
    const dir = tempDir("hc-kill-");
    const srv = await startServer({ coderoot, dir, env: { PATH: `${bin}:${process.env.PATH}` } });
    const pending = srv.rpcRaw("session.create", { repos: ["alpha"], task: "will be killed" }).catch(() => null);
    const builddir = srv.builddir;
    let id: string | undefined;
    for (let i = 0; i < 100 && !id; i++) {
      await new Promise((r) => setTimeout(r, 100));
      id = readdirSync(builddir).find((e) => /^[0-9a-f]{8}$/.test(e) && existsSync(path.join(builddir, e, "state/session.json")));
    }
    expect(id).toBeDefined();
    await srv.stop("SIGKILL");
    await pending;
    const again = await startServer({ coderoot, dir });
    try {
      const s = await again.rpc("session.info", { session_id: id });
      expect(s.state).toBe("failed");
      expect(s.error).toMatch(/server stopped during session.create/);
      expect(existsSync(path.join(builddir, id!, "code"))).toBe(true);
      expect((await again.rpc("session.destroy", { session_id: id })).destroyed).toBe(true);
    } finally {
      await again.stop();
    }
  });

  it.runIf(isRoot)("reports a read-only BUILDDIR and a full disk as clear errors, losing nothing", async () => {
    const dir = tempDir("hc-disk-");
    const builddir = path.join(dir, "build");
    mkdirSync(builddir);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", builddir]);
    try {
      const big = makeRepo(path.join(coderoot, "big"), { "a.txt": "a\n" });
      writeFileSync(path.join(big, "blob.bin"), Buffer.alloc(4 * 1024 * 1024, 7));
      let okId = "";
      const srv = await startServer({ coderoot, dir, env: { BUILDDIR: builddir } });
      try {
        const ok = await srv.rpc("session.create", { repos: ["alpha"], task: "fits" });
        okId = ok.id;
        const full = await srv.rpcRaw("session.create", { repos: ["big"], task: "does not fit" });
        expect(full.error.code).toBe(-32005);
        expect(full.error.message + full.error.data.log).toMatch(/No space left|ENOSPC/);
        expect((await srv.rpc("session.info", { session_id: ok.id })).state).toBe("created");
        for (const e of readdirSync(builddir).filter((n) => /^[0-9a-f]{8}$/.test(n))) {
          const rec = path.join(builddir, e, "state/session.json");
          if (existsSync(rec)) expect(() => JSON.parse(readFileSync(rec, "utf8"))).not.toThrow();
        }
      } finally {
        await srv.stop();
      }
      // The same BUILDDIR made read-only: start-up refuses with one line naming BUILDDIR; nothing is lost.
      execFileSync("mount", ["-o", "remount,ro", builddir]);
      const ro = await runServerExpectingExit({ HOME: dir, CODEROOT: coderoot, BUILDDIR: builddir, HERO_SOCKET_DIR: path.join(dir, "sock2") });
      expect(ro.code, ro.output).toBe(2);
      expect(ro.output.trim().split("\n")).toHaveLength(1);
      expect(ro.output).toMatch(/BUILDDIR=.*not writable \(EROFS\)/);
      execFileSync("mount", ["-o", "remount,rw", builddir]);
      const again = await startServer({ coderoot, dir, env: { BUILDDIR: builddir, HERO_SOCKET_DIR: path.join(dir, "sock3") } });
      try {
        const ids = (await again.rpc("session.list", {})).sessions.map((s: { id: string }) => s.id);
        expect(ids).toContain(okId);
      } finally {
        await again.stop();
      }
    } finally {
      execFileSync("umount", ["-l", builddir]);
    }
  });
});
