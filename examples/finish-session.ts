/**
 * Finish a session: commit, push and open pull requests, then print their links.
 *   npx tsx examples/finish-session.ts SESSION_ID [--title TEXT] [--body TEXT] [--draft] [--socket PATH]
 */
import { parseArgs } from "node:util";
import { createClient, HeroClaudeError, MethodNotFoundError } from "hero-claude/sdk";

const USAGE = "usage: finish-session.ts SESSION_ID [--title TEXT] [--body TEXT] [--draft] [--socket PATH]";

let parsed;
try {
  parsed = parseArgs({
    options: { title: { type: "string" }, body: { type: "string" }, draft: { type: "boolean" }, socket: { type: "string" } },
    allowPositionals: true,
  });
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
const [sessionId] = parsed.positionals;
if (!sessionId || parsed.positionals.length > 1) {
  console.error(USAGE);
  process.exit(2);
}

const client = createClient({ socketPath: parsed.values.socket });
try {
  const session = await client.session.finish({
    session_id: sessionId,
    title: parsed.values.title,
    body: parsed.values.body,
    draft: parsed.values.draft,
  });
  console.log(`session ${session.id} is ${session.state}`);
  for (const r of session.results) {
    const where = r.pr_url ?? (r.pushed ? `pushed ${r.branch}` : `not pushed: ${r.skipped_reason ?? "no changes"}`);
    console.log(`${r.repo}: ${where}`);
  }
} catch (err) {
  if (err instanceof MethodNotFoundError) {
    console.error("this server has no session.finish yet; upgrade hero_claude");
    process.exitCode = 1;
  } else if (err instanceof HeroClaudeError) {
    console.error(`error: ${err.message}`);
    process.exitCode = 1;
  } else {
    throw err;
  }
} finally {
  client.close();
}
