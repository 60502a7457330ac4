"use client";
/**
 * A readable diff: a unified git patch parsed into files and hunks, shown unified or side by side,
 * with line numbers and syntax colouring by file type. Very long files are cut (with a "show all").
 */
import { memo, useMemo, useState } from "react";
import type { DiffFile } from "../api";
import { highlight, languageForPath } from "./highlight";
import { IconChevronDown, IconChevronRight } from "./icons";
import { Badge, Button, cx, type Tone } from "./ui";

export interface PatchLine {
  kind: "ctx" | "add" | "del" | "hunk" | "note";
  text: string;
  old?: number;
  new?: number;
}

export interface PatchFile {
  path: string;
  oldPath?: string;
  binary: boolean;
  lines: PatchLine[];
}

function unquote(p: string): string {
  // git quotes unusual paths: "a/dir/na\"me"
  if (p.startsWith('"') && p.endsWith('"')) {
    try {
      return JSON.parse(p) as string;
    } catch {
      return p.slice(1, -1);
    }
  }
  return p;
}

function stripSide(p: string): string {
  const u = unquote(p.trim());
  return u.startsWith("a/") || u.startsWith("b/") ? u.slice(2) : u;
}

/** Split a unified patch (`git diff` output) into files with numbered lines. */
export function parsePatch(patch: string): PatchFile[] {
  const files: PatchFile[] = [];
  let file: PatchFile | null = null;
  let oldN = 0;
  let newN = 0;
  let inHunk = false;
  for (const line of patch.split("\n")) {
    if (line.startsWith("diff --git ")) {
      const m = /^diff --git (?:"?a\/(.+?)"?) (?:"?b\/(.+?)"?)$/.exec(line);
      file = { path: m?.[2] ?? line.slice(11), oldPath: m?.[1], binary: false, lines: [] };
      files.push(file);
      inHunk = false;
      continue;
    }
    if (!file) {
      if (line.startsWith("--- ") || line.startsWith("@@")) {
        file = { path: "", binary: false, lines: [] };
        files.push(file);
      } else continue;
    }
    if (!inHunk) {
      if (line.startsWith("+++ ")) {
        const p = stripSide(line.slice(4));
        if (p !== "/dev/null") file.path = p;
        continue;
      }
      if (line.startsWith("--- ")) {
        const p = stripSide(line.slice(4));
        if (p !== "/dev/null") file.oldPath = p;
        if (!file.path) file.path = p;
        continue;
      }
      if (line.startsWith("Binary files ") || line.startsWith("GIT binary patch")) {
        file.binary = true;
        continue;
      }
      if (line.startsWith("rename to ")) file.path = unquote(line.slice(10));
      if (line.startsWith("rename from ")) file.oldPath = unquote(line.slice(12));
    }
    if (line.startsWith("@@")) {
      const m = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      oldN = Number(m?.[1] ?? 0);
      newN = Number(m?.[2] ?? 0);
      inHunk = true;
      file.lines.push({ kind: "hunk", text: line });
      continue;
    }
    if (!inHunk) continue;
    if (line.startsWith("+")) file.lines.push({ kind: "add", text: line.slice(1), new: newN++ });
    else if (line.startsWith("-")) file.lines.push({ kind: "del", text: line.slice(1), old: oldN++ });
    else if (line.startsWith(" ")) file.lines.push({ kind: "ctx", text: line.slice(1), old: oldN++, new: newN++ });
    else if (line.startsWith("\\")) file.lines.push({ kind: "note", text: line });
    else if (line === "") {
      // the patch's final newline, or an empty context line some tools emit without the space
    }
  }
  return files;
}

const STATUS_TONE: Record<DiffFile["status"], Tone> = { added: "ok", modified: "info", deleted: "danger", renamed: "violet" };

export function FileStatus({ status }: { status: DiffFile["status"] }) {
  return <Badge tone={STATUS_TONE[status]}>{status}</Badge>;
}

export function Counts({ additions, deletions }: { additions: number; deletions: number }) {
  return (
    <span className="font-mono text-xs tabular">
      <span className="text-ok">+{additions}</span> <span className="text-danger">−{deletions}</span>
    </span>
  );
}

const CUT = 1500;

function Code({ text, lang }: { text: string; lang?: string }) {
  const html = useMemo(() => highlight(text, lang), [text, lang]);
  return <span dangerouslySetInnerHTML={{ __html: html || " " }} />;
}

const ROW_BG: Record<PatchLine["kind"], string> = {
  add: "bg-diff-add",
  del: "bg-diff-del",
  ctx: "",
  hunk: "bg-info-soft text-info",
  note: "text-faint italic",
};
const NUM_BG: Record<PatchLine["kind"], string> = {
  add: "bg-diff-add-strong/70",
  del: "bg-diff-del-strong/70",
  ctx: "",
  hunk: "bg-info-soft",
  note: "",
};

function Num({ n, kind }: { n?: number; kind: PatchLine["kind"] }) {
  return <td className={cx("w-[1%] border-r border-line px-2 text-right align-top text-faint select-none tabular", NUM_BG[kind])}>{n ?? ""}</td>;
}

