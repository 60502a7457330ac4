import path from "node:path";
import { makeRepo, tempDir } from "../tests/helpers/repos";
import { startServer } from "../tests/helpers/server";
const root = tempDir("hc-probe-");
const coderoot = path.join(root, "code");
makeRepo(path.join(coderoot, "small"), { "a.txt": "a\n" });
const srv = await startServer({ coderoot, env: { HERO_CLAUDE_OCI_RUNTIME: "runsc" } });
try {
  const s = await srv.rpc("session.create", { repos: ["small"], task: "x" });
  const r = await srv.rpcRaw("session.start", { session_id: s.id });
  console.log(JSON.stringify(r).slice(0, 600));
  for (const cmd of [["cat", "/proc/version"], ["id"], ["sh", "-c", "grep -E 'CapEff|NoNewPrivs' /proc/self/status; touch /x || echo ro-ok; touch /tmp/y && echo tmp-ok; ls -la /workspace/code/small"]]) {
    const e = await srv.rpcRaw("session.exec", { session_id: s.id, command: cmd });
    console.log(JSON.stringify(e.result ?? e.error).slice(0, 800));
  }
  console.log(JSON.stringify((await srv.rpc("session.info", { session_id: s.id })).container));
  await srv.rpc("session.destroy", { session_id: s.id });
} finally {
  console.log(srv.output().split("\n").filter((l) => /runtime|warn|error/i.test(l)).slice(-10).join("\n"));
  await srv.stop();
}
