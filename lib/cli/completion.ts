/**
 * Shell completion scripts for bash and zsh, generated from the command table (so a new command or
 * option completes with no edit here). Session ids and repository names come from the running
 * server through the hidden `hero-claude __complete sessions|repos`.
 */
import { GLOBAL_OPTIONS, type CommandSpec, type Completer, type OptionSpec } from "./spec";

interface Entry {
  key: string;
  summary: string;
  options: [string, OptionSpec][];
  args: readonly Completer[];
}

function entries(commands: CommandSpec[]): Entry[] {
  return commands
    .filter((c) => !c.hidden)
    .map((c) => ({
      key: c.path.join(" "),
      summary: c.summary,
      options: [...Object.entries(c.options ?? {}), ...Object.entries(GLOBAL_OPTIONS)],
      args: c.argComplete ?? [],
    }));
}

/** First words and, for groups (session, repo…), their subcommands, with summaries. */
function tree(commands: CommandSpec[]): { top: [string, string][]; groups: Map<string, [string, string][]> } {
  const top = new Map<string, string>();
  const groups = new Map<string, [string, string][]>();
  for (const c of commands.filter((c) => !c.hidden)) {
    const [first, second] = c.path;
    if (second === undefined) top.set(first!, c.summary);
    else {
      if (!top.has(first!)) top.set(first!, `${first} commands`);
      groups.set(first!, [...(groups.get(first!) ?? []), [second, c.summary]]);
    }
  }
  top.set("completion", "print a shell completion script (bash or zsh)");
  top.set("help", "help for a command");
  return { top: [...top], groups };
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bashCompleter(c: Completer | undefined): string {
  if (!c) return "";
  if (c === "files") return 'COMPREPLY=($(compgen -f -- "$cur")); return';
  if (c === "sessions" || c === "repos") return `COMPREPLY=($(compgen -W "$(hero-claude __complete ${c} 2>/dev/null)" -- "$cur")); return`;
  return `COMPREPLY=($(compgen -W ${q(c.join(" "))} -- "$cur")); return`;
}

export function bashScript(commands: CommandSpec[]): string {
  const list = entries(commands);
  const { top, groups } = tree(commands);
  const valueOptions = new Set<string>();
  for (const e of list) for (const [name, o] of e.options) if (o.type === "string") valueOptions.add(`--${name}`);
  for (const e of list) for (const [, o] of e.options) if (o.type === "string" && o.short) valueOptions.add(`-${o.short}`);

  const optCases = list
    .map((e) => {
      const names = e.options.flatMap(([n, o]) => [`--${n}`, ...(o.short ? [`-${o.short}`] : [])]);
      return `    ${q(e.key)}) opts=${q(names.join(" "))} ;;`;
    })
    .join("\n");
  const valueCases = list
    .flatMap((e) =>
      e.options
        .filter(([, o]) => o.type === "string" && o.complete)
        .map(([n, o]) => `    ${q(`${e.key}|--${n}`)}) ${bashCompleter(o.complete)} ;;`),
    )
    .join("\n");
  const argCases = list
    .flatMap((e) => e.args.map((c, i) => `    ${q(`${e.key}|${i}`)}) ${bashCompleter(c)} ;;`))
    .join("\n");
  const groupCases = [...groups]
    .map(([g, subs]) => `    ${q(g)}) COMPREPLY=($(compgen -W ${q(subs.map(([s]) => s).join(" "))} -- "$cur")); return ;;`)
    .join("\n");
  const keys = list.map((e) => e.key);

  return `# bash completion for hero-claude
# install: hero-claude completion bash > ~/.local/share/bash-completion/completions/hero-claude
#      or: echo 'source <(hero-claude completion bash)' >> ~/.bashrc
_hero_claude() {
  local cur prev w i key opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local -a words=()
  local skip=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    [[ "$w" == "--" ]] && break
    case " ${[...valueOptions].join(" ")} " in *" $w "*) skip=1; continue ;; esac
    [[ "$w" == -* ]] && continue
    words+=("$w")
  done
  local known=${q(`|${keys.join("|")}|`)}
  key=""
  if ((\${#words[@]} >= 2)) && [[ "$known" == *"|\${words[0]} \${words[1]}|"* ]]; then
    key="\${words[0]} \${words[1]}"; local nargs=$((\${#words[@]} - 2))
  elif ((\${#words[@]} >= 1)) && [[ "$known" == *"|\${words[0]}|"* ]]; then
    key="\${words[0]}"; local nargs=$((\${#words[@]} - 1))
  fi
  if [[ "$prev" == -* ]]; then
    case "$key|$prev" in
${valueCases}
    esac
    case " ${[...valueOptions].join(" ")} " in *" $prev "*)
      case "$prev" in --socket|--log-file|--task-file) COMPREPLY=($(compgen -f -- "$cur")) ;; esac
      return ;;
    esac
  fi
  if ((\${#words[@]} == 0)); then
    if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W ${q(Object.keys(GLOBAL_OPTIONS).map((o) => `--${o}`).join(" ") + " --version")} -- "$cur")); return; fi
    COMPREPLY=($(compgen -W ${q(top.map(([w]) => w).join(" "))} -- "$cur")); return
  fi
  if [[ "\${words[0]}" == completion ]]; then COMPREPLY=($(compgen -W 'bash zsh' -- "$cur")); return; fi
  if [[ -z "$key" || ( "$key" == logs && \${#words[@]} == 1 && "$cur" != -* ) ]]; then
    case "\${words[0]}" in
${groupCases}
    esac
    [[ -z "$key" ]] && return
  fi
  if [[ "$cur" == -* ]]; then
    case "$key" in
${optCases}
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur")); return
  fi
  case "$key|$nargs" in
${argCases}
  esac
}
complete -o default -F _hero_claude hero-claude
`;
}

const zq = (s: string) => s.replace(/\\/g, "\\\\").replace(/'/g, "'\\''").replace(/:/g, "\\:");

function zshCompleter(c: Completer | undefined): string {
  if (!c) return "";
  if (c === "files") return "_files; return";
  if (c === "sessions" || c === "repos") return `compadd -- \${(f)"$(hero-claude __complete ${c} 2>/dev/null)"}; return`;
  return `compadd -- ${c.join(" ")}; return`;
}

export function zshScript(commands: CommandSpec[]): string {
  const list = entries(commands);
  const { top, groups } = tree(commands);
  const valueOptions = new Set<string>();
  for (const e of list) for (const [name, o] of e.options) if (o.type === "string") valueOptions.add(`--${name}`);
  for (const e of list) for (const [, o] of e.options) if (o.type === "string" && o.short) valueOptions.add(`-${o.short}`);
  const describe = (items: [string, string][]) => items.map(([w, d]) => `'${zq(w)}:${zq(d)}'`).join(" ");

  const optCases = list
    .map((e) => {
      const items: [string, string][] = e.options.flatMap(([n, o]) => [[`--${n}`, o.desc] as [string, string], ...(o.short ? [[`-${o.short}`, o.desc] as [string, string]] : [])]);
      return `    '${e.key}') opts=(${describe(items)}) ;;`;
    })
    .join("\n");
  const valueCases = list
    .flatMap((e) => e.options.filter(([, o]) => o.type === "string" && o.complete).map(([n, o]) => `    '${e.key}|--${n}') ${zshCompleter(o.complete)} ;;`))
    .join("\n");
  const argCases = list.flatMap((e) => e.args.map((c, i) => `    '${e.key}|${i}') ${zshCompleter(c)} ;;`)).join("\n");
  const groupCases = [...groups].map(([g, subs]) => `    '${g}') subs=(${describe(subs)}); _describe -t commands 'hero-claude ${g} command' subs; return ;;`).join("\n");
  const keys = list.map((e) => e.key);

  return `#compdef hero-claude
# zsh completion for hero-claude
# install: hero-claude completion zsh > "\${fpath[1]}/_hero-claude"   (then restart zsh)
#      or: echo 'source <(hero-claude completion zsh)' >> ~/.zshrc   (after compinit)
_hero_claude() {
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}" w key nargs
  local -a ws opts subs
  local skip=0 i
  local -a valueopts=(${[...valueOptions].join(" ")})
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    if ((skip)); then skip=0; continue; fi
    [[ "$w" == "--" ]] && break
    if (( \${valueopts[(Ie)$w]} )); then skip=1; continue; fi
    [[ "$w" == -* ]] && continue
    ws+=("$w")
  done
  local known='|${keys.join("|")}|'
  key=""
  if (( \${#ws} >= 2 )) && [[ "$known" == *"|\${ws[1]} \${ws[2]}|"* ]]; then
    key="\${ws[1]} \${ws[2]}"; nargs=$(( \${#ws} - 2 ))
  elif (( \${#ws} >= 1 )) && [[ "$known" == *"|\${ws[1]}|"* ]]; then
    key="\${ws[1]}"; nargs=$(( \${#ws} - 1 ))
  fi
  if [[ "$prev" == -* ]] && (( \${valueopts[(Ie)$prev]} )); then
    case "$key|$prev" in
${valueCases}
    esac
    case "$prev" in --socket|--log-file|--task-file) _files ;; esac
    return
  fi
  if (( \${#ws} == 0 )); then
    if [[ "$cur" == -* ]]; then compadd -- ${Object.keys(GLOBAL_OPTIONS).map((o) => `--${o}`).join(" ")} --version; return; fi
    subs=(${describe(top)})
    _describe -t commands 'hero-claude command' subs; return
  fi
  if [[ "\${ws[1]}" == completion ]]; then compadd -- bash zsh; return; fi
  if [[ -z "$key" || ( "$key" == logs && \${#ws} == 1 && "$cur" != -* ) ]]; then
    case "\${ws[1]}" in
${groupCases}
    esac
    [[ -z "$key" ]] && return
  fi
  if [[ "$cur" == -* ]]; then
    case "$key" in
${optCases}
    esac
    _describe -t options 'option' opts; return
  fi
  case "$key|$nargs" in
${argCases}
  esac
  _files
}
if [[ "\${funcstack[1]}" == "_hero_claude" ]]; then _hero_claude "$@"; else compdef _hero_claude hero-claude; fi
`;
}