function Unified({ lines, lang }: { lines: PatchLine[]; lang?: string }) {
  return (
    <table className="w-full border-collapse font-mono text-[12px] leading-[19px]">
      <tbody>
        {lines.map((l, i) =>
          l.kind === "hunk" ? (
            <tr key={i} className={ROW_BG.hunk}>
              <td colSpan={3} className="px-3 py-0.5 text-[11.5px]">
                {l.text}
              </td>
            </tr>
          ) : (
            <tr key={i} className={ROW_BG[l.kind]}>
              <Num n={l.old} kind={l.kind} />
              <Num n={l.new} kind={l.kind} />
              <td className="px-3 whitespace-pre">
                <span className="inline-block w-3 text-faint select-none">{l.kind === "add" ? "+" : l.kind === "del" ? "−" : " "}</span>
                {l.kind === "note" ? l.text : <Code text={l.text} lang={lang} />}
              </td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}

type SplitRow = { hunk: string } | { left?: PatchLine; right?: PatchLine };

function toSplit(lines: PatchLine[]): SplitRow[] {
  const rows: SplitRow[] = [];
  let dels: PatchLine[] = [];
  let adds: PatchLine[] = [];
  const flush = () => {
    for (let i = 0; i < Math.max(dels.length, adds.length); i++) rows.push({ left: dels[i], right: adds[i] });
    dels = [];
    adds = [];
  };
  for (const l of lines) {
    if (l.kind === "del") {
      if (adds.length) flush();
      dels.push(l);
    } else if (l.kind === "add") adds.push(l);
    else {
      flush();
      if (l.kind === "hunk") rows.push({ hunk: l.text });
      else if (l.kind === "ctx") rows.push({ left: l, right: l });
      else rows.push({ left: l, right: l });
    }
  }
  flush();
  return rows;
}

function Side({ line, side, lang }: { line?: PatchLine; side: "left" | "right"; lang?: string }) {
  if (!line) return <td colSpan={2} className="w-1/2 bg-surface-2/50" />;
  const n = side === "left" ? line.old : line.new;
  return (
    <>
      <Num n={n} kind={line.kind} />
      <td className={cx("w-1/2 px-3 whitespace-pre", ROW_BG[line.kind])}>{line.kind === "note" ? line.text : <Code text={line.text} lang={lang} />}</td>
    </>
  );
}

function Split({ lines, lang }: { lines: PatchLine[]; lang?: string }) {
  const rows = useMemo(() => toSplit(lines), [lines]);
  return (
    <table className="w-full table-fixed border-collapse font-mono text-[12px] leading-[19px]">
      <colgroup>
        <col className="w-12" />
        <col />
        <col className="w-12" />
        <col />
      </colgroup>
      <tbody>
        {rows.map((r, i) =>
          "hunk" in r ? (
            <tr key={i} className={ROW_BG.hunk}>
              <td colSpan={4} className="px-3 py-0.5 text-[11.5px]">
                {r.hunk}
              </td>
            </tr>
          ) : (
            <tr key={i}>
              <Side line={r.left} side="left" lang={lang} />
              <Side line={r.right} side="right" lang={lang} />
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}

export const FileDiff = memo(function FileDiff({
  file,
  meta,
  mode,
  id,
}: {
  file: PatchFile | undefined;
  meta: DiffFile;
  mode: "unified" | "split";
  id: string;
}) {
  const [open, setOpen] = useState(true);
  const [all, setAll] = useState(false);
  const lang = languageForPath(meta.path);
  const lines = file?.lines ?? [];
  const shown = all ? lines : lines.slice(0, CUT);
  return (
    <section id={id} className="overflow-hidden rounded-lg border border-line bg-surface shadow-card" data-testid="file-diff">
      <header className="sticky top-0 z-10 flex h-10 items-center gap-2 border-b border-line bg-surface-2/95 px-3 backdrop-blur">
        <button type="button" onClick={() => setOpen(!open)} aria-expanded={open} className="flex min-w-0 flex-1 items-center gap-2 text-left">
          {open ? <IconChevronDown size={14} className="shrink-0 text-muted" /> : <IconChevronRight size={14} className="shrink-0 text-muted" />}
          <span className="truncate font-mono text-[12.5px] font-medium">
            {meta.old_path && meta.old_path !== meta.path ? (
              <>
                <span className="text-muted">{meta.old_path} → </span>
                {meta.path}
              </>
            ) : (
              meta.path
            )}
          </span>
        </button>
        <FileStatus status={meta.status} />
        <Counts additions={meta.additions} deletions={meta.deletions} />
      </header>
      {open && (
        <div className="overflow-x-auto">
          {meta.binary || file?.binary ? (
            <div className="px-4 py-3 text-[13px] text-muted">Binary file; not shown.</div>
          ) : lines.length === 0 ? (
            <div className="px-4 py-3 text-[13px] text-muted">{meta.status === "renamed" ? "Renamed without changes." : "No textual changes."}</div>
          ) : mode === "split" ? (
            <Split lines={shown} lang={lang} />
          ) : (
            <Unified lines={shown} lang={lang} />
          )}
          {!all && lines.length > CUT && (
            <div className="border-t border-line px-4 py-2 text-center">
              <Button size="xs" onClick={() => setAll(true)}>
                Show all {lines.length} lines
              </Button>
            </div>
          )}
        </div>
      )}
    </section>
  );
});
