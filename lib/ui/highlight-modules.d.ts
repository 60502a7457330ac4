// highlight.js ships types for its main entry only; its core and per-language entries are typed here.
declare module "highlight.js/lib/core" {
  import hljs from "highlight.js";
  export default hljs;
}
declare module "highlight.js/lib/languages/*" {
  import type { LanguageFn } from "highlight.js";
  const language: LanguageFn;
  export default language;
}
