"use client";
/** API: the OpenRPC document rendered (methods, params, results, errors) with "try it", and how to connect. */
import { useMemo, useState, useSyncExternalStore, type KeyboardEvent, type ReactNode } from "react";
import { RpcError } from "../api";
import { useClient, usePrefix } from "../client";
import { highlight } from "../components/highlight";
import { IconBook, IconCode, IconPlay, IconSearch } from "../components/icons";
import { Badge, Button, Card, CardHeader, CopyButton, cx, EmptyState, ErrorBox, Input, PageHeader, Segmented, Skeleton, Textarea } from "../components/ui";
import { duration } from "../format";
import { useOpenRpc, useServerInfo, type JsonSchema, type OpenRpcMethod } from "../hooks";
import { withPrefix } from "../prefix";

const READ_ONLY = /\.(list|info|get|logs|transcript|diff|health|discover)$/;

/** A short type for a JSON schema: `string`, `number ≥ 1`, `"a" | "b"`, `string[]`, `object`. */
function typeOf(s: JsonSchema | undefined): string {
  if (!s) return "any";
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ");
  if ("const" in s) return JSON.stringify(s.const);
  if (Array.isArray(s.anyOf)) return (s.anyOf as JsonSchema[]).map(typeOf).join(" | ");
  if (Array.isArray(s.oneOf)) return (s.oneOf as JsonSchema[]).map(typeOf).join(" | ");
  const t = Array.isArray(s.type) ? (s.type as string[]).join(" | ") : (s.type as string | undefined);
  if (t === "array") return `${typeOf(s.items as JsonSchema | undefined)}[]`;
  if (t === "integer") return "integer";
  return t ?? "any";
}

function constraints(s: JsonSchema): string[] {
  const out: string[] = [];
  if (typeof s.minimum === "number") out.push(`≥ ${s.minimum}`);
  if (typeof s.exclusiveMinimum === "number") out.push(`> ${s.exclusiveMinimum}`);
  if (typeof s.maximum === "number") out.push(`≤ ${s.maximum}`);
  if (typeof s.minLength === "number" && s.minLength > 0) out.push(`min length ${s.minLength}`);
  if (typeof s.maxLength === "number") out.push(`max length ${s.maxLength}`);
  if (typeof s.minItems === "number" && s.minItems > 0) out.push(`at least ${s.minItems}`);
  if (typeof s.maxItems === "number") out.push(`at most ${s.maxItems}`);
  if (typeof s.pattern === "string") out.push(`pattern ${s.pattern}`);
  if (typeof s.format === "string") out.push(s.format);
  return out;
}

/** A params skeleton for "try it": required params with a plausible value. */
function example(m: OpenRpcMethod): string {
  const sample = (s: JsonSchema): unknown => {
    if (Array.isArray(s.enum)) return s.enum[0];
    const t = Array.isArray(s.type) ? s.type[0] : s.type;
    if (t === "array") return [sample((s.items as JsonSchema) ?? {})];
    if (t === "number" || t === "integer") return typeof s.minimum === "number" ? s.minimum : 1;
    if (t === "boolean") return false;
    if (t === "object") return {};
    return "";
  };
  const params: Record<string, unknown> = {};
  for (const p of m.params) if (p.required) params[p.name] = sample(p.schema);
  return JSON.stringify(params, null, 2);
}

function Code({ text, lang, wrap }: { text: string; lang?: string; wrap?: boolean }) {
  const html = useMemo(() => highlight(text, lang), [text, lang]);
  return (
    <div className="group relative">
      <pre className={cx("overflow-x-auto rounded-md border border-line bg-surface-2 px-3 py-2 pr-9 font-mono text-[12px] leading-relaxed", wrap && "break-all whitespace-pre-wrap")}>
        <code dangerouslySetInnerHTML={{ __html: html }} />
      </pre>
      <CopyButton text={text} className="absolute top-1.5 right-1.5 bg-surface-2" />
    </div>
  );
}

const noop = () => () => {};
/** The browser's origin (empty during server rendering). */
function useOrigin(): string {
  return useSyncExternalStore(noop, () => window.location.origin, () => "");
}

