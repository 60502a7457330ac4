import type { Config } from "tailwindcss";

/**
 * Tailwind 4 reads this through `@config` in app/globals.css. Colours are semantic tokens defined
 * there (`bg-surface`, `text-muted`, `border-line`, …) so light and dark share every class.
 */
const config: Config = {
  content: ["./app/**/*.{ts,tsx}", "./lib/ui/**/*.{ts,tsx}"],
  darkMode: "class",
  theme: {
    extend: {
      fontFamily: {
        sans: ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
        mono: ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"],
      },
    },
  },
};

export default config;
