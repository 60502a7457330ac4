"use client";
/** The dashboard's primitives: buttons, badges, cards, fields, dialogs, tabs, empty and error states. */
import {
  forwardRef,
  useEffect,
  useId,
  useRef,
  useState,
  useSyncExternalStore,
  type ButtonHTMLAttributes,
  type HTMLAttributes,
  type InputHTMLAttributes,
  type KeyboardEvent,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";
import { RpcError, RPC_ERRORS } from "../api";
import { ago, dateTime } from "../format";
import { IconAlert, IconCheck, IconCopy, IconLoader, IconX } from "./icons";

export function cx(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(" ");
}

// ---- buttons ------------------------------------------------------------------------------------

type Variant = "primary" | "secondary" | "ghost" | "danger" | "danger-solid";
type Size = "xs" | "sm" | "md";

const VARIANTS: Record<Variant, string> = {
  primary: "bg-accent text-accent-fg hover:bg-accent-hover shadow-card",
  secondary: "bg-surface text-fg border border-line-strong hover:bg-surface-2 shadow-card",
  ghost: "text-muted hover:text-fg hover:bg-surface-2",
  danger: "bg-surface text-danger border border-line-strong hover:bg-danger-soft hover:border-danger/40 shadow-card",
  "danger-solid": "bg-danger text-white hover:opacity-90 shadow-card dark:text-black",
};
const SIZES: Record<Size, string> = {
  xs: "h-6 px-2 text-xs gap-1 rounded",
  sm: "h-7 px-2.5 text-xs gap-1.5 rounded-md",
  md: "h-8 px-3 text-[13px] gap-1.5 rounded-md",
};

/** A button's look, also for a link that acts as one (a download). */
export function buttonClass(variant: Variant = "secondary", size: Size = "md"): string {
  return cx(
    "inline-flex shrink-0 select-none items-center justify-center font-medium whitespace-nowrap transition-colors",
    "disabled:cursor-not-allowed disabled:opacity-50 aria-disabled:pointer-events-none aria-disabled:opacity-50",
    VARIANTS[variant],
    SIZES[size],
  );
}

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  size?: Size;
  loading?: boolean;
  icon?: ReactNode;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = "secondary", size = "md", loading, icon, className, children, disabled, type = "button", ...rest },
  ref,
) {
  return (
    <button
      ref={ref}
      type={type}
      disabled={disabled || loading}
      aria-busy={loading || undefined}
      className={cx(buttonClass(variant, size), className)}
      {...rest}
    >
      {loading ? <Spinner size={size === "md" ? 14 : 12} /> : icon}
      {children}
    </button>
  );
});

export function Spinner({ size = 14, className }: { size?: number; className?: string }) {
  return <IconLoader size={size} className={cx("animate-spin", className)} />;
}

// ---- badges -------------------------------------------------------------------------------------

export type Tone = "neutral" | "ok" | "warn" | "danger" | "info" | "violet" | "accent";
const TONES: Record<Tone, string> = {
  neutral: "bg-surface-2 text-muted border-line",
  ok: "bg-ok-soft text-ok border-ok/20",
  warn: "bg-warn-soft text-warn border-warn/25",
  danger: "bg-danger-soft text-danger border-danger/25",
  info: "bg-info-soft text-info border-info/20",
  violet: "bg-violet-soft text-violet border-violet/20",
  accent: "bg-accent-soft text-accent border-accent/25",
};
const DOTS: Record<Tone, string> = {
  neutral: "bg-faint",
  ok: "bg-ok",
  warn: "bg-warn",
  danger: "bg-danger",
  info: "bg-info",
  violet: "bg-violet",
  accent: "bg-accent",
};

