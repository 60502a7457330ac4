/**
 * The whole session flow through the browser, with Docker, the real Claude Code CLI against the
 * scripted fake model, and the fake GitHub: create from the form, start, watch the transcript fill
 * live, send a follow-up, see the diff, run a command in the terminal, finish (PR link), destroy.
 * Once at the root and once through the prefix-stripping proxy. Skipped without Docker or the
 * sandbox image outside CI (dockerMissing throws in CI).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GithubFake } from "../fakes/github-fake";
import { World } from "../forge/world";
import { dockerMissing, type FakeModel } from "../helpers/docker";
import { freePort } from "../helpers/http";
import { startFinishStack, type FinishStack } from "../helpers/finish-stack";
import { launchBrowser, shot, startPrefixProxy, watchProblems, type PrefixProxy, type Problems } from "./helpers";
import type { RunningServer } from "../helpers/server";

const missing = dockerMissing();
const FLOW_TIMEOUT = 360_000;
const LIVE = 120_000;

describe.skipIf(missing)("the whole session flow in the browser (Docker, fake model, fake GitHub)", () => {
  let srv: RunningServer;
  let fake: FakeModel;
  let github: GithubFake;
  let proxy: PrefixProxy;
  let browser: Browser;
  let root: string;
  const world = new World();
  const alpha = world.source("alpha", "https://github.com/acme/alpha.git", { "README.md": "# alpha\n" });

  let stack: FinishStack | undefined;

  beforeAll(async () => {
    const port = await freePort();
    stack = await startFinishStack(world, { "acme/alpha": alpha.bare }, "sk-fake-dashboard", { HERO_CLAUDE_PORT: String(port) });
    ({ fake, github, srv } = stack);
    root = `http://127.0.0.1:${port}`;
    proxy = await startPrefixProxy(srv.uiSocket);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await stack?.stop();
  });

  for (const mount of ["root", "prefix"] as const) {
    it(
      `create → start → live transcript → follow-up → diff → terminal → finish → destroy (${mount})`,
      async () => {
        const base = mount === "root" ? root : proxy.base;
        const name = `flow-${mount}`;
        const file = `hello-${mount}.txt`;
        await fake.reset();
        await fake.script([
          { tool_use: { name: "Write", input: { file_path: `/workspace/code/alpha/${file}`, content: "hello from the agent\n" } } },
          { text: `Wrote **${file}**.` },
          // At the root, the follow-up's answer takes a while, so the "quiet agent" hint can be seen.
          { text: "Second answer.", ...(mount === "root" ? { delay_ms: 25_000 } : {}) },
        ]);

        const context: BrowserContext = await browser.newContext({ viewport: { width: 1366, height: 860 } });
        const page: Page = await context.newPage();
        const problems: Problems = watchProblems(page);
        try {
          await page.goto(`${base}/sessions/new`);
          await page.getByRole("checkbox", { name: "alpha", exact: true }).check();
          await page.getByLabel("Task", { exact: true }).fill(`Write ${file}`);
          await page.locator("#name").fill(name);
          expect(await page.getByRole("checkbox", { name: "Start right away" }).isChecked()).toBe(true);
          await page.getByTestId("create-session").click();
          await page.waitForURL(/\/sessions\/[0-9a-f]{8}$/, { timeout: LIVE });
          const id = /\/sessions\/([0-9a-f]{8})/.exec(page.url())![1]!;

          // The transcript fills live (no reload): the tool call, its result, the agent's Markdown.
          await page.getByTestId("tool-call").filter({ hasText: "Write" }).waitFor({ timeout: LIVE });
          await page.getByTestId("assistant-text").filter({ hasText: file }).waitFor({ timeout: LIVE });
          expect(await page.getByTestId("assistant-text").locator("strong").first().innerText()).toBe(file);
          await page.getByTestId("run-result").first().waitFor({ timeout: LIVE });
          if (mount === "root") await shot(page, "flow-transcript-light");

          await page.getByTestId("prompt-input").fill("And now summarise.");
          await page.getByTestId("prompt-send").click();
          await page.getByTestId("user-prompt").filter({ hasText: "And now summarise." }).waitFor({ timeout: LIVE });
          if (mount === "root") {
            // Six minutes later by the page's clock, with nothing new from the agent: the transcript says where to look.
            await page.getByTestId("agent-working").waitFor({ timeout: LIVE });
            expect(await page.getByTestId("agent-quiet").count()).toBe(0);
            const later: BrowserContext = await browser.newContext({ viewport: { width: 1366, height: 860 } });
            try {
              await later.clock.setFixedTime(Date.now() + 6 * 60_000);
              const quietPage = await later.newPage();
              await quietPage.goto(`${base}/sessions/${id}`);
              await quietPage.getByTestId("agent-quiet").waitFor({ timeout: LIVE });
              expect(await quietPage.getByTestId("agent-working").innerText()).toMatch(/last output [56]m ago/);
            } finally {
              await later.close();
            }
          }
          await page.getByTestId("assistant-text").filter({ hasText: "Second answer." }).waitFor({ timeout: LIVE });

          await page.getByRole("tab", { name: "Changes" }).click();
          const diff = page.getByTestId("file-diff").filter({ hasText: file });
          await diff.waitFor({ timeout: LIVE });
          await diff.getByText("hello from the agent").waitFor();
          if (mount === "root") await shot(page, "flow-changes-light");

          await page.getByRole("tab", { name: "Terminal" }).click();
          await page.getByLabel("Working directory").selectOption("/workspace/code/alpha");
          await page.getByTestId("terminal-input").fill(`cat ${file}`);
          await page.getByTestId("terminal-input").press("Enter");
          await page.getByTestId("terminal-stdout").filter({ hasText: "hello from the agent" }).waitFor({ timeout: LIVE });
          expect(await page.getByTestId("exit-code").last().innerText()).toBe("exit 0");
          if (mount === "root") await shot(page, "flow-terminal-light");

          await page.getByRole("button", { name: "Finish…" }).click();
          await page.getByTestId("confirm-finish").click();
          const pr = page.getByTestId("pr-links").getByRole("link");
          await pr.first().waitFor({ timeout: LIVE });
          expect(await pr.first().getAttribute("href")).toMatch(/\/acme\/alpha\/pull\/\d+$/);
          await page.getByTestId("state-badge").filter({ hasText: "completed" }).waitFor({ timeout: LIVE });
          expect(github.pulls.some((p) => p.head.endsWith(`hero-claude/${name}`))).toBe(true);
          if (mount === "root") await shot(page, "flow-finished-light");

          await page.getByRole("button", { name: "Destroy…" }).click();
          await page.getByTestId("confirm-destroy").click();
          await page.getByTestId("flash").filter({ hasText: "destroyed" }).waitFor({ timeout: LIVE });
          expect((await srv.rpcRaw("session.info", { session_id: id })).error.code).toBe(-32001);
          expect(problems.unexpected()).toEqual([]);
        } finally {
          await context.close();
        }
      },
      FLOW_TIMEOUT,
    );
  }
});
