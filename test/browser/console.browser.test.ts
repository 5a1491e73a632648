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
import { DEMO_API_KEY, DEMO_BUYER_BEHAVIOURS, demoSeedStatements } from "../../demo/seed";
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
  let buyersUrl = "";
  let landing: Server;
  let gateway: ChildProcess;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    buyers = new MockBuyers(DEMO_BUYER_BEHAVIOURS);
    const buyersPort = await buyers.listen(0);
    buyersUrl = `http://127.0.0.1:${buyersPort}`;
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

    // A wrong field comes back named on the sorry page, in plain words, with what was typed kept.
    await page.goto(`${LANDING}/`);
    await page.fill("#email", "not-an-email");
    await page.fill("#first_name", "Robin");
    await page.click("button[type=submit]");
    await page.waitForURL(/\/sorry\?/);
    expect(await page.textContent("body")).toContain("Some answers need another look.");
    expect(await page.textContent("body")).not.toContain("validation_failed");
    expect(await page.textContent("ul")).toContain("Enter an email address");
    expect(await page.inputValue("#email")).toBe("not-an-email");
    expect(await page.inputValue("#first_name")).toBe("Robin");
    expect(await page.getAttribute("#email", "aria-invalid")).toBe("true");

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

  async function logIn(page: Page): Promise<void> {
    await page.goto(`${GATEWAY}/console/login`);
    await page.fill("#token", ADMIN_TOKEN);
    await page.click("button[type=submit]");
    await page.waitForURL(`${GATEWAY}/console`);
  }

  /** The page fits its window: nothing wider than the viewport (wide tables scroll in their own box). */
  const fits = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it("an operator changes routing without SQL and without JavaScript: a buyer and a contract with a filter and a schedule, a lead sold, the floor changed, seen in the audit view, undone", async () => {
    // No JavaScript at all: the editor is forms and links.
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1300, height: 900 } });
    const page = await context.newPage();
    page.on("pageerror", (e) => problems.push(`page: ${e.message}`));
    await logIn(page);

    // A buyer, typed and submitted from the keyboard.
    await page.click("text=buyers");
    await page.click("text=New buyer");
    await page.focus("#id");
    await page.keyboard.type("buy_browser");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Browser Buyer");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/console\/buyers\/buy_browser\?saved=\d+$/);

    // A contract, with a filter row and a schedule row; opened for its campaign, whose fields the filter rows offer.
    await page.goto(`${GATEWAY}/console/contracts/new?campaign_id=cmp_auto`);
    await page.fill("#id", "ct_browser");
    await page.selectOption("#buyer_id", "buy_browser");
    await page.selectOption("#campaign_id", "cmp_auto");
    await page.fill("#name", "Browser - CA, always");
    await page.fill("#ping_url", `${buyersUrl}/b/browserbuyer/ping?bid=40`);
    await page.fill("#post_url", `${buyersUrl}/b/browserbuyer/post`);
    await page.fill("#secret", "browser-contract-secret-0123456789");
    await page.selectOption("select[name='filters.0.field']", "state");
    await page.selectOption("select[name='filters.0.op']", "in");
    await page.fill("input[name='filters.0.value']", "CA, NV");
    for (const day of ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]) await page.check(`input[name='schedule.0.days'][value='${day}']`);
    await page.fill("input[name='schedule.0.start']", "00:00");
    await page.fill("input[name='schedule.0.end']", "24:00");
    await page.click("button:has-text('Add contract')");
    await page.waitForURL(/\/console\/contracts\/ct_browser\?saved=\d+$/);
    expect(await page.textContent("main")).toContain("Saved as change");
    expect(await page.inputValue("input[name='filters.0.value']")).toBe("CA, NV");
    expect(await fits(page)).toBe(true);

    // A lead from California sells to it.
    const lead = (await (
      await fetch(`${GATEWAY}/v1/leads`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": DEMO_API_KEY },
        body: JSON.stringify({
          campaign: "auto-insurance",
          first_name: "Pat",
          last_name: "Doe",
          email: "pat.browser@example.com",
          phone: "(415) 555-0177",
          zip: "94107",
          state: "CA",
          dob: "1980-05-17",
          homeowner: true,
          vehicle_year: 2018,
          credit: "good",
        }),
      })
    ).json()) as { status: string; buyer: string };
    expect(lead).toMatchObject({ status: "sold", buyer: "Browser Buyer" });

    // Its floor raised, seen in the audit view with the diff, then undone.
    await page.fill("#min_bid_cents", "2500");
    await page.click("button:has-text('Save changes')");
    await page.waitForURL(/\/console\/contracts\/ct_browser\?saved=\d+$/);
    const changeId = /saved=(\d+)/.exec(page.url())![1]!;
    await page.click("header >> text=audit");
    await page.waitForURL(`${GATEWAY}/console/audit`);
    expect(await fits(page)).toBe(true);
    await page.click(`a[href="/console/audit/${changeId}"]`);
    await page.waitForURL(`${GATEWAY}/console/audit/${changeId}`);
    const diff = await page.textContent("#diff");
    expect(diff).toContain("min_bid_cents");
    expect(diff).toContain("2500");
    expect(await page.textContent("main")).toContain(`by admin (console)`);
    await page.click("button:has-text('Undo this change')");
    await page.waitForURL(new RegExp(`/console/audit/\\d+\\?undone=${changeId}$`));
    await page.goto(`${GATEWAY}/console/contracts/ct_browser`);
    expect(await page.inputValue("#min_bid_cents")).toBe("0");
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, "console-editor.png"), fullPage: true });

    // A template's rows (the demo's XML buyer): its phone sent as ten digits, a transform chosen from a select.
    await page.goto(`${GATEWAY}/console/contracts/ct_golf`);
    expect(await page.inputValue("input[name='protocol.post.mapping.4.key']")).toBe("lead.phone");
    await page.selectOption("select[name='protocol.post.mapping.4.t.0.kind']", "format:digits10");
    await page.fill("input[name='protocol.post.mapping.6.key']", "lead.owner");
    await page.fill("input[name='protocol.post.mapping.6.value']", "homeowner");
    await page.selectOption("select[name='protocol.post.mapping.6.t.0.kind']", "bool");
    await page.fill("input[name='protocol.post.mapping.6.t.0.param']", "Y, N");
    await page.click("button:has-text('Save changes')");
    await page.waitForURL(/\/console\/contracts\/ct_golf\?saved=\d+$/);
    expect(await page.inputValue("select[name='protocol.post.mapping.4.t.0.kind']")).toBe("format:digits10");
    expect(await page.inputValue("input[name='protocol.post.mapping.6.t.0.param']")).toBe("Y, N");
    expect(await page.inputValue("input[name='protocol.ping.mapping.3.value']")).toBe("$ping_id"); // the rest as it was
    expect(await fits(page)).toBe(true);

    // A campaign's aged tiers as rows: two added, read back as stored.
    await page.goto(`${GATEWAY}/console/campaigns/cmp_auto`);
    await page.fill("input[name='aged_tiers.0.days']", "1");
    await page.fill("input[name='aged_tiers.0.floor_cents']", "500");
    await page.fill("input[name='aged_tiers.1.days']", "7");
    await page.fill("input[name='aged_tiers.1.floor_cents']", "200");
    await page.click("button:has-text('Save changes')");
    await page.waitForURL(/\/console\/campaigns\/cmp_auto\?saved=\d+$/);
    expect(await page.inputValue("input[name='aged_tiers.1.floor_cents']")).toBe("200");
    expect(await page.inputValue("input[name='aged_tiers.2.days']")).toBe("");
    await context.close();
    expect(problems).toEqual([]);
  }, 120_000);

  it("the console fits a 1300 px window and a phone; empty panels say why", async () => {
    for (const viewport of [
      { width: 1300, height: 900 },
      { width: 390, height: 844 },
    ]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      page.on("pageerror", (e) => problems.push(`page: ${e.message}`));
      await logIn(page);
      for (const path of [
        "/console",
        "/console?span=day",
        "/console/contracts",
        "/console/contracts/ct_alpha",
        "/console/contracts/ct_golf",
        "/console/campaigns/cmp_auto",
        "/console/audit",
        "/console/returns",
      ]) {
        await page.goto(`${GATEWAY}${path}`);
        const wide = await page.evaluate(() =>
          Array.from(document.querySelectorAll("*"))
            .filter((e) => !e.closest(".scroll") && e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 12)
            .map(
              (e) =>
                `${e.tagName}.${e.className}#${e.id}[${(e as HTMLInputElement).name ?? ""}] ${Math.round(e.getBoundingClientRect().right)}`,
            ),
        );
        expect(await fits(page), `${path} at ${viewport.width} px: ${wide.join(" | ")}`).toBe(true);
      }
      await page.goto(`${GATEWAY}/console/returns`);
      expect(await page.textContent("#pending-returns")).toContain("No return is waiting for a decision");
      await context.close();
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
