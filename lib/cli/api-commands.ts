/**
 * The API commands: `session …`, `repo …`, `server …`, `logs get|clear`. Each is a thin edge over
 * one SDK call: parse the arguments, call, print a table (or the JSON with --json).
 */
import { readFileSync } from "node:fs";
import type { LogEntry, ParamsOf, Session, SessionInfo, SessionState, TranscriptEvent } from "../sdk/types";
import type { SessionUpdate, WatchEvent } from "../sdk/watch";
import { EXIT, UsageError } from "./errors";
import { ago, bytes, duration, keyValues, oneLine, printJson, table, usd, type Style } from "./output";
import { renderEvent, renderSessionChange } from "./render";
import { flag, list, str, type CommandSpec, type Ctx, type Invocation } from "./spec";

// Choices for help and completion. The CLI bundle stays free of zod, so these are listed here, and
// the compiler checks they are exactly the registry's enums.
const SESSION_STATES = ["created", "running", "stopped", "completing", "completed", "failed", "destroyed"] as const;
const LOG_KINDS = ["rsync", "claude", "container", "all"] as const;
const LEVELS = ["debug", "info", "warn", "error"] as const;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inSync: [
  Same<(typeof SESSION_STATES)[number], SessionState>,
  Same<(typeof LOG_KINDS)[number], NonNullable<ParamsOf<"session.logs">["kind"]>>,
  Same<(typeof LEVELS)[number], NonNullable<ParamsOf<"logs.get">["level"]>>,
] = [true, true, true];
void inSync;

function num(inv: Invocation, name: string, opts: { int?: boolean } = {}): number | undefined {
  const raw = str(inv, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || (opts.int && !Number.isInteger(n))) {
    throw new UsageError(`--${name} takes ${opts.int ? "a whole number" : "a number"}, not ${JSON.stringify(raw)}`);
  }
  return n;
}

function oneOf<T extends string>(inv: Invocation, name: string, allowed: readonly T[]): T | undefined {
  const v = str(inv, name);
  if (v !== undefined && !allowed.includes(v as T)) throw new UsageError(`--${name} is one of ${allowed.join(", ")}, not ${JSON.stringify(v)}`);
  return v as T | undefined;
}

const stateColor = (st: Style, state: string) =>
  state === "running" || state === "working"
    ? st.green(state)
    : state === "failed"
      ? st.red(state)
      : state === "completed" || state === "done"
        ? st.cyan(state)
        : state === "stopped" || state === "completing"
          ? st.yellow(state)
          : state;

function sessionRows(sessions: Session[], st: Style): string[][] {
  return sessions.map((s) => [
    st.bold(s.id),
    s.name,
    stateColor(st, s.state),
    stateColor(st, s.agent.state),
    oneLine(s.repos.join(","), 40),
    s.agent.cost_usd ? usd(s.agent.cost_usd) : "-",
    ago(s.created_at),
    oneLine(s.task, 50),
  ]);
}

function printSession(ctx: Ctx, s: Session | SessionInfo): void {
  const st = ctx.st;
  const pairs: [string, string][] = [
    ["id", st.bold(s.id)],
    ["name", s.name],
    ["state", stateColor(st, s.state)],
    ["repos", s.repos.join(", ")],
    ["branch", s.branch],
    ["image", s.image],
    ["resources", `${s.cpu} cpu, ${s.memory_gb} GB memory`],
  ];
  if (s.mcp_servers.length) pairs.push(["mcp servers", s.mcp_servers.join(", ")]);
  pairs.push(["task", oneLine(s.task, 100)]);
  const a = s.agent;
  pairs.push([
    "agent",
    `${stateColor(st, a.state)}, ${a.turns} turns, ${usd(a.cost_usd)}, ${a.input_tokens} in / ${a.output_tokens} out tokens`,
  ]);
  if ("container" in s) {
    const c = s.container;
    pairs.push([
      "container",
      c
        ? `${c.id.slice(0, 12)} ${c.running ? st.green(c.status) : c.status}${c.cpu_percent !== null ? `, cpu ${c.cpu_percent.toFixed(1)}%` : ""}${c.memory_bytes !== null ? `, mem ${bytes(c.memory_bytes)}${c.memory_limit_bytes ? ` / ${bytes(c.memory_limit_bytes)}` : ""}` : ""}${c.pids !== null ? `, ${c.pids} pids` : ""}`
        : "-",
    ]);
  }
  if (s.error) pairs.push(["error", st.red(s.error)]);
  pairs.push(["created", `${s.created_at} (${ago(s.created_at)})`]);
  if (s.started_at) pairs.push(["started", s.started_at]);
  pairs.push(["updated", s.updated_at]);
  if (s.finished_at) pairs.push(["finished", s.finished_at]);
  ctx.out(keyValues(pairs, st));
  if (s.results.length) {
    ctx.out("");
    printResults(ctx, s.results);
  }
  if (a.last_result) {
    ctx.out("");
    ctx.out(st.dim("last result:"));
    ctx.out(a.last_result.trimEnd());
  }
}

