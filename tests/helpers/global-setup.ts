// Integration tests run the built server: the server bundle is always rebuilt (esbuild, fast);
// the Next.js build only when missing (`make test` and CI always build both).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export default function setup(): void {
  const root = path.resolve(import.meta.dirname, "../..");
  if (!existsSync(path.join(root, ".next/BUILD_ID"))) {
    execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  } else {
    execFileSync(process.execPath, ["scripts/build-server.mjs"], { cwd: root, stdio: "inherit" });
  }
}
