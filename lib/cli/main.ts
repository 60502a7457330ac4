/**
 * `hero-claude`: the command line over the SDK (bundled to dist/cli.mjs; bin/hero-claude.mjs runs it).
 * - commands are matched by their words (`session create`), anywhere before their options;
 * - global options (--json, --socket, --url, --timeout, --debug, --no-color) go anywhere;
 * - errors print one line and exit with a status that says what happened (see `--help`).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createClient, type HeroClaudeClient } from "../sdk/client";
import { apiCommands } from "./api-commands";
import { bashScript, zshScript } from "./completion";
import { debugDetails, describeError, errorJson, EXIT, EXIT_HELP, exitCodeOf, UsageError } from "./errors";
import { printJson, style, useColor } from "./output";
import { packageRoot } from "./paths";
import { serviceCommands } from "./service";
import { GLOBAL_OPTIONS, type CommandSpec, type Ctx, type Invocation, type OptionSpec } from "./spec";

const COMMANDS: CommandSpec[] = [
  ...serviceCommands,
  ...apiCommands,
  {
    path: ["completion"],
    args: "bash|zsh",
    minArgs: 1,
    maxArgs: 1,
    argComplete: [["bash", "zsh"]],
    summary: "print a shell completion script",
    details: "bash: hero-claude completion bash > ~/.local/share/bash-completion/completions/hero-claude\nzsh:  hero-claude completion zsh > \"${fpath[1]}/_hero-claude\"",
    async run(ctx, inv) {
      const shell = inv.args[0];
      if (shell === "bash") process.stdout.write(bashScript(COMMANDS));
      else if (shell === "zsh") process.stdout.write(zshScript(COMMANDS));
      else throw new UsageError(`completion scripts exist for bash and zsh, not ${JSON.stringify(shell)}`);
    },
  },
];

const GROUPS: Record<string, string> = {
  session: "sessions: create, start, watch, finish…",
  repo: "the repositories under CODEROOT",
  server: "the server's info and health",
};

function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function optionHelp(options: Record<string, OptionSpec>): string[][] {
  return Object.entries(options).map(([name, o]) => [
    `  ${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}${o.multiple ? " …" : ""}`,
    o.desc,
  ]);
}

function columns(rows: string[][]): string {
  const w = Math.max(...rows.map((r) => r[0]!.length));
  return rows.map(([a, b]) => `${a!.padEnd(w)}  ${b}`).join("\n");
}

function usageOf(c: CommandSpec): string {
  const opts = c.options && Object.keys(c.options).length ? " [options]" : "";
  return `hero-claude ${c.path.join(" ")}${c.args ? ` ${c.args}` : ""}${opts}`;
}

function mainHelp(): string {
  const visible = COMMANDS.filter((c) => !c.hidden);
  const service = visible.filter((c) => c.path.length === 1 && serviceCommands.includes(c));
  const api = visible.filter((c) => !service.includes(c));
  const rows = (cs: CommandSpec[]) => cs.map((c) => [`  ${c.path.join(" ")}${c.args ? ` ${c.args}` : ""}`, c.summary]);
  return [
    `hero-claude ${version()}: run Claude Code sessions in Docker containers, through the hero_claude server.`,
    "",
    "Usage: hero-claude <command> [arguments] [options]",
    "",
    "Service:",
    columns(rows(service)),
    "",
    "API:",
    columns(rows(api)),
    "",
    "Global options:",
    columns([...optionHelp(GLOBAL_OPTIONS), ["  -V, --version", "print the version"]]),
    "",
    "Exit status:",
    columns(EXIT_HELP.map(([code, what]) => [`  ${code}`, what])),
    "",
    "Quick start:",
    "  hero-claude start",
    '  hero-claude session create --repo my_repo --task "Fix the failing test" --start --wait',
    "",
    "Environment: HERO_SOCKET_DIR picks the sockets (default ~/hero/var/sockets); the server reads CODEROOT,",
    "BUILDDIR and the rest (see CONTRACT.md). NO_COLOR=1 turns colours off. `hero-claude <command> --help` for more.",
  ].join("\n");
}

function groupHelp(group: string): string {
  const cs = COMMANDS.filter((c) => c.path[0] === group && c.path.length > 1 && !c.hidden);
  const own = COMMANDS.find((c) => c.path.length === 1 && c.path[0] === group);
  const rows = cs.map((c) => [`  ${c.path.slice(1).join(" ")}${c.args ? ` ${c.args}` : ""}`, c.summary]);
  if (own) rows.unshift([`  (none)${own.args ? ` ${own.args}` : ""}`, own.summary]);
  return [`Usage: hero-claude ${group} <command> [arguments] [options]`, "", GROUPS[group] ?? "", "", columns(rows), "", "`hero-claude " + group + " <command> --help` for its options."].join("\n");
}

function commandHelp(c: CommandSpec): string {
  const lines = [`Usage: ${usageOf(c)}`, "", c.summary];
  if (c.details) lines.push("", c.details);
  if (c.options && Object.keys(c.options).length) lines.push("", "Options:", columns(optionHelp(c.options)));
  lines.push("", "Global options:", columns(optionHelp(GLOBAL_OPTIONS)));
  return lines.join("\n");
}

const globalValueOptions = new Set(Object.entries(GLOBAL_OPTIONS).filter(([, o]) => o.type === "string").map(([n]) => `--${n}`));

/** The command named by the leading words of argv (global options may come first), and argv without those words. */
function findCommand(argv: string[]): { command?: CommandSpec; group?: string; rest: string[]; words: string[] } {
  const wordIdx: number[] = [];
  for (let i = 0; i < argv.length && wordIdx.length < 2; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (a.startsWith("-")) {
      if (globalValueOptions.has(a)) {
        i++;
        continue;
      }
      if (a.startsWith("--") && a.includes("=")) continue;
      if (Object.keys(GLOBAL_OPTIONS).some((o) => a === `--${o}`) || a === "-h" || a === "-V" || a === "--version") continue;
      break; // a command option: the command words are behind us
    }
    wordIdx.push(i);
  }
  const words = wordIdx.map((i) => argv[i]!);
  const drop = (n: number) => argv.filter((_, i) => !wordIdx.slice(0, n).includes(i));
  if (words.length >= 2) {
    const two = COMMANDS.find((c) => c.path.length === 2 && c.path[0] === words[0] && c.path[1] === words[1]);
    if (two) return { command: two, rest: drop(2), words };
  }
  if (words.length >= 1) {
    const one = COMMANDS.find((c) => c.path.length === 1 && c.path[0] === words[0]);
    if (one) return { command: one, rest: drop(1), words };
    if (COMMANDS.some((c) => c.path[0] === words[0])) return { group: words[0], rest: drop(1), words };
  }
  return { rest: argv, words };
}