function printResults(ctx: Ctx, results: Session["results"]): void {
  ctx.out(
    table(
      ["REPO", "BRANCH", "COMMIT", "PUSHED", "PULL REQUEST"],
      results.map((r) => [
        r.repo,
        r.branch ?? "-",
        r.commit ? r.commit.slice(0, 10) : "-",
        r.pushed ? ctx.st.green("yes") : "no",
        r.pr_url ?? (r.skipped_reason ? ctx.st.dim(r.skipped_reason) : "-"),
      ]),
      ctx.st,
    ),
  );
}

function readTask(inv: Invocation): string {
  const task = str(inv, "task");
  const file = str(inv, "task-file");
  if (task !== undefined && file !== undefined) throw new UsageError("give --task or --task-file, not both");
  if (file !== undefined) {
    try {
      return readFileSync(file === "-" ? 0 : file, "utf8").replace(/\s+$/, "");
    } catch (err) {
      throw new UsageError(`--task-file ${file}: ${(err as Error).message}`);
    }
  }
  if (task === undefined) throw new UsageError("session create needs --task TEXT (or --task-file FILE, - for stdin)");
  return task;
}

/** Print transcript and session changes while an agent works (human mode only). */
function liveRenderer(ctx: Ctx): (ev: WatchEvent) => void {
  let prev: SessionUpdate | undefined;
  let lastSeq = -1;
  return (ev) => {
    if (ctx.json) return;
    if (ev.event === "transcript") {
      for (const t of ev.data.events) {
        if (t.seq <= lastSeq) continue;
        lastSeq = t.seq;
        for (const line of renderEvent(t, ctx.st)) ctx.out(line);
      }
    } else if (ev.event === "session") {
      const line = renderSessionChange(prev, ev.data, ctx.st);
      if (line) ctx.out(line);
      prev = ev.data;
    }
  };
}

/** Wait for the agent after `trigger`, showing its transcript; the exit status says how it ended. */
async function waitAndReport(ctx: Ctx, id: string, trigger: () => Promise<unknown>): Promise<number> {
  const client = ctx.client();
  if (!ctx.json) ctx.err(ctx.stErr.dim(`waiting for the agent of ${id} (Ctrl-C stops waiting, not the agent)…`));
  let final: Session;
  try {
    final = await client.waitForAgent(id, { signal: ctx.signal, trigger, onEvent: liveRenderer(ctx) });
  } catch (err) {
    if (ctx.signal.aborted) {
      if (!ctx.json) ctx.err(`stopped waiting; the agent goes on (\`hero-claude session watch ${id}\` follows it)`);
      return EXIT.interrupted;
    }
    throw err;
  }
  if (ctx.json) {
    printJson(final);
  } else {
    const a = final.agent;
    ctx.out("");
    const how =
      a.state === "done"
        ? ctx.st.green("agent done")
        : a.state === "failed"
          ? ctx.st.red("agent failed")
          : `session ${stateColor(ctx.st, final.state)} (agent ${a.state})`;
    ctx.out(`${how}: ${final.id}, ${a.turns} turns, ${usd(a.cost_usd)}${final.error ? ` — ${ctx.st.red(final.error)}` : ""}`);
    if (a.state === "done" && final.state === "running") {
      ctx.out(ctx.st.dim(`next: \`hero-claude session diff ${final.id}\`, then \`hero-claude session finish ${final.id}\``));
    }
  }
  return final.agent.state === "done" ? EXIT.ok : EXIT.failure;
}