export function Badge({
  tone = "neutral",
  dot,
  pulse,
  children,
  className,
  title,
}: {
  tone?: Tone;
  dot?: boolean;
  pulse?: boolean;
  children: ReactNode;
  className?: string;
  title?: string;
}) {
  return (
    <span
      title={title}
      className={cx(
        "inline-flex h-5 items-center gap-1.5 rounded-full border px-2 text-[11px] leading-none font-medium whitespace-nowrap",
        TONES[tone],
        className,
      )}
    >
      {dot && (
        <span className="relative flex size-1.5">
          {pulse && <span className={cx("absolute inline-flex size-full animate-ping rounded-full opacity-60", DOTS[tone])} />}
          <span className={cx("relative inline-flex size-1.5 rounded-full", DOTS[tone])} />
        </span>
      )}
      {children}
    </span>
  );
}

export function Kbd({ children }: { children: ReactNode }) {
  return (
    <kbd className="inline-flex h-[18px] min-w-[18px] items-center justify-center rounded border border-line-strong bg-surface-2 px-1 font-mono text-[10px] text-muted">
      {children}
    </kbd>
  );
}

// ---- layout -------------------------------------------------------------------------------------

export function Card({ children, className, ...rest }: { children: ReactNode; className?: string } & HTMLAttributes<HTMLDivElement>) {
  return (
    <div className={cx("rounded-lg border border-line bg-surface shadow-card", className)} {...rest}>
      {children}
    </div>
  );
}

export function CardHeader({ title, description, actions }: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="flex min-h-12 items-center justify-between gap-4 border-b border-line px-4 py-2.5">
      <div className="min-w-0">
        <h2 className="text-[13px] font-semibold">{title}</h2>
        {description && <p className="mt-0.5 text-xs text-muted">{description}</p>}
      </div>
      {actions && <div className="flex shrink-0 items-center gap-2">{actions}</div>}
    </div>
  );
}

export function PageHeader({
  title,
  description,
  actions,
  eyebrow,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  eyebrow?: ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div className="min-w-0">
        {eyebrow && <div className="mb-1 text-xs text-muted">{eyebrow}</div>}
        <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
        {description && <p className="mt-1 max-w-2xl text-[13px] text-muted">{description}</p>}
      </div>
      {actions && <div className="flex items-center gap-2">{actions}</div>}
    </div>
  );
}

export function EmptyState({
  icon,
  title,
  children,
  action,
  className,
}: {
  icon?: ReactNode;
  title: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
  className?: string;
}) {
  return (
    <div className={cx("flex flex-col items-center justify-center px-6 py-14 text-center", className)} data-testid="empty-state">
      {icon && <div className="mb-3 flex size-10 items-center justify-center rounded-full bg-surface-2 text-muted">{icon}</div>}
      <div className="text-sm font-medium">{title}</div>
      {children && <div className="mt-1 max-w-md text-[13px] text-muted">{children}</div>}
      {action && <div className="mt-4">{action}</div>}
    </div>
  );
}

export function Skeleton({ className }: { className?: string }) {
  return <div className={cx("animate-pulse rounded bg-surface-3/70", className)} />;
}

/**
 * Placeholder rows while a table loads, shaped like its real rows: per cell, the classes of its
 * skeleton bar (several bars stack; null leaves the cell empty).
 */
export function SkeletonRows({ rows, rowClassName, pad, firstPad = pad, cells }: { rows: number; rowClassName: string; pad: string; firstPad?: string; cells: (string | string[] | null)[] }) {
  return Array.from({ length: rows }, (_, i) => (
    <tr key={i} className={rowClassName}>
      {cells.map((bars, j) => (
        <td key={j} className={j === 0 ? firstPad : pad}>
          {(bars === null ? [] : [bars].flat()).map((b, k) => (
            <Skeleton key={k} className={b} />
          ))}
        </td>
      ))}
    </tr>
  ));
}

