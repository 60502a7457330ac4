/**
 * Run a whole session: create it, start the agent on the task, wait until it is done, print its answer.
 *   npx tsx examples/run-session.ts --repo my_repo [--repo other] --task "Fix the failing test" [--socket PATH]
 */
import { parseArgs } from "node:util";
import { createClient, HeroClaudeError, type WatchEvent } from "hero-claude/sdk";

const USAGE = 'usage: run-session.ts --repo NAME [--repo NAME…] --task "TEXT" [--name NAME] [--socket PATH]';

let values;
try {
  ({ values } = parseArgs({
    options: {
      repo: { type: "string", multiple: true },
      task: { type: "string" },
      name: { type: "string" },
      socket: { type: "string" },
    },
  }));
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (!values.repo?.length || !values.task) {
  console.error(USAGE);
  process.exit(2);
}

const client = createClient({ socketPath: values.socket });
const abort = new AbortController();
process.once("SIGINT", () => abort.abort());

// Show what the agent does while we wait: its text and each tool it uses.
function show(ev: WatchEvent): void {
  if (ev.event !== "transcript") return;
  for (const e of ev.data.events) {
    if (e.type === "assistant_text") console.log(e.text);
    else if (e.type === "tool_use") console.log(`→ ${e.name} ${JSON.stringify(e.input).slice(0, 100)}`);
  }
}

try {
  const session = await client.session.create({ repos: values.repo, task: values.task, name: values.name });
  console.log(`created ${session.id} (${session.name})`);
  const final = await client.waitForAgent(session.id, {
    trigger: () => client.session.start({ session_id: session.id }),
    onEvent: show,
    signal: abort.signal,
  });
  console.log(`\nagent ${final.agent.state} after ${final.agent.turns} turns, $${final.agent.cost_usd.toFixed(4)}`);
  if (final.agent.last_result) console.log(final.agent.last_result);
  console.log(`\nnext: hero-claude session diff ${final.id}; npx tsx examples/finish-session.ts ${final.id}`);
  process.exitCode = final.agent.state === "done" ? 0 : 1;
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