/** `session watch`: history first, then live events, without gaps or repeats (by seq). */
async function watchSession(ctx: Ctx, id: string, after: number, untilDone: boolean, verbose: boolean): Promise<number> {
  const client = ctx.client();
  const w = client.watch(id, { signal: ctx.signal });
  try {
    await w.ready;
    const history = await client.session.transcript({ session_id: id, after }, { signal: ctx.signal });
    let lastSeq = after;
    const show = (events: TranscriptEvent[]) => {
      const fresh = events.filter((e) => e.seq > lastSeq);
      if (fresh.length === 0) return;
      lastSeq = fresh[fresh.length - 1]!.seq;
      if (ctx.json) process.stdout.write(`${JSON.stringify({ event: "transcript", data: { session_id: id, events: fresh } })}\n`);
      else for (const e of fresh) for (const line of renderEvent(e, ctx.st, verbose)) ctx.out(line);
    };
    show(history.events);
    let prev: SessionUpdate | undefined;
    const finished = (s: SessionUpdate) =>
      !("name" in s) || s.agent.state === "done" || s.agent.state === "failed" || !["running", "created"].includes(s.state);
    for await (const ev of w) {
      if (ev.event === "transcript") show(ev.data.events);
      else if (ev.event === "session") {
        if (ctx.json) process.stdout.write(`${JSON.stringify(ev)}\n`);
        else if (!prev && "name" in ev.data) {
          ctx.out(ctx.st.magenta(`■ ${ev.data.id} ${ev.data.name}: session ${ev.data.state}, agent ${ev.data.agent.state}`));
        } else {
          const line = renderSessionChange(prev, ev.data, ctx.st);
          if (line) ctx.out(line);
        }
        prev = ev.data;
        if (!("name" in ev.data)) return EXIT.ok;
        if (untilDone && finished(ev.data)) return ev.data.agent.state === "failed" || ev.data.state === "failed" ? EXIT.failure : EXIT.ok;
      }
    }
    if (ctx.signal.aborted) return EXIT.ok;
    ctx.err("the server closed the event stream (did it stop?)");
    return EXIT.failure;
  } finally {
    w.close();
  }
}

/** `session logs -f`: the tail, then live log lines of that kind. */
async function followLogs(ctx: Ctx, id: string, kind: string, tail: number | undefined): Promise<number> {
  const client = ctx.client();
  const w = client.watch(id, { signal: ctx.signal });
  try {
    await w.ready;
    const r = await client.session.logs({ session_id: id, kind: kind as (typeof LOG_KINDS)[number], tail }, { signal: ctx.signal });
    for (const line of r.lines) ctx.out(ctx.json ? JSON.stringify({ session_id: id, kind: r.kind, text: line }) : line);
    for await (const ev of w) {
      if (ev.event !== "log" || (kind !== "all" && ev.data.kind !== kind)) continue;
      if (ctx.json) process.stdout.write(`${JSON.stringify(ev.data)}\n`);
      else process.stdout.write(ev.data.text);
    }
    return EXIT.ok;
  } finally {
    w.close();
  }
}

/** "10m", "2h", "1d" → an ISO time that long ago; ISO times pass through. */
export function parseSince(raw: string, now = Date.now()): string {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(raw.trim());
  if (!m) return raw;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
  return new Date(now - Number(m[1]) * unit * 1000).toISOString();
}

const ID_ARG = { args: "ID", minArgs: 1, maxArgs: 1, argComplete: ["sessions"] as const };
const byId = (inv: Invocation) => ({ session_id: inv.args[0]! });

