"use client";
/**
 * New session: repositories, task, name, advanced settings. The form validates with the server's
 * own `SessionCreateParamsSchema`, and shows the server's -32602 issues the same way, per field.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { LIMITS, SessionCreateParamsSchema } from "@/lib/api/schemas";
import { RpcError, type ParamsOf } from "../api";
import { Link, useClient, useNavigate } from "../client";
import { IconBranch, IconChevronRight, IconFolder, IconSearch, IconX } from "../components/icons";
import { Badge, Button, Card, Checkbox, cx, EmptyState, ErrorBox, Field, Input, Kbd, PageHeader, Skeleton, Textarea } from "../components/ui";
import { setFlash } from "../flash";
import { bytes } from "../format";
import { useApplySession, useRepos, useServerInfo } from "../hooks";

type FieldName = "repos" | "task" | "name" | "image" | "cpu" | "memory_gb" | "mcp_servers" | "form";
type Errors = Partial<Record<FieldName, string>>;

const FIELDS: readonly FieldName[] = ["repos", "task", "name", "image", "cpu", "memory_gb", "mcp_servers"];

/** zod (or server) issues → the first message per field. */
function toErrors(issues: { path: readonly PropertyKey[]; message: string }[]): Errors {
  const out: Errors = {};
  for (const i of issues) {
    const head = String(i.path[0] ?? "form");
    const field = (FIELDS as readonly string[]).includes(head) ? (head as FieldName) : "form";
    out[field] ??= field === "form" && i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message;
  }
  return out;
}

function RepoPicker({
  selected,
  onChange,
  invalid,
}: {
  selected: string[];
  onChange: (repos: string[]) => void;
  invalid: boolean;
}) {
  const { data: repos, error, mutate } = useRepos();
  const [q, setQ] = useState("");
  const filtered = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (repos ?? []).filter((r) => !needle || r.name.toLowerCase().includes(needle) || (r.branch ?? "").toLowerCase().includes(needle));
  }, [repos, q]);
  const toggle = (name: string) => onChange(selected.includes(name) ? selected.filter((n) => n !== name) : [...selected, name]);

  return (
    <div className={cx("overflow-hidden rounded-lg border bg-surface shadow-card", invalid ? "border-danger" : "border-line-strong")}>
      <div className="flex items-center gap-2 border-b border-line px-3 py-2">
        <IconSearch size={14} className="text-faint" />
        <input
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={repos ? `Filter ${repos.length} repositories…` : "Loading repositories…"}
          aria-label="Filter repositories"
          className="h-6 flex-1 bg-transparent text-[13px] outline-none placeholder:text-faint"
        />
        <span className="text-xs text-muted tabular">{selected.length} selected</span>
      </div>
      {selected.length > 0 && (
        <div className="flex flex-wrap gap-1.5 border-b border-line bg-surface-2/50 px-3 py-2" aria-label="Selected repositories">
          {selected.map((name) => (
            <span key={name} className="inline-flex h-6 items-center gap-1 rounded-md border border-accent/30 bg-accent-soft pr-1 pl-2 font-mono text-xs">
              {name}
              <button type="button" onClick={() => toggle(name)} aria-label={`Remove ${name}`} className="rounded p-0.5 text-muted hover:text-fg">
                <IconX size={12} />
              </button>
            </span>
          ))}
        </div>
      )}
      <div className="max-h-72 overflow-y-auto" role="group" aria-label="Repositories" data-testid="repo-picker">
        {error && !repos && <ErrorBox error={error} title="Repositories could not be listed" onRetry={() => void mutate()} className="m-3" />}
        {!repos &&
          !error &&
          Array.from({ length: 3 }, (_, i) => (
            <div key={i} className="flex h-12 items-center gap-3 px-3">
              <Skeleton className="size-4" />
              <Skeleton className="h-3.5 w-48" />
            </div>
          ))}
        {repos && repos.length === 0 && (
          <EmptyState icon={<IconFolder size={18} />} title="No repositories under CODEROOT">
            Put git work trees in CODEROOT (one or two levels deep) and they appear here.
          </EmptyState>
        )}
        {repos && repos.length > 0 && filtered.length === 0 && <div className="px-3 py-6 text-center text-[13px] text-muted">No repository matches “{q}”.</div>}
        {filtered.map((r) => {
          const on = selected.includes(r.name);
          return (
            <label
              key={r.name}
              className={cx("flex min-h-12 cursor-pointer items-center gap-3 border-b border-line px-3 py-2 last:border-b-0", on ? "bg-accent-soft/50" : "hover:bg-surface-2/60")}
            >
              <input type="checkbox" checked={on} onChange={() => toggle(r.name)} className="size-4 shrink-0 accent-[var(--accent)]" aria-label={r.name} />
              <div className="min-w-0 flex-1">
                <div className="flex items-center gap-2">
                  <span className="truncate font-mono text-[13px] font-medium">{r.name}</span>
                  {r.dirty && (
                    <Badge tone="warn" title="uncommitted changes in CODEROOT (they are copied too)">
                      dirty
                    </Badge>
                  )}
                </div>
                <div className="mt-0.5 flex min-w-0 items-center gap-1.5 text-xs text-muted">
                  <IconBranch size={12} className="shrink-0" />
                  <span className="font-mono">{r.branch ?? "detached"}</span>
                  {r.head && (
                    <span className="truncate">
                      · <span className="font-mono text-faint">{r.head.sha.slice(0, 7)}</span> {r.head.subject}
                    </span>
                  )}
                </div>
              </div>
            </label>
          );
        })}
      </div>
    </div>
  );
}