function parse(c: CommandSpec | undefined, argv: string[]): Invocation {
  const options = { ...(c?.options ?? {}), ...GLOBAL_OPTIONS, ...(c ? {} : { version: { type: "boolean", short: "V", desc: "" } }) } as Record<
    string,
    OptionSpec
  >;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(options).map(([n, o]) => [n, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, "").replace(/^Unknown option/, "unknown option");
    throw new UsageError(msg);
  }
  const term = parsed.tokens.find((t) => t.kind === "option-terminator");
  const args: string[] = [];
  const rest: string[] = [];
  for (const t of parsed.tokens) {
    if (t.kind !== "positional") continue;
    if (term && t.index > term.index) rest.push(t.value);
    else args.push(t.value);
  }
  return { values: parsed.values as Invocation["values"], args, rest };
}

/** Run the CLI; resolves with the exit status. */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort(new DOMException("interrupted", "AbortError"));
  };
  process.on("SIGINT", onSigint);
  let json = argv.includes("--json");
  let debug = argv.includes("--debug");
  const noColor = argv.includes("--no-color");
  const stErr = style(useColor(process.stderr, env, noColor));
  let client: HeroClaudeClient | undefined;
  try {
    const found = findCommand(argv);
    if (found.command === undefined && found.group === undefined && found.words.length > 0 && found.words[0] !== "help") {
      throw new UsageError(`unknown command ${JSON.stringify(found.words[0])}`);
    }
    if (found.words[0] === "help") {
      const sub = findCommand(argv.slice(argv.indexOf("help") + 1));
      process.stdout.write(`${sub.command ? commandHelp(sub.command) : sub.group ? groupHelp(sub.group) : mainHelp()}\n`);
      return EXIT.ok;
    }
    const inv = parse(found.command, found.rest);
    json = inv.values.json === true;
    debug = inv.values.debug === true;
    if (inv.values.version === true && !found.command && !found.group) {
      process.stdout.write(json ? `${JSON.stringify({ version: version() })}\n` : `hero-claude ${version()}\n`);
      return EXIT.ok;
    }
    if (!found.command) {
      if (found.group) {
        if (inv.values.help !== true && inv.args.length > 0) throw new UsageError(`unknown command ${JSON.stringify(`${found.group} ${inv.args[0]}`)}`);
        process.stdout.write(`${groupHelp(found.group)}\n`);
        return inv.values.help === true ? EXIT.ok : EXIT.usage;
      }
      process.stdout.write(`${mainHelp()}\n`);
      return inv.values.help === true ? EXIT.ok : EXIT.usage;
    }
    const c = found.command;
    if (inv.values.help === true) {
      process.stdout.write(`${commandHelp(c)}\n`);
      return EXIT.ok;
    }
    if (inv.rest.length > 0 && !c.passthrough) throw new UsageError(`${c.path.join(" ")} takes nothing after --`);
    if (c.minArgs !== undefined && inv.args.length < c.minArgs) throw new UsageError(`missing argument: ${usageOf(c)}`);
    const max = c.maxArgs ?? c.minArgs;
    if (max !== undefined && inv.args.length > max) {
      throw new UsageError(`unexpected argument ${JSON.stringify(inv.args[max])}: ${usageOf(c)}${c.path.length === 1 && c.path[0] === "logs" ? " (or `logs get`, `logs clear`)" : ""}`);
    }
    const timeoutRaw = inv.values.timeout;
    let timeoutMs: number | undefined;
    if (typeof timeoutRaw === "string") {
      const s = Number(timeoutRaw);
      if (!Number.isFinite(s) || s < 0) throw new UsageError("--timeout takes a number of seconds (0: none)");
      timeoutMs = Math.round(s * 1000);
    }
    const socketPath = typeof inv.values.socket === "string" ? path.resolve(inv.values.socket) : undefined;
    const url = typeof inv.values.url === "string" ? inv.values.url : undefined;
    if (url) {
      try {
        new URL(url);
      } catch {
        throw new UsageError(`--url ${JSON.stringify(url)} is not a URL`);
      }
    }
    const ctx: Ctx = {
      json,
      debug,
      st: style(!json && useColor(process.stdout, env, inv.values["no-color"] === true)),
      stErr,
      socketPath,
      url,
      timeoutMs,
      env,
      signal: controller.signal,
      client: () => (client ??= createClient({ socketPath, url, timeoutMs })),
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    };
    const code = await c.run(ctx, inv);
    return typeof code === "number" ? code : EXIT.ok;
  } catch (err) {
    if (json) printJson(errorJson(err));
    process.stderr.write(`${stErr.red("error:")} ${describeError(err)}\n`);
    if (debug) process.stderr.write(`${debugDetails(err)}\n`);
    return exitCodeOf(err);
  } finally {
    process.off("SIGINT", onSigint);
    client?.close();
  }
}

export { COMMANDS };
