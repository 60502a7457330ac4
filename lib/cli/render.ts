/**
 * The live transcript in a terminal: the prompt, assistant text, each tool use with its input on one
 * line, results (errors in red), and the cost when a run ends.
 */
import type { Session, TranscriptEvent } from "../sdk/types";
import type { SessionUpdate } from "../sdk/watch";
import { duration, oneLine, usd, type Style } from "./output";

const width = () => Math.max(40, Math.min(process.stdout.columns || 120, 200));

/** The input of a tool use, on one line: the field that says what it does, else compact JSON. */
export function toolInput(name: string, input: unknown): string {
  if (input && typeof input === "object") {
    const o = input as Record<string, unknown>;
    for (const key of ["command", "file_path", "path", "pattern", "url", "query", "description", "prompt"]) {
      if (typeof o[key] === "string") {
        const rest = Object.keys(o).filter((k) => k !== key && o[k] !== undefined).length;
        return `${o[key] as string}${rest && name !== "Bash" ? ` (+${rest} field${rest > 1 ? "s" : ""})` : ""}`;
      }
    }
  }
  return JSON.stringify(input) ?? "";
}

/** The lines for one transcript event (none for events a person does not need to see). */
export function renderEvent(ev: TranscriptEvent, st: Style, verbose = false): string[] {
  const w = width();
  switch (ev.type) {
    case "system": {
      const mcp = ev.mcp_servers.length ? `, mcp ${ev.mcp_servers.map((m) => `${m.name} (${m.status})`).join(", ")}` : "";
      const version = ev.claude_code_version ? `claude code ${ev.claude_code_version}, ` : "";
      return [st.dim(`· ${version}model ${ev.model}, ${ev.tools.length} tools${mcp}`)];
    }
    case "user_prompt":
      return [st.bold(st.cyan("▶ prompt")), ...ev.text.trimEnd().split("\n").slice(0, verbose ? undefined : 12).map((l) => `  ${l}`)];
    case "assistant_text": {
      const prefix = ev.parent_tool_use_id ? st.dim("  ┊ ") : "";
      return ev.text.trimEnd().split("\n").map((l) => prefix + l);
    }
    case "tool_use":
      return [`${ev.parent_tool_use_id ? st.dim("  ┊ ") : ""}${st.yellow("→")} ${st.bold(ev.name)} ${st.dim(oneLine(toolInput(ev.name, ev.input), w - ev.name.length - 6))}`];
    case "tool_result": {
      const lines = ev.content.split("\n").filter((l) => l.trim() !== "");
      const head = lines[0] ? oneLine(lines[0], w - 20) : "(no output)";
      const more = lines.length > 1 ? st.dim(` (+${lines.length - 1} lines)`) : "";
      const indent = ev.parent_tool_use_id ? st.dim("  ┊ ") : "";
      if (verbose) return [indent + (ev.is_error ? st.red("  ← error") : st.dim("  ←")), ...lines.map((l) => `${indent}    ${l}`)];
      return [`${indent}  ${ev.is_error ? st.red(`← error: ${head}`) : `${st.dim("←")} ${st.dim(head)}`}${more}`];
    }
    case "result": {
      const summary = `${ev.num_turns} turn${ev.num_turns === 1 ? "" : "s"}, ${usd(ev.total_cost_usd)} total, ${duration(ev.duration_ms / 1000)}, ${ev.usage.input_tokens} in / ${ev.usage.output_tokens} out tokens`;
      return ev.is_error
        ? [st.red(st.bold(`✘ failed (${ev.subtype}): `)) + oneLine(ev.result, w), st.dim(`  ${summary}`)]
        : [st.green(st.bold("✔ done")) + st.dim(` — ${summary}`)];
    }
    case "error":
      return [st.red(`! ${ev.message}`)];
    case "unknown":
      return verbose ? [st.dim(`? ${oneLine(JSON.stringify(ev.raw), w)}`)] : [];
    default:
      return [];
  }
}

/** One line for a session change worth showing while watching (state or agent state changed). */
export function renderSessionChange(prev: SessionUpdate | undefined, next: SessionUpdate, st: Style): string | undefined {
  if (!("name" in next)) return st.magenta(`■ session ${next.id} destroyed`);
  const p = prev && "name" in prev ? (prev as Session) : undefined;
  const parts: string[] = [];
  if (!p || p.state !== next.state) parts.push(`session ${st.bold(next.state)}`);
  if (!p || p.agent.state !== next.agent.state) parts.push(`agent ${st.bold(next.agent.state)}`);
  if (next.error && (!p || p.error !== next.error)) parts.push(st.red(next.error));
  if (!p) return undefined; // the initial snapshot is printed by the caller
  return parts.length ? st.magenta("■ ") + parts.join(", ") : undefined;
}
