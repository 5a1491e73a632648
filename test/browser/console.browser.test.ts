// A real browser (Debian's Chromium, driven by playwright-core) through the newcomer's path: the demo
// landing page's plain HTML form -> the gateway -> the thanks and sorry pages; then the console: log
// in, see the lead in the figures and the feed, open its trace. Any console error or page error fails
// the test. The gateway runs under `wrangler dev` with its own local state, as `npm start` runs it.
// UPDATE_SCREENSHOTS=1 also writes docs/screenshots/.
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, stop } from "../../bench/lib/procs";
import { resetBenchDatabase } from "../../bench/lib/procs";
import { serveLanding } from "../../demo/landing";
import { MockBuyers } from "../../demo/mock-buyers";
import { DEMO_BUYER_BEHAVIOURS, demoSeedStatements } from "../../demo/seed";
import { TURNSTILE_PASS } from "../../demo/turnstile-stub";
import { ROOT } from "../../scripts/wrangler";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ADMIN_TOKEN = "browser-test-admin-token-0123456789";
const PERSIST = path.join(ROOT, ".wrangler", "browser-test-state");
const GATEWAY_PORT = 8797;
const LANDING_PORT = 8798;
const LANDING = `http://localhost:${LANDING_PORT}`;
const GATEWAY = `http://127.0.0.1:${GATEWAY_PORT}`;
const SHOTS = process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, "docs", "screenshots") : null;

// CI installs Chromium (.ci/run); elsewhere, without it, say so and skip rather than fail.
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium`);

describe.skipIf(!haveBrowser)("the demo and the console in a real browser", () => {
  let buyers: MockBuyers;
  let landing: Server;
  let gateway: ChildProcess;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    buyers = new MockBuyers(DEMO_BUYER_BEHAVIOURS);
    const buyersPort = await buyers.listen(0);
    const buyersUrl = `http://127.0.0.1:${buyersPort}`;
    // The demo rules, with the demo form's origin moved to this test's landing page.
    resetBenchDatabase(
      [
        ...demoSeedStatements(buyersUrl),
        `UPDATE sources SET allowed_origins = '["${LANDING}"]', success_url = '${LANDING}/thanks', failure_url = '${LANDING}/sorry' WHERE id = 'src_form';`,
      ],
      PERSIST,
    );
    landing = await serveLanding(LANDING_PORT, GATEWAY);
    gateway = await startGateway(
      GATEWAY_PORT,
      {
        ADMIN_TOKEN,
        TURNSTILE_SECRET_KEY: TURNSTILE_PASS,
        TURNSTILE_SITEVERIFY_URL: `${buyersUrl}/turnstile/v0/siteverify`,
        RULES_TTL_MS: "0",
      },
      [],
      PERSIST,
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (gateway) await stop(gateway);
    landing?.close();
    await buyers?.close();
  });

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page: ${e.message}`));
    return page;
  }

  it("a newcomer submits the demo form, lands on the thanks page, and sees the lead and its trace in the console", async () => {
    const page = await newPage();
    await page.goto(`${LANDING}/`);
    await page.click("button[type=submit]");
    await page.waitForURL(/\/thanks\?/);
    expect(await page.textContent("h1")).toBe("Thank you");
    const leadId = new URL(page.url()).searchParams.get("lead_id")!;
    expect(leadId).toMatch(/^ld_/);
    expect(new URL(page.url()).searchParams.get("status")).toBe("accepted");

    // A wrong field comes back named on the sorry page.
    await page.goto(`${LANDING}/`);
    await page.fill("#email", "not-an-email");
    await page.click("button[type=submit]");
    await page.waitForURL(/\/sorry\?/);
    expect(await page.textContent("body")).toContain("validation_failed");
    expect(await page.textContent("ul")).toContain("email");

    // The console: login, then the overview.
    await page.goto(`${GATEWAY}/console`);
    await page.waitForURL(/\/console\/login$/);
    await page.fill("#token", ADMIN_TOKEN);
    await page.click("button[type=submit]");
    await page.waitForURL(`${GATEWAY}/console`);
    // The lead reaches its final state and the figures shortly after (written after the answer).
    for (let i = 0; i < 20 && !(await page.textContent("#recent"))?.includes("sold"); i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    expect(await page.textContent("#recent")).toContain(leadId);
    expect(await page.textContent(".tiles")).toMatch(/1\s*leads/);
    expect(await page.textContent(".tiles")).toMatch(/1\s*sold/);
    expect(await page.locator(".uplot").count()).toBe(2); // both charts drawn
    // The chart's data has the lead in its minute (sold: 1), not only zeros.
    const sold = await page.evaluate(
      () => (JSON.parse(document.getElementById("figures")!.textContent!) as { byStatus: { sold: number[] } }).byStatus.sold,
    );
    expect(sold.reduce((a, b) => a + b, 0)).toBe(1);
    const contracts = await page.textContent("#contracts");
    expect(contracts).toContain("ct_alpha");
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, "console-overview.png"), fullPage: true });
    }

    await page.click(`a[href="/console/leads/${leadId}"]`);
    await page.waitForURL(`${GATEWAY}/console/leads/${leadId}`);
    expect(await page.textContent("h2")).toContain(leadId);
    expect(await page.textContent("#posts")).toContain("accepted");
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, "console-trace.png"), fullPage: true });

    expect(problems).toEqual([]);
  }, 120_000);
});
