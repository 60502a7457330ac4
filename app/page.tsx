import type { ResultOf } from "@/lib/api";
import { getApi } from "@/lib/orchestrator/global";

export const dynamic = "force-dynamic";

export default async function Overview() {
  const call = getApi();
  const [info, repos] = (await Promise.all([call("server.info"), call("repo.list")])) as [
    ResultOf<"server.info">,
    ResultOf<"repo.list">,
  ];
  return (
    <main className="mx-auto max-w-5xl space-y-8 p-8">
      <header className="flex items-baseline justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">hero_claude</h1>
        <span className="text-sm text-zinc-500" data-testid="version">
          v{info.version} · up {info.uptime_s}s
        </span>
      </header>
      <section className="grid grid-cols-2 gap-4 text-sm md:grid-cols-4" data-testid="server-info">
        <Stat label="Docker" value={info.runtime.reachable ? `up (${info.runtime.version})` : "unreachable"} ok={info.runtime.reachable} />
        <Stat label="Image" value={info.image.present ? "present" : "missing"} ok={info.image.present} />
        <Stat label="Sessions" value={String(info.sessions.total)} ok />
        <Stat label="Repositories" value={String(repos.length)} ok />
      </section>
      <section className="text-xs text-zinc-500">
        CODEROOT <code>{info.coderoot}</code> · BUILDDIR <code>{info.builddir}</code>
      </section>
      <section>
        <h2 className="mb-3 text-lg font-medium">Repositories</h2>
        {repos.length === 0 ? (
          <p className="text-sm text-zinc-500">No git repositories under CODEROOT.</p>
        ) : (
          <table className="w-full text-left text-sm" data-testid="repos">
            <thead className="text-zinc-500">
              <tr>
                <th className="py-2">Name</th>
                <th>Branch</th>
                <th>Head</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {repos.map((r) => (
                <tr key={r.name} className="border-t border-zinc-200 dark:border-zinc-800">
                  <td className="py-2 font-mono">{r.name}</td>
                  <td className="font-mono">{r.branch ?? "—"}</td>
                  <td className="truncate">{r.head ? `${r.head.sha.slice(0, 8)} ${r.head.subject}` : "no commits"}</td>
                  <td>{r.dirty ? "dirty" : "clean"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}

function Stat({ label, value, ok }: { label: string; value: string; ok: boolean }) {
  return (
    <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="text-zinc-500">{label}</div>
      <div className={ok ? "font-medium" : "font-medium text-red-600"}>{value}</div>
    </div>
  );
}
