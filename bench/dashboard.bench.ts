/**
 * Dashboard benchmark (run: `npx tsx bench/dashboard.bench.ts`; needs `npm run build` first).
 * - 500 sessions, created through the API against a tiny repo: the time until the overview's table
 *   shows them (a cold page load, reloads, and a client-side navigation back to the overview);
 * - a 100 000-line log in the Logs tab: the time until it is shown, then frame times measured with
 *   requestAnimationFrame in the page while it scrolls (steady scrolling, then random jumps).
 *   `session.logs` returns at most 10 000 lines, so the bench answers that one call with 100 000
 *   lines (page.route); everything else is the real server.
 * Environment: BENCH_SESSIONS (default 500), BENCH_LOG_LINES (default 100000).
 */
import { startDashboard, launchBrowser } from "../tests/e2e/helpers";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 500);
const LOG_LINES = Number(process.env.BENCH_LOG_LINES ?? 100_000);

function stats(xs: number[]) {
  const s = xs.slice().sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  const avg = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, avg, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1]! };
}
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main() {
  const dash = await startDashboard({ tiny: { "a.txt": "a\n" } });
  const browser = await launchBrowser();
  try {
    // ---- 500 sessions -------------------------------------------------------------------------
    const t0 = performance.now();
    let made = 0;
    const worker = async () => {
      while (made < SESSIONS) {
        const n = made++;
        await dash.srv.rpc("session.create", { repos: ["tiny"], task: `Bench task number ${n}: make the thing better`, name: `bench-${String(n).padStart(4, "0")}` });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    console.log(`created ${SESSIONS} sessions through the API in ${ms(performance.now() - t0)}`);

    const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    const page = await context.newPage();
    // In the page: the first frame painted after the table shows all sessions (a MutationObserver,
    // then requestAnimationFrame), in ms since navigation start. Strings, so no bundler helper leaks in.
    await page.addInitScript(`
      window.__visibleAt = null;
      new MutationObserver(() => {
        if (window.__visibleAt !== null || window.__pending) return;
        const count = document.querySelector("[data-testid=sessions-count]");
        if (count && count.textContent.includes("${SESSIONS} sessions") && document.querySelector("[data-testid=session-row]")) {
          window.__pending = true;
          requestAnimationFrame(() => { window.__visibleAt = performance.now(); window.__pending = false; });
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    `);
    const visibleAt = () => page.waitForFunction("window.__visibleAt !== null", undefined, { timeout: 60_000 }).then(() => page.evaluate<number>("window.__visibleAt"));
    const loads: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.goto(`${dash.root}/`, { waitUntil: "commit" });
      const t = await visibleAt();
      loads.push(t);
      console.log(`overview with ${SESSIONS} sessions: table painted ${ms(t)} after navigation start (${i === 0 ? "cold" : "reload"})`);
    }
    const navs: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.getByRole("link", { name: "Repositories", exact: true }).click();
      await page.locator("[data-testid=repo-row]").first().waitFor();
      const start = await page.evaluate<number>("window.__visibleAt = null, performance.now()");
      await page.getByRole("link", { name: "Overview", exact: true }).click();
      navs.push((await visibleAt()) - start);
    }
    console.log(`overview via client-side navigation (cached data, then revalidated): table painted in ${navs.map(ms).join(", ")}`);
    const sortStart = await page.evaluate<number>("performance.now()");
    await page.getByRole("button", { name: "Name", exact: true }).click();
    await page.waitForFunction(`document.querySelector("[data-testid=session-row]")?.textContent?.includes("bench-0000")`);
    const sorted = await page.evaluate<number>("new Promise((r) => requestAnimationFrame(() => r(performance.now())))");
    console.log(`sorting ${SESSIONS} sessions by name: ${ms(sorted - sortStart)} (click to painted, includes the driver's round trip)`);
    await context.close();

    // ---- a 100 000-line log -------------------------------------------------------------------
    const { sessions } = await dash.srv.rpc<{ sessions: { id: string }[] }>("session.list", { limit: 1 });
    const id = sessions[0]!.id;
    const lines = Array.from(
      { length: LOG_LINES },
      (_, i) => `[container] ${new Date(1_700_000_000_000 + i * 1000).toISOString()} step ${i}: ${i % 97 === 0 ? "warning: slow step" : "compiling module"} src/module_${i % 500}.ts (${(i * 7919) % 100000} bytes)`,
    );
    const logContext = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    const logPage = await logContext.newPage();
    await logPage.route("**/rpc", async (route) => {
      const body = route.request().postDataJSON() as { id: number; method: string; params: { kind?: string } };
      if (body?.method !== "session.logs") return route.continue();
      await route.fulfill({ json: { jsonrpc: "2.0", id: body.id, result: { session_id: id, kind: body.params.kind ?? "all", lines } } });
    });
    const logStart = Date.now();
    await logPage.goto(`${dash.root}/sessions/${id}?tab=logs`);
    await logPage.waitForFunction(`Number(document.querySelector("[data-testid=log-view]")?.getAttribute("data-lines")) === ${LOG_LINES}`, undefined, { timeout: 60_000 });
    console.log(`${LOG_LINES}-line log shown ${Date.now() - logStart} ms after navigation (wall, includes the 100k-line response)`);
    const domRows = await logPage.evaluate<number>(`document.querySelectorAll("[data-testid=log-view] [data-line]").length`);
    console.log(`rows in the DOM: ${domRows}`);

    const measure = (mode: "steady" | "jump") =>
      logPage.evaluate<number[]>(`new Promise((resolve) => {
        const el = document.querySelector("[data-testid=log-view]");
        el.scrollTop = 0;
        const frames = [];
        let last = 0, start = 0;
        const step = (t) => {
          if (last) frames.push(t - last); else start = t;
          last = t;
          if (${JSON.stringify(mode)} === "steady") el.scrollTop += 240;
          else el.scrollTop = Math.random() * (el.scrollHeight - el.clientHeight);
          if (t - start < 4000) requestAnimationFrame(step); else resolve(frames);
        };
        requestAnimationFrame(step);
      })`);
    for (const mode of ["steady", "jump"] as const) {
      const s = stats(await measure(mode));
      const slow = (await measure(mode)).filter((f) => f > 20).length;
      console.log(
        `log scroll (${mode === "steady" ? "240 px per frame" : "random jump every frame"}): ${s.n} frames, avg ${ms(s.avg)}, p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, max ${ms(s.max)}; frames over 20 ms in a second run: ${slow}`,
      );
    }
    await logContext.close();
    console.log(`summary: table painted (median of reloads) ${ms(stats(loads.slice(1)).p50)}`);
  } finally {
    await browser.close();
    await dash.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
