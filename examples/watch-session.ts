/**
 * Watch a session live: its transcript from the start, then every new event, until Ctrl-C or destroy.
 *   npx tsx examples/watch-session.ts SESSION_ID [--socket PATH]
 */
import { parseArgs } from "node:util";
import { createClient, HeroClaudeError } from "hero-claude/sdk";

const USAGE = "usage: watch-session.ts SESSION_ID [--socket PATH]";

let parsed;
try {
  parsed = parseArgs({ options: { socket: { type: "string" } }, allowPositionals: true });
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
const [sessionId] = parsed.positionals;
if (!sessionId) {
  console.error(USAGE);
  process.exit(2);
}

const client = createClient({ socketPath: parsed.values.socket });
const abort = new AbortController();
process.once("SIGINT", () => abort.abort());

try {
  // after: 0 replays the whole transcript first; Ctrl-C (the signal) ends the loop quietly.
  for await (const ev of client.watch(sessionId, { after: 0, signal: abort.signal })) {
    if (ev.event === "session") {
      if (!("name" in ev.data)) {
        console.log(`[session ${ev.data.id} destroyed]`);
        break;
      }
      console.log(`[session ${ev.data.state}, agent ${ev.data.agent.state}, $${ev.data.agent.cost_usd.toFixed(4)}]`);
    } else if (ev.event === "transcript") {
      for (const e of ev.data.events) {
        if (e.type === "user_prompt") console.log(`> ${e.text}`);
        else if (e.type === "assistant_text") console.log(e.text);
        else if (e.type === "tool_use") console.log(`→ ${e.name} ${JSON.stringify(e.input).slice(0, 120)}`);
        else if (e.type === "tool_result") console.log(`  ← ${e.is_error ? "error: " : ""}${e.content.split("\n")[0]?.slice(0, 120) ?? ""}`);
        else if (e.type === "result") console.log(`= ${e.is_error ? "failed" : "done"}: ${e.num_turns} turns, $${e.total_cost_usd.toFixed(4)}`);
      }
    }
  }
} catch (err) {
  if (err instanceof HeroClaudeError) {
    console.error(`error: ${err.message}`);
    process.exitCode = 1;
  } else {
    throw err;
  }
} finally {
  client.close();
}
