"use client";
/** The frame around every page: navigation, live connection state, theme switch. */
import type { ReactNode } from "react";
import { Link, useAppPath } from "../client";
import { useLiveStatus } from "../events";
import { useServerInfo } from "../hooks";
import { useTheme, type ThemeChoice } from "../theme";
import { IconActivity, IconBook, IconFolder, IconGrid, IconLogo, IconMonitor, IconMoon, IconPlus, IconSun } from "./icons";
import { cx, Segmented } from "./ui";

const NAV = [
  { href: "/", label: "Overview", icon: IconGrid, match: (p: string) => p === "/" || (p.startsWith("/sessions/") && p !== "/sessions/new") },
  { href: "/sessions/new", label: "New session", icon: IconPlus, match: (p: string) => p === "/sessions/new" },
  { href: "/repos", label: "Repositories", icon: IconFolder, match: (p: string) => p.startsWith("/repos") },
  { href: "/logs", label: "Operation log", icon: IconActivity, match: (p: string) => p.startsWith("/logs") },
  { href: "/api", label: "API", icon: IconBook, match: (p: string) => p.startsWith("/api") },
];

function LiveIndicator() {
  const status = useLiveStatus();
  const label = status === "live" ? "Live" : status === "connecting" ? "Connecting…" : "Offline, retrying";
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-muted" title="Live updates (server-sent events)" data-testid="live-status" data-status={status}>
      <span
        className={cx(
          "size-1.5 rounded-full",
          status === "live" ? "bg-ok" : status === "connecting" ? "bg-warn" : "bg-danger",
        )}
      />
      {label}
    </span>
  );
}

function ThemeSwitch() {
  const [theme, setTheme] = useTheme();
  return (
    <Segmented<ThemeChoice>
      label="Theme"
      size="xs"
      value={theme}
      onChange={setTheme}
      options={[
        { value: "system", label: <IconMonitor size={13} />, title: "System theme" },
        { value: "light", label: <IconSun size={13} />, title: "Light theme" },
        { value: "dark", label: <IconMoon size={13} />, title: "Dark theme" },
      ]}
    />
  );
}

function Brand() {
  return (
    <Link href="/" className="flex items-center gap-2 rounded-md px-1 py-0.5">
      <span className="flex size-7 items-center justify-center rounded-md bg-accent text-accent-fg shadow-card">
        <IconLogo size={17} />
      </span>
      <span className="text-[14px] font-semibold tracking-tight">hero_claude</span>
    </Link>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const path = useAppPath();
  const { data: info } = useServerInfo();
  return (
    <div className="min-h-screen lg:grid lg:grid-cols-[220px_minmax(0,1fr)]">
      <a href="#main" className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-surface focus:px-3 focus:py-2">
        Skip to content
      </a>
      <aside className="sticky top-0 z-30 flex flex-col border-b border-line bg-surface/95 backdrop-blur lg:h-screen lg:border-r lg:border-b-0">
        <div className="flex items-center justify-between gap-3 px-4 py-3 lg:py-4">
          <Brand />
          <div className="lg:hidden">
            <ThemeSwitch />
          </div>
        </div>
        <nav aria-label="Main" className="flex gap-1 overflow-x-auto px-3 pb-2 lg:flex-col lg:gap-0.5 lg:pb-0">
          {NAV.map((n) => {
            const on = n.match(path);
            return (
              <Link
                key={n.href}
                href={n.href}
                aria-current={on ? "page" : undefined}
                className={cx(
                  "flex h-8 shrink-0 items-center gap-2.5 rounded-md px-2.5 text-[13px] font-medium transition-colors",
                  on ? "bg-surface-2 text-fg" : "text-muted hover:bg-surface-2/70 hover:text-fg",
                )}
              >
                <n.icon size={15} className={on ? "text-accent" : undefined} />
                {n.label}
              </Link>
            );
          })}
        </nav>
        <div className="mt-auto hidden space-y-3 border-t border-line px-4 py-3 lg:block">
          <div className="flex items-center justify-between">
            <LiveIndicator />
            <span className="font-mono text-[11px] text-faint" data-testid="version">
              {info ? `v${info.version}` : ""}
            </span>
          </div>
          <ThemeSwitch />
        </div>
      </aside>
      <main id="main" className="min-w-0 px-5 py-6 lg:px-8 lg:py-7">
        <div className="mx-auto max-w-[1200px]">{children}</div>
      </main>
    </div>
  );
}