/** An error shown where it happened: the message, the contract's code, and the server's details. */
export function ErrorBox({
  error,
  title,
  onDismiss,
  onRetry,
  className,
}: {
  error: unknown;
  title?: string;
  onDismiss?: () => void;
  onRetry?: () => void;
  className?: string;
}) {
  if (!error) return null;
  const rpc = error instanceof RpcError ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div
      role="alert"
      className={cx("rounded-lg border border-danger/30 bg-danger-soft px-3.5 py-3 text-[13px] text-fg", className)}
      data-testid="error"
    >
      <div className="flex items-start gap-2.5">
        <IconAlert size={16} className="mt-0.5 shrink-0 text-danger" />
        <div className="min-w-0 flex-1">
          <div className="font-medium text-danger">
            {title ?? "Something went wrong"}
            {rpc && (
              <span className="ml-2 font-mono text-[11px] font-normal opacity-80">
                {rpc.code !== 0 ? rpc.code : ""} {RPC_ERRORS[rpc.code] ?? ""}
              </span>
            )}
          </div>
          <div className="mt-0.5 break-words">{message}</div>
          {rpc && rpc.issues.length > 0 && (
            <ul className="mt-1.5 list-disc pl-4 text-muted">
              {rpc.issues.map((i, n) => (
                <li key={n}>
                  {i.path.length > 0 && <code className="font-mono text-xs">{i.path.join(".")}</code>} {i.message}
                </li>
              ))}
            </ul>
          )}
          {rpc?.log && (
            <pre className="mt-2 max-h-48 overflow-auto rounded-md border border-line bg-surface p-2 font-mono text-[11.5px] leading-relaxed whitespace-pre-wrap text-muted">
              {rpc.log}
            </pre>
          )}
          {onRetry && (
            <Button size="xs" className="mt-2" onClick={onRetry}>
              Retry
            </Button>
          )}
        </div>
        {onDismiss && (
          <button type="button" onClick={onDismiss} className="rounded p-0.5 text-muted hover:text-fg" aria-label="Dismiss">
            <IconX size={14} />
          </button>
        )}
      </div>
    </div>
  );
}

export function Notice({ tone = "info", children, className }: { tone?: "info" | "ok" | "warn"; children: ReactNode; className?: string }) {
  const styles = {
    info: "border-info/25 bg-info-soft",
    ok: "border-ok/25 bg-ok-soft",
    warn: "border-warn/30 bg-warn-soft",
  }[tone];
  return (
    <div role="status" className={cx("rounded-lg border px-3.5 py-2.5 text-[13px]", styles, className)}>
      {children}
    </div>
  );
}

// ---- forms --------------------------------------------------------------------------------------

const CONTROL =
  "rounded-md border border-line-strong bg-surface px-2.5 text-[13px] text-fg placeholder:text-faint shadow-card " +
  "transition-colors focus:border-accent focus:outline-none focus:ring-2 focus:ring-ring disabled:opacity-60 " +
  "aria-[invalid=true]:border-danger aria-[invalid=true]:focus:ring-danger/30";

export function Field({
  label,
  hint,
  error,
  children,
  htmlFor,
  className,
  optional,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  children: ReactNode;
  htmlFor?: string;
  className?: string;
  optional?: boolean;
}) {
  return (
    <div className={className}>
      <label htmlFor={htmlFor} className="mb-1.5 flex items-baseline gap-2 text-[13px] font-medium">
        {label}
        {optional && <span className="text-xs font-normal text-faint">optional</span>}
      </label>
      {children}
      {error ? (
        <p className="mt-1.5 text-xs text-danger" role="alert" data-testid="field-error">
          {error}
        </p>
      ) : (
        hint && <p className="mt-1.5 text-xs text-muted">{hint}</p>
      )}
    </div>
  );
}

/** Controls fill their container unless the caller gives a width. */
const width = (className?: string) => (className && /(^|\s)w-/.test(className) ? undefined : "w-full");

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function Input({ className, ...rest }, ref) {
  return <input ref={ref} className={cx(CONTROL, "h-8", width(className), className)} {...rest} />;
});

export const Textarea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement>>(function Textarea(
  { className, ...rest },
  ref,
) {
  return <textarea ref={ref} className={cx(CONTROL, "py-2 leading-relaxed", width(className), className)} {...rest} />;
});

