/**
 * GET /sessions/{id}/logs/{kind}: the whole of a session's log as a file download, streamed from
 * disk (`session.logs` returns a bounded tail; this is the dashboard's "Download").
 * `kind` is rsync, claude, container or all (the three in turn, each line tagged `[kind] `).
 */
import { Readable } from "node:stream";
import { concatFiles } from "@/lib/fsutil";
import { getOrchestrator } from "@/lib/orchestrator/global";
import { LOG_KINDS, type LogKind } from "@/lib/orchestrator/paths";

type Params = { params: Promise<{ id: string; kind: string }> };

function refuse(status: number, message: string): Response {
  return new Response(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}

export async function GET(_request: Request, { params }: Params): Promise<Response> {
  const { id, kind } = await params;
  if (kind !== "all" && !(LOG_KINDS as readonly string[]).includes(kind)) {
    return refuse(404, `unknown log "${kind}": use rsync, claude, container or all`);
  }
  let files;
  try {
    files = getOrchestrator().logFiles(id, kind as LogKind | "all");
  } catch (err) {
    // An unknown session (-32001) is the client's mistake; anything else is the server's. The error
    // comes from the server bundle's classes, so it is told by its code, not by instanceof.
    const unknownSession = (err as { code?: unknown }).code === -32001;
    return refuse(unknownSession ? 404 : 500, err instanceof Error ? err.message : String(err));
  }
  const chunks = concatFiles(
    files.map((f) => ({ file: f.file, label: f.kind })),
    kind === "all",
  );
  return new Response(Readable.toWeb(Readable.from(chunks)) as ReadableStream<Uint8Array>, {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "content-disposition": `attachment; filename="${id}-${kind}.log"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
