/**
 * The theme's storage key and the inline script the root layout puts first in <head>: it applies
 * the stored choice (or the OS preference) as the `dark` class before the page paints, so a
 * reload never flashes the wrong theme. Not a client module: the server layout reads the string.
 */
export const THEME_KEY = "hero_claude.theme";

export const THEME_SCRIPT = `(function(){try{var c=localStorage.getItem(${JSON.stringify(THEME_KEY)});var d=c==="dark"||(c!=="light"&&matchMedia("(prefers-color-scheme: dark)").matches);var e=document.documentElement;e.classList.toggle("dark",d);e.style.colorScheme=d?"dark":"light";}catch(_){}})();`;