export const Select = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement>>(function Select(
  { className, children, ...rest },
  ref,
) {
  return (
    <select ref={ref} className={cx(CONTROL, "h-8 cursor-pointer pr-7", width(className), className)} {...rest}>
      {children}
    </select>
  );
});

export function Checkbox({
  checked,
  onChange,
  label,
  description,
  id,
}: {
  checked: boolean;
  onChange: (v: boolean) => void;
  label: ReactNode;
  description?: ReactNode;
  id?: string;
}) {
  const auto = useId();
  const cid = id ?? auto;
  return (
    <label htmlFor={cid} className="flex cursor-pointer items-start gap-2.5 text-[13px]">
      <input
        id={cid}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        className="mt-0.5 size-4 shrink-0 cursor-pointer rounded border-line-strong accent-[var(--accent)]"
      />
      <span>
        <span className="font-medium">{label}</span>
        {description && <span className="block text-xs text-muted">{description}</span>}
      </span>
    </label>
  );
}

/** A compact segmented control (radio group semantics). */
export function Segmented<T extends string>({
  value,
  onChange,
  options,
  label,
  size = "sm",
}: {
  value: T;
  onChange: (v: T) => void;
  options: { value: T; label: ReactNode; title?: string }[];
  label: string;
  size?: "xs" | "sm";
}) {
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = options.findIndex((o) => o.value === value);
    let j = i;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") j = (i + 1) % options.length;
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") j = (i - 1 + options.length) % options.length;
    else return;
    e.preventDefault();
    onChange(options[j]!.value);
    (e.currentTarget.querySelectorAll("button")[j] as HTMLButtonElement | undefined)?.focus();
  };
  return (
    <div role="radiogroup" aria-label={label} onKeyDown={onKey} className="inline-flex rounded-md border border-line bg-surface-2 p-0.5">
      {options.map((o) => {
        const on = o.value === value;
        return (
          <button
            key={o.value}
            type="button"
            role="radio"
            aria-checked={on}
            title={o.title}
            tabIndex={on ? 0 : -1}
            onClick={() => onChange(o.value)}
            className={cx(
              "inline-flex items-center gap-1.5 rounded px-2 font-medium transition-colors",
              size === "xs" ? "h-5 text-[11px]" : "h-6 text-xs",
              on ? "bg-surface text-fg shadow-card" : "text-muted hover:text-fg",
            )}
          >
            {o.label}
          </button>
        );
      })}
    </div>
  );
}

// ---- tabs ---------------------------------------------------------------------------------------

export function Tabs<T extends string>({
  value,
  onChange,
  tabs,
  label,
  idBase,
}: {
  value: T;
  onChange: (v: T) => void;
  tabs: { value: T; label: ReactNode; badge?: ReactNode }[];
  label: string;
  idBase: string;
}) {
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = tabs.findIndex((t) => t.value === value);
    let j: number;
    if (e.key === "ArrowRight") j = (i + 1) % tabs.length;
    else if (e.key === "ArrowLeft") j = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = tabs.length - 1;
    else return;
    e.preventDefault();
    onChange(tabs[j]!.value);
    (e.currentTarget.querySelectorAll('[role="tab"]')[j] as HTMLElement | undefined)?.focus();
  };
  return (
    <div role="tablist" aria-label={label} onKeyDown={onKey} className="flex gap-1 overflow-x-auto border-b border-line">
      {tabs.map((t) => {
        const on = t.value === value;
        return (
          <button
            key={t.value}
            type="button"
            role="tab"
            id={`${idBase}-tab-${t.value}`}
            aria-selected={on}
            aria-controls={`${idBase}-panel-${t.value}`}
            tabIndex={on ? 0 : -1}
            onClick={() => onChange(t.value)}
            className={cx(
              "relative -mb-px inline-flex h-9 items-center gap-1.5 border-b-2 px-3 text-[13px] font-medium whitespace-nowrap transition-colors",
              on ? "border-accent text-fg" : "border-transparent text-muted hover:text-fg",
            )}
          >
            {t.label}
            {t.badge}
          </button>
        );
      })}
    </div>
  );
}