export const apiCommands: CommandSpec[] = [
  {
    path: ["session", "create"],
    summary: "create a session: copy repos into a private workspace (then --start, --wait)",
    options: {
      repo: { type: "string", multiple: true, value: "NAME", desc: "a repository from `repo list` (repeat for more)", complete: "repos" },
      task: { type: "string", value: "TEXT", desc: "what the agent should do" },
      "task-file": { type: "string", value: "FILE", desc: "read the task from a file (- for stdin)", complete: "files" },
      name: { type: "string", value: "NAME", desc: "a name for the session" },
      image: { type: "string", value: "IMAGE", desc: "sandbox image (default: the server's)" },
      cpu: { type: "string", value: "N", desc: "CPUs for the container" },
      "memory-gb": { type: "string", value: "N", desc: "memory limit in GB" },
      "mcp-server": { type: "string", multiple: true, value: "URL", desc: "an MCP server for the agent (repeat for more)" },
      start: { type: "boolean", desc: "start the container and the agent right away" },
      wait: { type: "boolean", desc: "with --start: wait until the agent is done or failed, showing its transcript" },
    },
    maxArgs: 0,
    async run(ctx, inv) {
      const repos = list(inv, "repo");
      if (repos.length === 0) throw new UsageError("session create needs at least one --repo NAME (see `hero-claude repo list`)");
      if (flag(inv, "wait") && !flag(inv, "start")) throw new UsageError("--wait needs --start");
      const params = {
        repos,
        task: readTask(inv),
        name: str(inv, "name"),
        image: str(inv, "image"),
        cpu: num(inv, "cpu"),
        memory_gb: num(inv, "memory-gb"),
        mcp_servers: list(inv, "mcp-server").length ? list(inv, "mcp-server") : undefined,
      };
      const client = ctx.client();
      const created = await client.session.create(params, { signal: ctx.signal });
      if (!flag(inv, "start")) {
        if (ctx.json) printJson(created);
        else {
          ctx.out(`created session ${ctx.st.bold(created.id)} (${created.name}): ${created.repos.join(", ")}`);
          ctx.out(ctx.st.dim(`start it: hero-claude session start ${created.id}`));
        }
        return;
      }
      if (!ctx.json) ctx.err(`created session ${ctx.stErr.bold(created.id)} (${created.name}); starting…`);
      const start = async () => {
        try {
          return await client.session.start({ session_id: created.id }, { signal: ctx.signal });
        } catch (err) {
          if (!ctx.json) ctx.err(`session ${created.id} was created but did not start:`);
          throw err;
        }
      };
      if (flag(inv, "wait")) return waitAndReport(ctx, created.id, start);
      const started = await start();
      if (ctx.json) printJson(started);
      else {
        ctx.out(`session ${ctx.st.bold(started.id)} is ${stateColor(ctx.st, started.state)}; the agent works on the task`);
        ctx.out(ctx.st.dim(`follow it: hero-claude session watch ${started.id}`));
      }
    },
  },
  {
    path: ["session", "list"],
    summary: "sessions, newest first",
    options: {
      state: { type: "string", value: "STATE", desc: `only sessions in this state (${SESSION_STATES.join(", ")})`, complete: SESSION_STATES },
      limit: { type: "string", value: "N", desc: "at most N (default 50)" },
      offset: { type: "string", value: "N", desc: "skip the first N" },
    },
    maxArgs: 0,
    async run(ctx, inv) {
      const r = await ctx.client().session.list(
        { state: oneOf(inv, "state", SESSION_STATES), limit: num(inv, "limit", { int: true }), offset: num(inv, "offset", { int: true }) },
        { signal: ctx.signal },
      );
      if (ctx.json) return printJson(r);
      if (r.sessions.length === 0) {
        ctx.out(r.total ? `no sessions on this page (${r.total} in all)` : "no sessions yet; create one: hero-claude session create --repo NAME --task TEXT");
        return;
      }
      ctx.out(table(["ID", "NAME", "STATE", "AGENT", "REPOS", "COST", "CREATED", "TASK"], sessionRows(r.sessions, ctx.st), ctx.st));
      if (r.total > r.sessions.length) ctx.out(ctx.st.dim(`${r.sessions.length} of ${r.total}; see --limit and --offset`));
    },
  },
  {
    path: ["session", "info"],
    ...ID_ARG,
    summary: "one session with its container's live status",
    async run(ctx, inv) {
      const s = await ctx.client().session.info(byId(inv), { signal: ctx.signal });
      if (ctx.json) return printJson(s);
      printSession(ctx, s);
    },
  },
  {
    path: ["session", "start"],
    ...ID_ARG,
    summary: "start (or resume) the session's container and agent",
    options: { wait: { type: "boolean", desc: "wait until the agent is done or failed, showing its transcript" } },
    async run(ctx, inv) {
      const client = ctx.client();
      if (flag(inv, "wait")) return waitAndReport(ctx, inv.args[0]!, () => client.session.start(byId(inv), { signal: ctx.signal }));
      const s = await client.session.start(byId(inv), { signal: ctx.signal });
      if (ctx.json) return printJson(s);
      ctx.out(`session ${ctx.st.bold(s.id)} is ${stateColor(ctx.st, s.state)} (agent ${s.agent.state})`);
    },
  },
  {
    path: ["session", "stop"],
    ...ID_ARG,
    summary: "stop the container; workspace and conversation stay",
    async run(ctx, inv) {
      const s = await ctx.client().session.stop(byId(inv), { signal: ctx.signal });
      if (ctx.json) return printJson(s);
      ctx.out(`session ${ctx.st.bold(s.id)} is ${stateColor(ctx.st, s.state)}; \`hero-claude session start ${s.id}\` resumes it`);
    },
  },
  {
    path: ["session", "prompt"],
    args: "ID MESSAGE",
    minArgs: 2,
    maxArgs: 2,
    argComplete: ["sessions"],
    summary: "send the agent a follow-up message (queued while it works)",
    options: { wait: { type: "boolean", desc: "wait until the agent has answered, showing its transcript" } },
    async run(ctx, inv) {
      const client = ctx.client();
      const params = { session_id: inv.args[0]!, message: inv.args[1]! };
      if (flag(inv, "wait")) return waitAndReport(ctx, params.session_id, () => client.session.prompt(params, { signal: ctx.signal }));
      const s = await client.session.prompt(params, { signal: ctx.signal });
      if (ctx.json) return printJson(s);
      ctx.out(`sent to ${ctx.st.bold(s.id)} (agent ${s.agent.state})`);
    },
  },
  {
    path: ["session", "diff"],
    ...ID_ARG,
    summary: "what the session changed, per repository",
    options: {
      repo: { type: "string", value: "NAME", desc: "only this repository", complete: "repos" },
      stat: { type: "boolean", desc: "files and line counts only, no patch" },
    },
    async run(ctx, inv) {
      const r = await ctx.client().session.diff({ ...byId(inv), repo: str(inv, "repo") }, { signal: ctx.signal });
      if (ctx.json) return printJson(r);
      const st = ctx.st;
      for (const repo of r.repos) {
        ctx.out(st.bold(`== ${repo.name}: ${repo.files.length} file${repo.files.length === 1 ? "" : "s"} changed`));
        if (repo.files.length) {
          ctx.out(
            table(
              ["STATUS", "+", "-", "PATH"],
              repo.files.map((f) => [f.status, st.green(String(f.additions)), st.red(String(f.deletions)), f.path]),
              st,
            ),
          );
        }
        if (!flag(inv, "stat") && repo.patch) {
          ctx.out("");
          for (const line of repo.patch.replace(/\n$/, "").split("\n")) {
            ctx.out(
              line.startsWith("+++") || line.startsWith("---")
                ? st.bold(line)
                : line.startsWith("+")
                  ? st.green(line)
                  : line.startsWith("-")
                    ? st.red(line)
                    : line.startsWith("@@")
                      ? st.cyan(line)
                      : line,
            );
          }
        }
        ctx.out("");
      }
    },
  },
  {
    path: ["session", "exec"],
    args: "ID -- COMMAND [ARGS...]",
    minArgs: 1,
    maxArgs: 1,
    argComplete: ["sessions"],
    passthrough: true,
    summary: "run a command in the session's container (no shell: pass bash -lc '…' for one)",
    details: "The exit status is the command's own (124 when it timed out); with --json it is 0 and the result says.",
    options: {
      cwd: { type: "string", value: "DIR", desc: "working directory inside the container, e.g. /workspace/code/REPO" },
      "time-limit": { type: "string", value: "SECONDS", desc: "kill the command after this long (server default otherwise)" },
    },
    async run(ctx, inv) {
      if (inv.rest.length === 0) throw new UsageError("session exec needs a command after --, e.g. session exec ID -- ls -la");
      const limit = num(inv, "time-limit", { int: true });
      const r = await ctx.client().session.exec(
        { session_id: inv.args[0]!, command: inv.rest, cwd: str(inv, "cwd"), timeout_s: limit },
        { signal: ctx.signal, timeoutMs: limit !== undefined && ctx.timeoutMs !== 0 ? Math.max(ctx.timeoutMs ?? 0, (limit + 30) * 1000) : undefined },
      );
      if (ctx.json) return printJson(r);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      if (r.timed_out) {
        ctx.err(ctx.stErr.red(`timed out after ${duration(r.duration_ms / 1000)}`));
        return 124;
      }
      return r.exit_code;
    },
  },
  {
    path: ["session", "logs"],
    ...ID_ARG,
    summary: "the tail of the session's rsync, claude or container log",
    options: {
      kind: { type: "string", value: "KIND", desc: `${LOG_KINDS.join(", ")} (default all)`, complete: LOG_KINDS },
      tail: { type: "string", value: "N", desc: "last N lines (default 200)" },
      follow: { type: "boolean", short: "f", desc: "keep printing new lines" },
    },
    async run(ctx, inv) {
      const kind = oneOf(inv, "kind", LOG_KINDS) ?? "all";
      const tail = num(inv, "tail", { int: true });
      if (flag(inv, "follow")) return followLogs(ctx, inv.args[0]!, kind, tail);
      const r = await ctx.client().session.logs({ ...byId(inv), kind, tail }, { signal: ctx.signal });
      if (ctx.json) return printJson(r);
      for (const line of r.lines) ctx.out(line);
    },
  },
  {
    path: ["session", "watch"],
    ...ID_ARG,
    summary: "the agent's transcript live: text, tool uses, results, cost",
    details: "With --json, one JSON event per line (NDJSON). Ctrl-C stops watching, not the agent.",
    options: {
      after: { type: "string", value: "SEQ", desc: "start after this transcript seq (default 0: everything)" },
      "until-done": { type: "boolean", desc: "exit when the agent is done or failed (status 1 when failed)" },
      verbose: { type: "boolean", short: "v", desc: "whole tool results and unknown events" },
    },
    async run(ctx, inv) {
      return watchSession(ctx, inv.args[0]!, num(inv, "after", { int: true }) ?? 0, flag(inv, "until-done"), flag(inv, "verbose"));
    },
  },
  {
    path: ["session", "transcript"],
    ...ID_ARG,
    summary: "the agent's transcript so far",
    options: {
      after: { type: "string", value: "SEQ", desc: "only events after this seq" },
      verbose: { type: "boolean", short: "v", desc: "whole tool results and unknown events" },
    },
    async run(ctx, inv) {
      const r = await ctx.client().session.transcript({ ...byId(inv), after: num(inv, "after", { int: true }) }, { signal: ctx.signal });
      if (ctx.json) return printJson(r);
      for (const e of r.events) for (const line of renderEvent(e, ctx.st, flag(inv, "verbose"))) ctx.out(line);
      if (r.events.length === 0) ctx.out(ctx.st.dim("(no transcript events)"));
    },
  },
  {
    path: ["session", "finish"],
    ...ID_ARG,
    summary: "commit, push and open pull requests; the session completes",
    options: {
      title: { type: "string", value: "TEXT", desc: "pull request title" },
      body: { type: "string", value: "TEXT", desc: "pull request body" },
      draft: { type: "boolean", desc: "open draft pull requests" },
    },
    async run(ctx, inv) {
      const params = { ...byId(inv), title: str(inv, "title"), body: str(inv, "body"), draft: flag(inv, "draft") || undefined };
      const s = await ctx.client().session.finish(params, { signal: ctx.signal });
      if (ctx.json) return printJson(s);
      ctx.out(`session ${ctx.st.bold(s.id)} is ${stateColor(ctx.st, s.state)}`);
      if (s.results.length) printResults(ctx, s.results);
    },
  },
  {
    path: ["session", "destroy"],
    ...ID_ARG,
    summary: "remove the container, workspace and record (unpushed work goes to the trash first)",
    async run(ctx, inv) {
      const r = await ctx.client().session.destroy(byId(inv), { signal: ctx.signal });
      if (ctx.json) return printJson(r);
      ctx.out(`destroyed ${ctx.st.bold(r.session_id)}`);
      if (r.trash?.kept) ctx.out(`unpushed work of ${r.trash.repos.join(", ")} kept for ${r.trash.keep_days} days in ${r.trash.path}`);
    },
  },
  {
    path: ["session", "sync"],
    ...ID_ARG,
    summary: "bring upstream changes from CODEROOT in (the session's own changes win)",
    async run(ctx, inv) {
      const r = await ctx.client().session.sync(byId(inv), { signal: ctx.signal });
      if (ctx.json) return printJson(r);
      for (const repo of r.repos) {
        ctx.out(`${ctx.st.bold(repo.name)}: ${repo.updated.length} updated, ${repo.conflicts.length} kept as the session has them`);
        for (const f of repo.updated) ctx.out(`  ${ctx.st.green("updated")}   ${f}`);
        for (const f of repo.conflicts) ctx.out(`  ${ctx.st.yellow("conflict")}  ${f}`);
      }
    },
  },
  {
    path: ["repo", "list"],
    summary: "the git repositories under CODEROOT",
    maxArgs: 0,
    async run(ctx) {
      const repos = await ctx.client().repo.list(undefined, { signal: ctx.signal });
      if (ctx.json) return printJson(repos);
      if (repos.length === 0) return ctx.out("no git repositories under CODEROOT (see `hero-claude server info`)");
      ctx.out(
        table(
          ["NAME", "BRANCH", "HEAD", "DIRTY", "REMOTE"],
          repos.map((r) => [
            ctx.st.bold(r.name),
            r.branch ?? "-",
            r.head ? `${r.head.sha.slice(0, 8)} ${oneLine(r.head.subject, 40)}` : "-",
            r.dirty ? ctx.st.yellow("yes") : "no",
            r.remote_url ?? "-",
          ]),
          ctx.st,
        ),
      );
    },
  },
  {
    path: ["repo", "info"],
    args: "NAME",
    minArgs: 1,
    maxArgs: 1,
    argComplete: ["repos"],
    summary: "one repository: branches, size, recent commits",
    async run(ctx, inv) {
      const r = await ctx.client().repo.info({ name: inv.args[0]! }, { signal: ctx.signal });
      if (ctx.json) return printJson(r);
      ctx.out(
        keyValues(
          [
            ["name", ctx.st.bold(r.name)],
            ["path", r.path],
            ["branch", r.branch ?? "-"],
            ["remote", r.remote_url ?? "-"],
            ["head", r.head ? `${r.head.sha.slice(0, 10)} ${r.head.subject} (${r.head.date})` : "-"],
            ["dirty", r.dirty ? ctx.st.yellow("yes") : "no"],
            ["size", `${bytes(r.size_bytes)}, ${r.file_count} tracked files`],
            ["branches", r.branches.join(", ") || "-"],
          ],
          ctx.st,
        ),
      );
      if (r.recent_commits.length) {
        ctx.out("");
        ctx.out(table(["COMMIT", "DATE", "AUTHOR", "SUBJECT"], r.recent_commits.map((c) => [c.sha.slice(0, 10), c.date, c.author, oneLine(c.subject, 60)]), ctx.st));
      }
    },
  },
  {
    path: ["server", "info"],
    summary: "version, paths, image, container engine, session counts",
    maxArgs: 0,
    async run(ctx) {
      const i = await ctx.client().server.info(undefined, { signal: ctx.signal });
      if (ctx.json) return printJson(i);
      const counts = Object.entries(i.sessions.by_state).map(([k, v]) => `${k} ${v}`).join(", ");
      ctx.out(
        keyValues(
          [
            ["version", `${i.name} ${i.version}, up ${duration(i.uptime_s)}`],
            ["coderoot", i.coderoot],
            ["builddir", i.builddir],
            ["image", `${i.image.name} (${i.image.present ? ctx.st.green("present") : ctx.st.yellow("missing: make image")})`],
            ["runtime", `${i.runtime.kind} ${i.runtime.reachable ? ctx.st.green(`reachable${i.runtime.version ? ` (${i.runtime.version})` : ""}`) : ctx.st.red("unreachable")}`],
            ["sockets", `${i.sockets.server}, ${i.sockets.ui}`],
            ["sessions", `${i.sessions.total}${counts ? ` (${counts})` : ""}`],
          ],
          ctx.st,
        ),
      );
    },
  },
  {
    path: ["server", "health"],
    summary: "liveness: prints ok when the server answers",
    maxArgs: 0,
    async run(ctx) {
      const ok = await ctx.client().server.health(undefined, { signal: ctx.signal });
      if (ctx.json) return printJson(ok);
      ctx.out(ok ? ctx.st.green("ok") : "not ok");
      return ok ? EXIT.ok : EXIT.failure;
    },
  },
  {
    path: ["logs", "get"],
    summary: "operation log entries, oldest first",
    options: {
      session: { type: "string", value: "ID", desc: "only this session's entries", complete: "sessions" },
      level: { type: "string", value: "LEVEL", desc: `at least this level (${LEVELS.join(", ")})`, complete: LEVELS },
      since: { type: "string", value: "TIME", desc: "ISO 8601 time, or 10m / 2h / 1d ago" },
      limit: { type: "string", value: "N", desc: "the newest N entries" },
    },
    maxArgs: 0,
    async run(ctx, inv) {
      const since = str(inv, "since");
      const entries = await ctx.client().logs.get(
        {
          session_id: str(inv, "session"),
          level: oneOf(inv, "level", LEVELS),
          since: since === undefined ? undefined : parseSince(since),
          limit: num(inv, "limit", { int: true }),
        },
        { signal: ctx.signal },
      );
      if (ctx.json) return printJson(entries);
      if (entries.length === 0) return ctx.out("no log entries");
      const lvl = (l: LogEntry["level"]) => (l === "error" ? ctx.st.red(l) : l === "warn" ? ctx.st.yellow(l) : l === "debug" ? ctx.st.dim(l) : l);
      ctx.out(table(["TIME", "LEVEL", "OP", "SESSION", "MESSAGE"], entries.map((e) => [e.ts, lvl(e.level), e.op, e.session_id ?? "-", oneLine(e.message, 120)]), ctx.st));
    },
  },
  {
    path: ["logs", "clear"],
    summary: "clear the operation log",
    maxArgs: 0,
    async run(ctx) {
      const r = await ctx.client().logs.clear(undefined, { signal: ctx.signal });
      if (ctx.json) return printJson(r);
      ctx.out(`cleared ${r.cleared} entries`);
    },
  },
  {
    path: ["__complete"],
    args: "sessions|repos",
    hidden: true,
    summary: "names for shell completion",
    async run(ctx, inv) {
      try {
        const client = ctx.client();
        if (inv.args[0] === "sessions") {
          const r = await client.session.list({ limit: 1000 }, { timeoutMs: 3000 });
          for (const s of r.sessions) ctx.out(s.id);
        } else if (inv.args[0] === "repos") {
          for (const r of await client.repo.list(undefined, { timeoutMs: 3000 })) ctx.out(r.name);
        }
      } catch {
        // completion stays silent when the server is down
      }
      return EXIT.ok;
    },
  },
];