export function NewSessionView({ initialRepos = [] }: { initialRepos?: string[] }) {
  const client = useClient();
  const navigate = useNavigate();
  const applySession = useApplySession();
  const { data: info } = useServerInfo();
  const [repos, setRepos] = useState<string[]>(initialRepos);
  const [task, setTask] = useState("");
  const [name, setName] = useState("");
  const [image, setImage] = useState("");
  const [cpu, setCpu] = useState("");
  const [memory, setMemory] = useState("");
  const [mcp, setMcp] = useState("");
  const [startNow, setStartNow] = useState(true);
  const [errors, setErrors] = useState<Errors>({});
  const [submitted, setSubmitted] = useState(false);
  const [phase, setPhase] = useState<"idle" | "creating" | "starting">("idle");
  const [failure, setFailure] = useState<unknown>(null);
  const form = useRef<HTMLFormElement>(null);

  const taskBytes = useMemo(() => new TextEncoder().encode(task).length, [task]);
  const canStart = !info || (info.runtime.reachable && info.image.present);

  /** The params as the server will see them, plus errors zod cannot give (a number field with text). */
  const build = (): { params: Record<string, unknown>; local: Errors } => {
    const local: Errors = {};
    const params: Record<string, unknown> = { repos, task };
    if (name.trim()) params.name = name.trim();
    if (image.trim()) params.image = image.trim();
    const num = (raw: string, field: "cpu" | "memory_gb") => {
      if (!raw.trim()) return;
      const n = Number(raw);
      if (!Number.isFinite(n)) local[field] = "a number, e.g. 2";
      else params[field] = n;
    };
    num(cpu, "cpu");
    num(memory, "memory_gb");
    const servers = mcp
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    if (servers.length) params.mcp_servers = servers;
    return { params, local };
  };

  const validate = (): ParamsOf<"session.create"> | null => {
    const { params, local } = build();
    const parsed = SessionCreateParamsSchema.safeParse(params);
    const errs = { ...(parsed.success ? {} : toErrors(parsed.error.issues)), ...local };
    setErrors(errs);
    return parsed.success && Object.keys(local).length === 0 ? parsed.data : null;
  };

  // After the first submit, errors follow the input as it changes.
  useEffect(() => {
    if (submitted) validate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [repos, task, name, image, cpu, memory, mcp]);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (phase !== "idle") return;
    setSubmitted(true);
    setFailure(null);
    const params = validate();
    if (!params) {
      requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setPhase("creating");
    let created;
    try {
      created = await client.call("session.create", params);
      applySession(created);
    } catch (err) {
      setPhase("idle");
      if (err instanceof RpcError && err.code === -32602 && err.issues.length) setErrors(toErrors(err.issues));
      else setFailure(err);
      return;
    }
    if (startNow && canStart) {
      setPhase("starting");
      try {
        applySession(await client.call("session.start", { session_id: created.id }));
      } catch (err) {
        setFlash(`session:${created.id}`, { tone: "warn", text: `The session was created, but starting it failed: ${(err as Error).message}` });
      }
    }
    navigate(`/sessions/${created.id}`);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) {
      e.preventDefault();
      void submit();
    }
  };

  return (
    <>
      <PageHeader
        eyebrow={
          <Link href="/" className="hover:text-fg">
            Overview
          </Link>
        }
        title="New session"
        description="Pick repositories to copy into a private workspace, describe the task, and let the agent work in its own container."
      />
      <form ref={form} onSubmit={(e) => void submit(e)} onKeyDown={onKeyDown} noValidate className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_320px]" data-testid="new-session-form">
        <div className="space-y-5">
          <Field label="Repositories" error={errors.repos} hint="Each is copied with its .git; CODEROOT itself is never written to.">
            <div aria-invalid={errors.repos ? true : undefined} tabIndex={errors.repos ? -1 : undefined}>
              <RepoPicker
                selected={repos}
                invalid={!!errors.repos}
                onChange={setRepos}
              />
            </div>
          </Field>
          <Field
            label="Task"
            htmlFor="task"
            error={errors.task}
            hint={
              <span className="tabular">
                What the agent should do, in plain words; Markdown is fine. {bytes(taskBytes)} of {LIMITS.taskBytes / 1024} KiB.
              </span>
            }
          >
            <Textarea
              id="task"
              rows={8}
              value={task}
              aria-invalid={errors.task ? true : undefined}
              onChange={(e) => {
                setTask(e.target.value);
              }}
              placeholder="Add a --verbose flag to the CLI, with tests, and update the README."
              className="min-h-40 resize-y"
            />
          </Field>
          <Field label="Name" htmlFor="name" optional error={errors.name} hint="Letters, digits, '.', '_' and '-'; the feature branch is hero-claude/<name>. Derived from the task when empty.">
            <Input
              id="name"
              value={name}
              aria-invalid={errors.name ? true : undefined}
              onChange={(e) => {
                setName(e.target.value);
              }}
              placeholder="add-verbose-flag"
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
            />
          </Field>
          <details className="group rounded-lg border border-line bg-surface shadow-card" open={!!(errors.image || errors.cpu || errors.memory_gb || errors.mcp_servers) || undefined}>
            <summary className="flex h-10 cursor-pointer list-none items-center gap-2 px-4 text-[13px] font-medium select-none">
              <IconChevronRight size={14} className="text-muted transition-transform group-open:rotate-90" />
              Advanced
              <span className="text-xs font-normal text-muted">image, resources, MCP servers</span>
            </summary>
            <div className="grid gap-4 border-t border-line p-4 sm:grid-cols-2">
              <Field label="Image" htmlFor="image" optional error={errors.image} hint={info ? `Default ${info.image.name}` : undefined} className="sm:col-span-2">
                <Input
                  id="image"
                  value={image}
                  aria-invalid={errors.image ? true : undefined}
                  onChange={(e) => {
                    setImage(e.target.value);
                  }}
                  placeholder={info?.image.name ?? "hero-claude-sandbox:latest"}
                  className="font-mono"
                  spellCheck={false}
                />
              </Field>
              <Field label="CPUs" htmlFor="cpu" optional error={errors.cpu}>
                <Input
                  id="cpu"
                  inputMode="decimal"
                  value={cpu}
                  aria-invalid={errors.cpu ? true : undefined}
                  onChange={(e) => {
                    setCpu(e.target.value);
                  }}
                  placeholder="2"
                />
              </Field>
              <Field label="Memory (GiB)" htmlFor="memory" optional error={errors.memory_gb}>
                <Input
                  id="memory"
                  inputMode="decimal"
                  value={memory}
                  aria-invalid={errors.memory_gb ? true : undefined}
                  onChange={(e) => {
                    setMemory(e.target.value);
                  }}
                  placeholder="4"
                />
              </Field>
              <Field label="MCP servers" htmlFor="mcp" optional error={errors.mcp_servers} hint="One per line: a URL or a server definition the agent may use." className="sm:col-span-2">
                <Textarea
                  id="mcp"
                  rows={3}
                  value={mcp}
                  aria-invalid={errors.mcp_servers ? true : undefined}
                  onChange={(e) => {
                    setMcp(e.target.value);
                  }}
                  placeholder="http://127.0.0.1:8931/mcp"
                  className="font-mono text-xs"
                  spellCheck={false}
                />
              </Field>
            </div>
          </details>
        </div>
        <div className="space-y-4">
          <Card className="space-y-4 p-4 xl:sticky xl:top-6">
            <div>
              <div className="text-[13px] font-semibold">Summary</div>
              <dl className="mt-2 space-y-1.5 text-xs">
                <div className="flex justify-between gap-3">
                  <dt className="text-muted">Repositories</dt>
                  <dd className="truncate text-right font-mono">{repos.length ? repos.join(", ") : "—"}</dd>
                </div>
                <div className="flex justify-between gap-3">
                  <dt className="text-muted">Task</dt>
                  <dd className="tabular">{task.trim() ? `${task.trim().split(/\s+/).length} words` : "—"}</dd>
                </div>
                <div className="flex justify-between gap-3">
                  <dt className="text-muted">Branch</dt>
                  <dd className="truncate font-mono">{name.trim() ? `hero-claude/${name.trim()}` : "from the task"}</dd>
                </div>
              </dl>
            </div>
            <Checkbox
              checked={startNow}
              onChange={setStartNow}
              label="Start right away"
              description={canStart ? "Start the container and the agent after the copy." : "The container engine or the sandbox image is not ready; the session will only be created."}
            />
            {errors.form && <ErrorBox error={new Error(errors.form)} title="The server refused these parameters" />}
            {failure ? <ErrorBox error={failure} title="The session could not be created" onDismiss={() => setFailure(null)} /> : null}
            <Button type="submit" variant="primary" className="w-full" loading={phase !== "idle"} data-testid="create-session">
              {phase === "creating" ? "Copying repositories…" : phase === "starting" ? "Starting…" : startNow && canStart ? "Create and start" : "Create session"}
            </Button>
            <p className="text-center text-xs text-muted">
              <Kbd>Ctrl</Kbd> + <Kbd>Enter</Kbd> to submit
            </p>
          </Card>
        </div>
      </form>
    </>
  );
}