// ---- dialog -------------------------------------------------------------------------------------

/** A modal on the native <dialog>: focus is trapped, Escape and the backdrop close it. */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  footer,
  wide,
}: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
      className={cx(
        "m-auto rounded-xl border border-line bg-surface p-0 text-fg shadow-2xl backdrop:bg-black/45 backdrop:backdrop-blur-[1px]",
        wide ? "w-[min(44rem,calc(100vw-2rem))]" : "w-[min(30rem,calc(100vw-2rem))]",
      )}
    >
      {open && (
        <div className="flex max-h-[85vh] flex-col">
          <div className="px-5 pt-5">
            <h2 id={titleId} className="text-[15px] font-semibold">
              {title}
            </h2>
            {description && <div className="mt-1.5 text-[13px] text-muted">{description}</div>}
          </div>
          {children && <div className="overflow-y-auto px-5 pt-4">{children}</div>}
          <div className="mt-5 flex justify-end gap-2 border-t border-line bg-surface-2/60 px-5 py-3">{footer}</div>
        </div>
      )}
    </dialog>
  );
}

// ---- small pieces -------------------------------------------------------------------------------

export function CopyButton({ text, label = "Copy", className }: { text: string; label?: string; className?: string }) {
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (!done) return;
    const t = setTimeout(() => setDone(false), 1200);
    return () => clearTimeout(t);
  }, [done]);
  return (
    <button
      type="button"
      title={label}
      aria-label={label}
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setDone(true), () => {});
      }}
      className={cx("inline-flex size-6 items-center justify-center rounded text-faint hover:bg-surface-2 hover:text-fg", className)}
    >
      {done ? <IconCheck size={13} className="text-ok" /> : <IconCopy size={13} />}
    </button>
  );
}

// One clock for every relative time on the page, ticking every 15 s.
let nowValue = 0;
const nowListeners = new Set<() => void>();
let nowTimer: ReturnType<typeof setInterval> | undefined;
function subscribeNow(fn: () => void) {
  nowListeners.add(fn);
  if (!nowTimer) {
    nowValue = Date.now();
    nowTimer = setInterval(() => {
      nowValue = Date.now();
      for (const l of nowListeners) l();
    }, 15_000);
  }
  return () => {
    nowListeners.delete(fn);
    if (nowListeners.size === 0 && nowTimer) {
      clearInterval(nowTimer);
      nowTimer = undefined;
    }
  };
}

/** The current time, refreshed every 15 s (0 during server rendering). */
export function useNow(): number {
  return useSyncExternalStore(
    subscribeNow,
    () => nowValue || (nowValue = Date.now()),
    () => 0,
  );
}

/** "5m ago", with the exact local time as a tooltip. */
export function Ago({ iso, className }: { iso: string | null | undefined; className?: string }) {
  const now = useNow();
  if (!iso) return <span className={className}>—</span>;
  return (
    <time dateTime={iso} title={dateTime(iso)} className={cx("tabular", className)}>
      {now ? ago(iso, now) : dateTime(iso)}
    </time>
  );
}

export function Stat({
  label,
  value,
  sub,
  tone,
  icon,
  testId,
}: {
  label: ReactNode;
  value: ReactNode;
  sub?: ReactNode;
  tone?: "ok" | "danger" | "warn";
  icon?: ReactNode;
  testId?: string;
}) {
  return (
    <Card className="px-4 py-3.5" data-testid={testId}>
      <div className="flex items-center gap-1.5 text-xs font-medium text-muted">
        {icon}
        {label}
      </div>
      <div
        className={cx(
          "mt-1.5 truncate text-[15px] font-semibold tabular",
          tone === "ok" && "text-ok",
          tone === "danger" && "text-danger",
          tone === "warn" && "text-warn",
        )}
      >
        {value}
      </div>
      {sub && <div className="mt-0.5 truncate text-xs text-muted">{sub}</div>}
    </Card>
  );
}