function Connect() {
  const prefix = usePrefix();
  const origin = useOrigin();
  const { data: info } = useServerInfo();
  const [client, setClient] = useState<"claude" | "json" | "curl">("claude");
  const base = `${origin}${withPrefix(prefix, "")}`.replace(/\/$/, "");
  const mcp = `${base}/mcp`;
  const socket = info?.sockets.server ?? "~/hero/var/sockets/hero_claude_server.sock";
  const snippets: Record<typeof client, { lang: string; text: string }> = {
    claude: { lang: "bash", text: `claude mcp add --transport http hero_claude ${mcp}` },
    json: {
      lang: "json",
      text: JSON.stringify({ mcpServers: { hero_claude: { type: "http", url: mcp } } }, null, 2),
    },
    curl: {
      lang: "bash",
      text: `curl -s --unix-socket ${socket} http://localhost/rpc \\\n  -H 'content-type: application/json' \\\n  -d '{"jsonrpc":"2.0","id":1,"method":"server.info"}'`,
    },
  };
  const endpoint = (label: string, method: string, url: string, note: ReactNode) => (
    <div className="grid grid-cols-[110px_minmax(0,1fr)] items-baseline gap-3 py-2">
      <div className="text-muted">{label}</div>
      <div className="min-w-0">
        <div className="flex items-start gap-2">
          <Badge tone={method === "POST" ? "accent" : "info"}>{method}</Badge>
          <code className="min-w-0 font-mono text-[12.5px] break-all" data-testid={`endpoint-${label.toLowerCase().replace(/\W+/g, "-")}`}>
            {url}
          </code>
          <CopyButton text={url} />
        </div>
        <div className="mt-0.5 text-xs text-muted">{note}</div>
      </div>
    </div>
  );
  return (
    <div className="grid gap-4 xl:grid-cols-2">
      <Card>
        <CardHeader title="Endpoints" description="The same API is on the server socket, the UI socket and (when set) the TCP port." />
        <div className="divide-y divide-line px-4 text-[13px]">
          {endpoint("JSON-RPC", "POST", `${base}/rpc`, "JSON-RPC 2.0, params by name; batches and notifications work.")}
          {endpoint("OpenRPC", "GET", `${base}/openrpc.json`, "This document; also the rpc.discover method.")}
          {endpoint("Events", "GET", `${base}/events`, "Server-sent events: session, transcript, log, oplog; ?session_id= narrows.")}
          {endpoint("MCP", "POST", mcp, "MCP streamable HTTP; legacy SSE at /sse + /messages.")}
        </div>
      </Card>
      <Card>
        <CardHeader
          title="Connect an MCP client"
          description="Every method is also an MCP tool."
          actions={
            <Segmented
              label="Client"
              value={client}
              onChange={setClient}
              options={[
                { value: "claude", label: "Claude Code" },
                { value: "json", label: "JSON config" },
                { value: "curl", label: "curl" },
              ]}
            />
          }
        />
        <div className="space-y-2 p-4 text-[13px]">
          <Code text={snippets[client].text} lang={snippets[client].lang} wrap />
          <p className="text-xs text-muted">
            {client === "curl" ? (
              <>Local scripts can talk to the server socket directly, no port needed; access is governed by the socket&apos;s file permissions.</>
            ) : (
              <>
                The URL is this dashboard&apos;s address{prefix ? <> (behind the proxy, under <code className="font-mono">{prefix}</code>)</> : null}. Any client that speaks MCP
                over HTTP works the same way.
              </>
            )}
          </p>
        </div>
      </Card>
    </div>
  );
}

