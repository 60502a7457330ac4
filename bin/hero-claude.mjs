#!/usr/bin/env node
// The hero-claude command: runs the CLI bundle (dist/cli.mjs, built by `npm run build`).
import { existsSync } from "node:fs";

const bundle = new URL("../dist/cli.mjs", import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write("hero-claude: dist/cli.mjs is missing; build first (`npm run build`, or `node scripts/build-server.mjs`)\n");
  process.exit(1);
}
const { run } = await import(bundle.href);
process.exitCode = await run(process.argv.slice(2));
