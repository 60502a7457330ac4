/**
 * The dashboard in a real browser, without Docker: every page and the flows that need no container,
 * once at the root and once behind a proxy that mounts it under /hero_claude/admin and strips it.
 */
import { appendFileSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, PREFIX, shot, startDashboard, startPrefixProxy, watchProblems, type Dashboard, type PrefixProxy, type Problems } from "./helpers";

const REPOS = {
  alpha: { "README.md": "# alpha\n", "src/main.ts": "export const x = 1;\n" },
  beta: { "notes.md": "first line\n" },
  "org/gamma": { "go.mod": "module gamma\n" },
};

for (const mount of ["root", "prefix"] as const) {
  describe(`dashboard at ${mount === "root" ? "the root" : PREFIX}`, () => {
    let dash: Dashboard;
    let proxy: PrefixProxy | undefined;
    let browser: Browser;
    let base: string;
    let context: BrowserContext;
    let page: Page;
    let problems: Problems;
    let createdId = "";

    beforeAll(async () => {
      dash = await startDashboard(REPOS);
      if (mount === "prefix") proxy = await startPrefixProxy(dash.srv.uiSocket);
      base = proxy ? proxy.base : dash.root;
      await dash.srv.rpc("session.create", { repos: ["alpha"], task: "Fix the login bug", name: "fix-login-bug" });
      await dash.srv.rpc("session.create", { repos: ["beta", "org/gamma"], task: "Write the docs", name: "add-docs" });
      browser = await launchBrowser();
    });

    afterAll(async () => {
      await browser?.close();
      await proxy?.close();
      await dash?.stop();
    });

    const open = async (path: string, colorScheme: "light" | "dark" = "light") => {
      await context?.close();
      context = await browser.newContext({ viewport: { width: 1366, height: 860 }, colorScheme });
      page = await context.newPage();
      problems = watchProblems(page);
      await page.goto(`${base}${path}`);
      await page.locator('[data-testid=live-status][data-status=live]').waitFor();
      return page;
    };

    /** Every link the page renders stays under the mount (the proxy 404s anything else). */
    const expectLinksUnderMount = async () => {
      const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => a.getAttribute("href") ?? ""));
      const local = hrefs.filter((h) => h.startsWith("/"));
      expect(local.length).toBeGreaterThan(0);
      if (mount === "prefix") for (const h of local) expect(h, h).toMatch(new RegExp(`^${PREFIX}(/|$|\\?)`));
      else for (const h of local) expect(h).not.toContain(PREFIX);
    };

    const expectNoProblems = () => expect(problems.unexpected(), problems.unexpected().join("\n")).toEqual([]);

    it("overview: server status, the sessions table with search, sort and state filter, live rows", async () => {
      await open("/");
      await page.locator("[data-testid=stat-runtime]").waitFor();
      const rows = page.locator("[data-testid=session-row]");
      await rows.nth(1).waitFor();
      expect(await rows.count()).toBe(2);
      await page.locator("[data-testid=stat-sessions]").getByText("2 running", { exact: false }).or(page.locator("[data-testid=stat-sessions]").getByText("0 running")).waitFor();
      expect(await page.locator("[data-testid=stat-sessions]").innerText()).toMatch(/Sessions\s+2\s/);

      await page.getByRole("searchbox", { name: "Search sessions" }).fill("docs");
      await page.waitForFunction(() => document.querySelectorAll("[data-testid=session-row]").length === 1);
      expect(await rows.first().innerText()).toContain("add-docs");
      await page.getByRole("searchbox", { name: "Search sessions" }).fill("");

      await page.getByRole("button", { name: "Name", exact: true }).click();
      await page.waitForFunction(() => document.querySelector("[data-testid=session-row]")?.textContent?.includes("add-docs"));
      await page.getByRole("button", { name: "Name", exact: true }).click();
      await page.waitForFunction(() => document.querySelector("[data-testid=session-row]")?.textContent?.includes("fix-login-bug"));

      await page.getByRole("button", { name: /^running/ }).click();
      await page.getByText("No session matches").waitFor();
      await page.getByRole("button", { name: /^running/ }).click();
      await rows.nth(1).waitFor();

      // A session created elsewhere appears without a reload (the event stream).
      await dash.srv.rpc("session.create", { repos: ["beta"], task: "Live row", name: "live-row" });
      await page.waitForFunction(() => document.querySelectorAll("[data-testid=session-row]").length === 3);
      await page.getByText("live-row").waitFor();

      await expectLinksUnderMount();
      expectNoProblems();
    });

    it("new session: the shared zod schema's errors per field, the server's too, then success", async () => {
      await open("/sessions/new");
      await page.locator("[data-testid=repo-picker] input[type=checkbox]").first().waitFor();
      await page.getByTestId("create-session").click();
      const errors = page.locator("[data-testid=field-error]");
      await errors.first().waitFor();
      const text = (await errors.allInnerTexts()).join("\n");
      expect(text).toContain("pick at least one repository");
      expect(text).toContain("the task cannot be empty");

      await page.getByRole("checkbox", { name: "alpha", exact: true }).check();
      await page.getByLabel("Task", { exact: true }).fill("Add a greeting to the README");
      await page.locator("#name").fill("-bad name");
      await page.getByText("a session name uses letters").waitFor();
      expect(await page.getByText("pick at least one repository").count()).toBe(0);

      // A name already taken passes the schema; the server's -32602 issue lands on the field.
      await page.locator("#name").fill("fix-login-bug");
      await page.getByRole("checkbox", { name: "Start right away" }).uncheck();
      await page.getByTestId("create-session").click();
      await page.getByText("already in use").waitFor();

      await page.locator("#name").fill("e2e-session");
      await page.getByTestId("create-session").click();
      await page.waitForURL(/\/sessions\/[0-9a-f]{8}$/);
      await page.getByTestId("session-name").filter({ hasText: "e2e-session" }).waitFor();
      expect(await page.getByTestId("state-badge").first().innerText()).toBe("created");
      createdId = /\/sessions\/([0-9a-f]{8})/.exec(page.url())![1]!;
      if (mount === "prefix") expect(new URL(page.url()).pathname.startsWith(`${PREFIX}/sessions/`)).toBe(true);
      expectNoProblems();
    });

    it("session page: transcript, changes, logs, terminal and details tabs; sync", async () => {
      expect(createdId).toMatch(/^[0-9a-f]{8}$/);
      await open(`/sessions/${createdId}`);
      await page.getByText("No transcript yet").waitFor();
      await page.getByTestId("prompt-input").isDisabled();

      await page.getByRole("tab", { name: "Logs" }).click();
      const log = page.getByTestId("log-view");
      await log.getByText("rsync", { exact: false }).first().waitFor();
      expect(Number(await log.getAttribute("data-lines"))).toBeGreaterThan(3);
      await page.getByRole("radio", { name: "rsync" }).click();
      await page.getByTestId("log-view").getByText("# ", { exact: false }).first().waitFor();

      // Download gives the whole log as it is on disk, beyond the 10 000 lines the view loads.
      const rsyncLog = path.join(dash.srv.builddir, createdId, "logs", "rsync.log");
      appendFileSync(rsyncLog, Array.from({ length: 20_000 }, (_, i) => `padding line ${i}\n`).join(""));
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("log-download").click()]);
      expect(download.suggestedFilename()).toBe(`${createdId}-rsync.log`);
      expect(readFileSync((await download.path())!)).toEqual(readFileSync(rsyncLog));
      const unknown = await page.request.get(`${base}/sessions/00000000/logs/rsync`);
      expect([unknown.status(), await unknown.text()]).toEqual([404, expect.stringContaining("00000000")]);
      const badKind = await page.request.get(`${base}/sessions/${createdId}/logs/passwd`);
      expect([badKind.status(), await badKind.text()]).toEqual([404, expect.stringContaining("use rsync, claude, container or all")]);

      await page.getByRole("tab", { name: "Details" }).click();
      await page.getByTestId("details").getByText(createdId).first().waitFor();
      await page.getByTestId("container-status").getByText("No container").waitFor();

      await page.getByRole("tab", { name: "Changes" }).click();
      await page.getByText("No changes yet").waitFor();

      await page.getByRole("tab", { name: "Terminal" }).click();
      await page.getByText("The container is not running").waitFor();
      expect(new URL(page.url()).searchParams.get("tab")).toBe("terminal");

      // The tab survives a reload (it is in the URL).
      await page.reload();
      await page.getByRole("tab", { name: "Terminal", selected: true }).waitFor();

      await page.getByRole("button", { name: "Sync" }).click();
      await page.getByTestId("sync-result").waitFor();
      expect(await page.getByTestId("sync-result").innerText()).toContain("alpha");
      await expectLinksUnderMount();
      expectNoProblems();
    });

    it("destroy asks for confirmation naming what is kept, then removes the session", async () => {
      await open(`/sessions/${createdId}`);
      await page.getByRole("button", { name: "Destroy…" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.waitFor();
      const text = await dialog.innerText();
      expect(text).toContain("alpha");
      expect(text).toContain(`.trash/${createdId}`);
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "hidden" });
      expect((await dash.srv.rpc("session.info", { session_id: createdId })).state).toBe("created");

      await page.getByRole("button", { name: "Destroy…" }).click();
      await page.getByTestId("confirm-destroy").click();
      await page.waitForURL((u) => u.pathname === (mount === "prefix" ? PREFIX : "/") || u.pathname === `${PREFIX}/`);
      await page.getByTestId("flash").filter({ hasText: "destroyed" }).waitFor();
      await page.locator("[data-testid=session-row]").first().waitFor();
      expect(await page.locator(`[data-session-id="${createdId}"]`).count()).toBe(0);
      expect((await dash.srv.rpcRaw("session.info", { session_id: createdId })).error.code).toBe(-32001);
      expectNoProblems();
    });

    it("repositories: the list, details of one, and a new session from it", async () => {
      await open("/repos");
      const rows = page.locator("[data-testid=repo-row]");
      await rows.nth(2).waitFor();
      expect(await rows.allInnerTexts()).toEqual([expect.stringContaining("alpha"), expect.stringContaining("beta"), expect.stringContaining("org/gamma")]);
      await page.getByRole("button", { name: "alpha" }).click();
      const detail = page.getByTestId("repo-detail");
      await detail.getByText("initial commit").waitFor();
      await detail.getByRole("link", { name: /New session with alpha/ }).click();
      await page.waitForURL(/\/sessions\/new\?repo=alpha$/);
      await page.getByRole("checkbox", { name: "alpha", exact: true }).waitFor();
      expect(await page.getByRole("checkbox", { name: "alpha", exact: true }).isChecked()).toBe(true);
      expectNoProblems();
    });

    it("operation log: entries, filters by level and session, clear with confirmation", async () => {
      const sessions = (await dash.srv.rpc("session.list", {})).sessions as { id: string; name: string }[];
      const target = sessions.find((s) => s.name === "add-docs")!;
      await open("/logs");
      const rows = page.locator("[data-testid=oplog-row]");
      await rows.first().waitFor();

      await page.getByLabel("Session", { exact: true }).selectOption(target.id);
      await page.waitForFunction(
        (id) => {
          const r = [...document.querySelectorAll("[data-testid=oplog-row]")];
          return r.length > 0 && r.every((x) => x.textContent?.includes(id));
        },
        target.id,
      );
      await page.getByLabel("Session", { exact: true }).selectOption("");

      await page.getByLabel("Minimum level", { exact: true }).selectOption("error");
      await page.getByText("Nothing matches these filters.").waitFor();
      await page.getByLabel("Minimum level", { exact: true }).selectOption("");
      await rows.first().waitFor();

      // Live: an operation elsewhere shows up without a reload.
      const before = await rows.count();
      await dash.srv.rpc("session.create", { repos: ["alpha"], task: "For the log", name: "for-the-log" });
      await page.waitForFunction((n) => document.querySelectorAll("[data-testid=oplog-row]").length > n, before);

      await page.getByRole("button", { name: "Clear…" }).click();
      await page.getByRole("dialog").getByText("Every entry is removed").waitFor();
      await page.getByTestId("confirm-clear").click();
      await page.getByTestId("cleared").waitFor();
      expect(await page.getByTestId("cleared").innerText()).toMatch(/Cleared \d+ entr/);
      expect((await dash.srv.rpc("logs.get", {})).length).toBeLessThan(before);
      expectNoProblems();
    });

    it("API page: the OpenRPC methods, try it (server.health, and an error), MCP help", async () => {
      await open("/api");
      const list = page.getByTestId("method-list");
      for (const m of ["server.info", "session.create", "session.transcript", "logs.clear", "repo.list"]) await list.getByRole("button", { name: m, exact: true }).waitFor();
      expect(await page.getByTestId("method-name").innerText()).toBe("server.health");
      await page.getByTestId("try-run").click();
      await page.getByTestId("try-result").getByText("true").waitFor();

      await list.getByRole("button", { name: "session.create", exact: true }).click();
      await page.getByTestId("method-name").filter({ hasText: "session.create" }).waitFor();
      await page.getByTestId("try-params").fill("{}");
      await page.getByTestId("try-run").click();
      await page.getByText("-32602").waitFor();

      expect(await page.getByTestId("endpoint-json-rpc").innerText()).toBe(`${base}/rpc`);
      expect(await page.getByText(`claude mcp add --transport http hero_claude ${base}/mcp`).count()).toBe(1);
      expectNoProblems();
    });

    it("theme: the choice persists across a reload and applies before the page paints", async () => {
      await open("/");
      expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(false);
      await page.getByRole("radio", { name: "Dark theme" }).last().click();
      expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(true);
      // Read the class as soon as the document is parsed, before React hydrates.
      await page.reload({ waitUntil: "commit" });
      await page.waitForFunction(() => document.readyState !== "loading" || document.body !== null);
      expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(true);
      await page.getByRole("radio", { name: "Light theme" }).last().click();
      expect(await page.evaluate(() => [document.documentElement.classList.contains("dark"), localStorage.getItem("hero_claude.theme")])).toEqual([false, "light"]);
      expectNoProblems();
    });

    if (mount === "prefix") {
      it("the proxy forwarded pages, assets, RPC and the event stream under the prefix", () => {
        const f = proxy!.forwarded;
        expect(f.some((p) => p.startsWith("/_next/static/"))).toBe(true);
        expect(f).toContain("/rpc");
        expect(f.some((p) => p.startsWith("/events"))).toBe(true);
        expect(f.some((p) => p.includes("_rsc="))).toBe(true); // client-side navigation payloads
      });
    }

    if (mount === "root") {
      it("screenshots of every page in light and dark", async () => {
        const sessions = (await dash.srv.rpc("session.list", {})).sessions as { id: string; name: string }[];
        const s = sessions.find((x) => x.name === "add-docs")!;
        await dash.srv.rpc("session.sync", { session_id: s.id }); // something in the operation log
        for (const scheme of ["light", "dark"] as const) {
          await open("/", scheme); // one context per scheme; the pages below load in it
          const visit = async (path: string, ready: () => Promise<unknown>, name: string) => {
            await page.goto(`${base}${path}`);
            await ready();
            await shot(page, `${name}-${scheme}`);
          };
          await visit("/", () => page.locator("[data-testid=stat-runtime] .text-ok, [data-testid=stat-runtime] .text-danger").first().waitFor(), "overview");
          await visit(
            "/sessions/new",
            async () => {
              await page.locator("[data-testid=repo-picker] input[type=checkbox]").first().waitFor();
              await page.getByTestId("create-session").click();
              await page.locator("[data-testid=field-error]").first().waitFor();
            },
            "new-session",
          );
          const ready: Record<string, () => Promise<unknown>> = {
            transcript: () => page.getByText("No transcript yet").waitFor(),
            changes: () => page.getByText("No changes yet").waitFor(),
            logs: () => page.waitForFunction(() => Number(document.querySelector("[data-testid=log-view]")?.getAttribute("data-lines")) > 0),
            terminal: () => page.getByText("The container is not running").waitFor(),
            details: () => page.getByTestId("container-status").waitFor(),
          };
          for (const [tab, wait] of Object.entries(ready)) await visit(`/sessions/${s.id}?tab=${tab}`, wait, `session-${tab}`);
          await visit(
            "/repos?name=alpha",
            () => Promise.all([page.getByTestId("repo-detail").getByText("initial commit").waitFor(), page.locator("[data-testid=repo-row]").nth(2).waitFor()]),
            "repositories",
          );
          await visit("/logs", () => page.locator("[data-testid=oplog-row]").first().waitFor(), "operation-log");
          await visit(
            "/api",
            async () => {
              await page.getByTestId("try-run").click();
              await page.getByTestId("try-result").waitFor();
            },
            "api",
          );
        }
        expectNoProblems();
      }, 300_000);
    }
  });
}
