import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { Providers } from "@/lib/ui/client";
import { Shell } from "@/lib/ui/components/shell";
import { parseForwardedPrefix, PREFIX_HEADER } from "@/lib/ui/prefix";
import { THEME_SCRIPT } from "@/lib/ui/theme-script";
import "./globals.css";

// An inline SVG: a file route (/icon.svg) would not follow the mount prefix.
const ICON =
  "data:image/svg+xml," +
  encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#c2603d"/><path d="M16 5.5 25 10.5v11L16 26.5 7 21.5v-11z" fill="none" stroke="#fff" stroke-width="2" stroke-linejoin="round"/><path d="m12 13 3 3-3 3M17 19h4" fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>`,
  );

export const metadata: Metadata = {
  title: { default: "hero_claude", template: "%s · hero_claude" },
  description: "Claude Code sessions in hardened containers",
  icons: { icon: ICON },
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f7f7f5" },
    { media: "(prefers-color-scheme: dark)", color: "#141413" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Behind a prefix-stripping proxy; validated, so it is safe in URLs (lib/ui/prefix.ts).
  const prefix = parseForwardedPrefix((await headers()).get(PREFIX_HEADER));
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-screen bg-bg font-sans text-[13px] text-fg antialiased">
        <Providers prefix={prefix}>
          <Shell>{children}</Shell>
        </Providers>
      </body>
    </html>
  );
}
