// Bundles server.ts, the SDK and the CLI into dist/ with esbuild; npm packages stay external.
// `node scripts/build-server.mjs cli` builds the CLI alone (so `make stop` works while the server does not build).
import { build } from "esbuild";

const common = { bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", sourcemap: true, logLevel: "warning" };
const bundles = {
  server: { entryPoints: ["server.ts"], outfile: "dist/server.mjs" },
  // The SDK and the CLI import only Node built-ins: no server code, no Next.js.
  sdk: { entryPoints: ["lib/sdk/index.ts"], outfile: "dist/sdk.mjs" },
  cli: { entryPoints: ["lib/cli/main.ts"], outfile: "dist/cli.mjs" },
};
const only = process.argv.slice(2);
for (const name of only) if (!(name in bundles)) throw new Error(`unknown bundle ${name}; one of ${Object.keys(bundles).join(", ")}`);
await Promise.all(
  Object.entries(bundles)
    .filter(([name]) => only.length === 0 || only.includes(name))
    .map(([, b]) => build({ ...common, ...b })),
);