function Params({ m }: { m: OpenRpcMethod }) {
  if (m.params.length === 0) return <p className="text-[13px] text-muted">No parameters.</p>;
  return (
    <table className="w-full text-left text-[13px]">
      <thead className="text-xs text-muted">
        <tr className="border-b border-line">
          <th className="py-1.5 pr-3 font-medium">Name</th>
          <th className="py-1.5 pr-3 font-medium">Type</th>
          <th className="py-1.5 font-medium">Notes</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-line">
        {m.params.map((p) => (
          <tr key={p.name} className="align-top">
            <td className="py-1.5 pr-3 font-mono whitespace-nowrap">
              {p.name}
              {p.required ? <span className="text-danger" title="required"> *</span> : <span className="text-faint">?</span>}
            </td>
            <td className="py-1.5 pr-3 font-mono text-xs break-all text-info">{typeOf(p.schema)}</td>
            <td className="py-1.5 text-xs text-muted">
              {[typeof p.schema.description === "string" ? p.schema.description : "", ...constraints(p.schema)].filter(Boolean).join(" · ") || "—"}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TryIt({ m }: { m: OpenRpcMethod }) {
  const client = useClient();
  const [text, setText] = useState(() => example(m));
  const [state, setState] = useState<{ pending: boolean; ms?: number; result?: unknown; error?: unknown; parse?: string }>({ pending: false });
  const mutating = !READ_ONLY.test(m.name);

  const run = async () => {
    let params: unknown;
    try {
      params = text.trim() ? JSON.parse(text) : {};
    } catch (err) {
      setState({ pending: false, parse: `params are not valid JSON: ${(err as Error).message}` });
      return;
    }
    setState({ pending: true });
    const t0 = performance.now();
    try {
      const result = await (client.call as (m: string, p: unknown) => Promise<unknown>)(m.name, params);
      setState({ pending: false, ms: performance.now() - t0, result });
    } catch (error) {
      setState({ pending: false, ms: performance.now() - t0, error });
    }
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) {
      e.preventDefault();
      void run();
    }
  };
  const output = state.result !== undefined ? JSON.stringify(state.result, null, 2) : null;
  return (
    <div className="space-y-3" data-testid="try-it">
      <div className="flex items-center justify-between">
        <h3 className="text-[13px] font-semibold">Try it</h3>
        {mutating && <Badge tone="warn">changes state</Badge>}
      </div>
      <Textarea value={text} onChange={(e) => setText(e.target.value)} onKeyDown={onKey} rows={Math.min(10, Math.max(3, text.split("\n").length))} aria-label="Params (JSON)" className="font-mono text-xs" spellCheck={false} data-testid="try-params" />
      <div className="flex items-center gap-3">
        <Button variant="primary" size="sm" icon={<IconPlay size={12} />} loading={state.pending} onClick={() => void run()} data-testid="try-run">
          Call {m.name}
        </Button>
        <span className="text-xs text-muted">Ctrl + Enter</span>
        {state.ms !== undefined && <span className="ml-auto text-xs text-muted tabular">{duration(state.ms)}</span>}
      </div>
      {state.parse && <ErrorBox error={new Error(state.parse)} title="Invalid params" />}
      {state.error !== undefined && <ErrorBox error={state.error instanceof RpcError ? state.error : new Error(String(state.error))} title={`${m.name} returned an error`} />}
      {output !== null && (
        <div data-testid="try-result">
          <div className="mb-1 flex items-center gap-2 text-xs text-muted">
            <Badge tone="ok">result</Badge>
          </div>
          <Code text={output} lang="json" />
        </div>
      )}
    </div>
  );
}

function MethodDetail({ m }: { m: OpenRpcMethod }) {
  return (
    <Card>
      <div className="border-b border-line px-5 py-4">
        <div className="flex flex-wrap items-center gap-2">
          <h2 className="font-mono text-[15px] font-semibold" data-testid="method-name">
            {m.name}
          </h2>
          {READ_ONLY.test(m.name) ? <Badge tone="ok">read</Badge> : <Badge tone="accent">write</Badge>}
        </div>
        {m.summary && <p className="mt-1.5 text-[13px]">{m.summary}</p>}
        {m.description && <p className="mt-1 text-[13px] text-muted">{m.description}</p>}
      </div>
      <div className="space-y-5 px-5 py-4">
        <section>
          <h3 className="mb-2 text-[13px] font-semibold">Params</h3>
          <Params m={m} />
        </section>
        <section>
          <h3 className="mb-2 text-[13px] font-semibold">
            Result <span className="ml-1 font-mono text-xs font-normal text-info">{typeOf(m.result.schema)}</span>
          </h3>
          <details>
            <summary className="cursor-pointer text-xs text-muted select-none hover:text-fg">JSON schema</summary>
            <div className="mt-2 max-h-80 overflow-auto">
              <Code text={JSON.stringify(m.result.schema, null, 2)} lang="json" />
            </div>
          </details>
        </section>
        {m.errors && m.errors.length > 0 && (
          <section>
            <h3 className="mb-2 text-[13px] font-semibold">Errors</h3>
            <ul className="space-y-1 text-[13px]">
              {m.errors.map((e) => (
                <li key={e.code} className="flex gap-3">
                  <code className="w-14 shrink-0 font-mono text-xs text-danger">{e.code}</code>
                  <span className="text-muted">{e.message}</span>
                </li>
              ))}
            </ul>
          </section>
        )}
        <div className="border-t border-line pt-4">
          <TryIt key={m.name} m={m} />
        </div>
      </div>
    </Card>
  );
}

export function ApiView({ initialMethod }: { initialMethod?: string }) {
  const { data: doc, error, mutate } = useOpenRpc();
  const [q, setQ] = useState("");
  const [selected, setSelected] = useState(initialMethod ?? "server.health");
  const groups = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const by = new Map<string, OpenRpcMethod[]>();
    for (const m of doc?.methods ?? []) {
      if (needle && !m.name.toLowerCase().includes(needle) && !(m.summary ?? "").toLowerCase().includes(needle)) continue;
      const ns = m.name.split(".")[0]!;
      by.set(ns, [...(by.get(ns) ?? []), m]);
    }
    return [...by.entries()];
  }, [doc, q]);
  const method = doc?.methods.find((m) => m.name === selected) ?? doc?.methods[0];

  const select = (name: string) => {
    setSelected(name);
    const url = new URL(window.location.href);
    url.searchParams.set("method", name);
    window.history.replaceState(window.history.state, "", url);
  };

  return (
    <>
      <PageHeader
        title="API"
        description={
          doc ? (
            <>
              {doc.info.title} {doc.info.version}: {doc.methods.length} JSON-RPC methods, described by OpenRPC {doc.openrpc}. The dashboard uses exactly these.
            </>
          ) : (
            "The JSON-RPC methods, described by the server's OpenRPC document."
          )
        }
      />
      <Connect />
      <h2 className="mt-8 mb-3 flex items-center gap-2 text-[15px] font-semibold">
        <IconCode size={16} className="text-muted" /> Methods
      </h2>
      {error && !doc && <ErrorBox error={error} title="The OpenRPC document could not be loaded" onRetry={() => void mutate()} />}
      {!doc && !error && (
        <div className="grid gap-4 lg:grid-cols-[240px_minmax(0,1fr)]">
          <Skeleton className="h-96" />
          <Skeleton className="h-96" />
        </div>
      )}
      {doc && (
        <div className="grid items-start gap-4 lg:grid-cols-[240px_minmax(0,1fr)]">
          <Card className="lg:sticky lg:top-4">
            <div className="relative border-b border-line p-2">
              <IconSearch size={13} className="pointer-events-none absolute top-1/2 left-4.5 -translate-y-1/2 text-faint" />
              <Input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Filter methods…" aria-label="Filter methods" className="h-7 pl-7 text-xs" />
            </div>
            <nav aria-label="Methods" className="max-h-[70vh] overflow-y-auto py-1.5" data-testid="method-list">
              {groups.length === 0 && <EmptyState icon={<IconBook size={16} />} title="No method matches" />}
              {groups.map(([ns, ms]) => (
                <div key={ns} className="py-1">
                  <div className="px-3 py-1 text-[11px] font-semibold tracking-wide text-faint uppercase">{ns}</div>
                  {ms.map((m) => (
                    <button
                      key={m.name}
                      type="button"
                      onClick={() => select(m.name)}
                      aria-current={method?.name === m.name ? "true" : undefined}
                      className={cx(
                        "block w-full truncate px-3 py-1 text-left font-mono text-xs",
                        method?.name === m.name ? "bg-accent-soft text-fg" : "text-muted hover:bg-surface-2 hover:text-fg",
                      )}
                    >
                      {m.name}
                    </button>
                  ))}
                </div>
              ))}
            </nav>
          </Card>
          {method ? <MethodDetail key={method.name} m={method} /> : <EmptyState title="No methods" />}
        </div>
      )}
    </>
  );
}
