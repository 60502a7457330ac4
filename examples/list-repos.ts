/**
 * List the repositories the server can copy into sessions.
 *   npx tsx examples/list-repos.ts [--socket PATH]
 */
import { parseArgs } from "node:util";
import { createClient } from "hero-claude/sdk";

const { values } = parseArgs({ options: { socket: { type: "string" } } });
const client = createClient({ socketPath: values.socket });

const repos = await client.repo.list();
if (repos.length === 0) console.log("no repositories under CODEROOT");
for (const repo of repos) {
  const head = repo.head ? `${repo.head.sha.slice(0, 8)} ${repo.head.subject}` : "(no commits)";
  console.log(`${repo.name}\t${repo.branch ?? "-"}\t${repo.dirty ? "dirty" : "clean"}\t${head}`);
}
client.close();
