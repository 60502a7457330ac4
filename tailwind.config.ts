import type { Config } from "tailwindcss";

/** Tailwind 4 reads this through `@config` in app/globals.css. */
const config: Config = {
  content: ["./app/**/*.{ts,tsx}", "./lib/ui/**/*.{ts,tsx}"],
  darkMode: "class",
  theme: {
    extend: {
      fontFamily: {
        sans: ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        mono: ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
      },
    },
  },
};

export default config;
