/**
 * The web UI in a real browser: Debian's chromium (playwright-core) against the real server
 * (`startServer`) on a temporary SQLite store filled with real inputs (test/ui/fleet.ts), with
 * the UI built from ui/ by Vite for this run. Every page is also saved as a 1280×800
 * screenshot outside the repository ($CRASHLENS_SCREENSHOTS, else a temporary directory).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { build } from "vite";
import { startServer } from "../src/server/start.js";
import { SqliteStore } from "../src/store/sqlite.js";
import type { Cluster, Facets, StoredReport } from "../src/store/types.js";
import { cli } from "./cli.js";
import { repoRoot, testdata } from "./shared.js";
import {
  cspViolationsOf,
  type Incidents,
  launchChromium,
  screenshotDir,
  VIEWPORT,
  watchedContext,
} from "./ui/browser.js";
import { type Fleet, fillFleet } from "./ui/fleet.js";
import type {
  PageCanvas,
  PageDocument,
  PageElement,
  PageStorage,
  PageWindow,
} from "./ui/in-page.js";

// in-page globals (see test/ui/in-page.ts)
declare const document: PageDocument;
declare const window: PageWindow;
declare const sessionStorage: PageStorage;
declare function getComputedStyle(element: PageElement): { backgroundColor: string };

const HOSTILE = "<script>alert(1)</script>";

let work: string;
let store: SqliteStore;
let server: { url: string; close(): Promise<void> };
let browser: Browser;
let context: BrowserContext;
let incidents: Incidents;
let policies: string[];
let page: Page;
let fleet: Fleet;
let shots: string;
/** the script elements of the built index.html: the only ones a page may ever have */
let builtScripts: string[];

/** A GET of the API from the test itself (local mode: no token needed until the last test). */
async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(server.url + path);
  assert.equal(response.status, 200, `GET ${path}`);
  return (await response.json()) as T;
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** Opens a path of the UI and waits for its main content. */
async function open(path: string, ready: string): Promise<void> {
  await page.goto(server.url + path);
  await page.locator(ready).first().waitFor();
}

async function text(selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent()) ?? "";
}

/** "248 clusters" → 248 */
async function clusterTotal(): Promise<number> {
  const words = await text(".page-head p");
  return Number(words.replace(/,/g, "").split(" ")[0]);
}

/** The title links of the cluster list, in order. */
async function rowLinks(): Promise<string[]> {
  return page
    .locator("table.clusters [data-nav-item]")
    .evaluateAll((links) => links.map((l) => l.getAttribute("href") ?? ""));
}

/** True when the element is within both the viewport and its scrolling log box. */
async function inView(selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((line) => {
    const box = line.closest(".log")?.getBoundingClientRect();
    const rect = line.getBoundingClientRect();
    if (!box) return false;
    return (
      rect.top >= Math.max(0, box.top) &&
      rect.bottom <= Math.min(window.innerHeight, box.bottom) &&
      rect.height > 0
    );
  });
}

describe("web UI in chromium", { timeout: 240_000 }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), "crashlens-ui-test-"));
    shots = screenshotDir();
    console.log(`# screenshots: ${shots}`);
    const uiDir = join(work, "ui");
    await build({
      configFile: join(repoRoot, "ui", "vite.config.ts"),
      logLevel: "warn",
      build: { outDir: uiDir, emptyOutDir: true },
    });
    const html = readFileSync(join(uiDir, "index.html"), "utf8");
    builtScripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1] ?? "");
    store = await SqliteStore.open(join(work, "fleet.db"));
    fleet = await fillFleet(store);
    server = await startServer({ store, port: 0, uiDir, rateLimit: false });
    browser = await launchChromium();
    ({ context, incidents, policies } = await watchedContext(browser));
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await store?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("paste box: a seed log shows the culprit the CLI names", async () => {
    const path = testdata("seeds", "000.txt");
    const run = await cli(["analyze", "--json", path]);
    const culprit = JSON.parse(run.stdout).reports[0].culprit as {
      symbol: string;
      module: string | null;
    };
    assert.ok(culprit.symbol, "the CLI names a culprit for seed 000");
    await open("/paste", "textarea");
    await page.fill("textarea", readFileSync(path, "utf8"));
    await page.click("button[type=submit]");
    await page.locator("[data-result-count]").waitFor();
    assert.equal(await text("[data-result-count]"), "1 crash report found");
    const shown = await text("[data-culprit]");
    assert.equal(
      shown.trim(),
      culprit.module ? `${culprit.symbol} [${culprit.module}]` : culprit.symbol,
    );
    assert.match(await text("[data-instruction]"), /\S/);
    await screenshot("paste");

    // a text with no crash in it says so
    await page.fill("textarea", "just a line of text\nand another\n");
    await page.click("button[type=submit]");
    await page.locator("text=No crash report found in this text.").waitFor();
  });

  it("cluster list → a cluster: its trend chart draws on the canvas", async () => {
    await open("/?sort=count", "table.clusters");
    await screenshot("clusters");
    const links = await rowLinks();
    assert.equal(links[0], `/clusters/${fleet.trendCluster}`, "the busiest cluster comes first");
    await page.locator("table.clusters [data-nav-item]").first().click();
    await page.waitForURL(`**/clusters/${fleet.trendCluster}`);
    await page.locator("[data-chart] canvas").waitFor();
    // bars are drawn in the accent blue: count the pixels that are clearly blue
    const blue = await page
      .locator("[data-chart] canvas")
      .first()
      .evaluate((node) => {
        const canvas = node as unknown as PageCanvas;
        const context = canvas.getContext("2d");
        if (!context) return -1;
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        let count = 0;
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b, a] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0, data[i + 3] ?? 0];
          if (a > 0 && b > r + 60 && b > g + 40) count++;
        }
        return count;
      });
    assert.ok(blue > 1000, `the chart has bars (${blue} blue pixels)`);
    const cluster = await getJson<Cluster>(`/api/clusters/${fleet.trendCluster}`);
    assert.equal(await text("h1"), cluster.title);
    assert.ok(cluster.perDay.length >= 12, "the trend spans the fixture's twelve days");
    assert.match(await text(".trend figcaption"), new RegExp(`^${cluster.count} reports on`));
    // releases, hosts, caller paths, reports list and the best example are there
    assert.ok((await page.locator("table.counts").count()) === 2);
    assert.ok((await page.locator(".paths li").count()) >= 1);
    assert.equal(
      await page.locator("[data-best-example]").getAttribute("href"),
      `/reports/${cluster.bestExample}`,
    );
    await page.locator("table.reports [data-nav-item]").first().waitFor();
    await screenshot("cluster");
    // its reports come 20 to a page: `]` and `[` turn them
    const firstReport = () =>
      page.locator("table.reports [data-nav-item]").first().getAttribute("href");
    const newest = await firstReport();
    assert.match(await text(".pager .muted"), new RegExp(`^1–20 of ${cluster.count}$`));
    await page.keyboard.press("]");
    await page
      .locator(`.pager .muted:text-is("21–${cluster.count} of ${cluster.count}")`)
      .waitFor();
    const firstLinkIs = (href: string | null, same: boolean) =>
      page.waitForFunction(
        ([want, equal]) =>
          (document.querySelector("table.reports [data-nav-item]")?.getAttribute("href") ===
            want) ===
          equal,
        [href, same] as const,
      );
    await firstLinkIs(newest, false);
    await page.keyboard.press("[");
    await page.locator(`.pager .muted:text-is("1–20 of ${cluster.count}")`).waitFor();
    await firstLinkIs(newest, true);
  });

  it("report page: evidence lines are marked and a finding's link scrolls to its line", async () => {
    const stored = await getJson<StoredReport>(`/api/reports/${fleet.labReport}`);
    const evidence = new Set(stored.report.findings.flatMap((f) => f.evidence.map((e) => e.line)));
    await open(`/reports/${fleet.labReport}`, ".log .line");
    await screenshot("report");
    for (const line of evidence)
      assert.match(
        (await page.locator(`#L${line}`).getAttribute("class")) ?? "",
        /\bevidence\b/,
        `line ${line} is marked as evidence`,
      );
    // the farthest evidence line is out of sight until its link is followed
    const far = Math.max(...evidence);
    assert.equal(await inView(`#L${far}`), false, `line ${far} starts out of view`);
    await page.locator(`.findings a[data-evidence-line="${far}"]`).first().click();
    await page.waitForURL(`**/reports/${fleet.labReport}#L${far}`);
    await page.locator(`#L${far}.targeted`).waitFor();
    await page.waitForFunction((id) => {
      const line = document.getElementById(id);
      const box = line?.closest(".log")?.getBoundingClientRect();
      const rect = line?.getBoundingClientRect();
      return !!box && !!rect && rect.top >= box.top && rect.bottom <= box.bottom;
    }, `L${far}`);
    assert.equal(await inView(`#L${far}`), true, `line ${far} is scrolled into view`);
    await screenshot("report-evidence");
    // the decoded instruction and its listing are shown
    assert.equal(await text("[data-instruction]"), stored.report.instruction?.text);
    assert.ok((await text("[data-listing]")).includes("trapping instruction"));
  });

  it("a hostile process name stays text and runs nothing", async () => {
    await open(`/reports/${fleet.hostileReport}`, "[data-comm]");
    const comm = await text("[data-comm]");
    assert.ok(comm.includes(HOSTILE), `the comm is shown literally: ${comm}`);
    assert.ok(comm.includes("U+202E"), "the right-to-left override is shown, not obeyed");
    assert.equal(await text("[data-host]"), "evil-<b>host</b>");
    assert.ok((await text(".labels")).includes("<img src=x onerror=alert(2)>"));
    const scripts = await page.evaluate(() =>
      [...document.querySelectorAll("script")].map((s) => s.getAttribute("src") ?? "(inline)"),
    );
    assert.deepEqual(scripts, builtScripts, "only the bundle's own script element");
    assert.equal(await page.locator("#app img, #app b").count(), 0, "no element from a string");
    // the log line with the comm is text too
    const line = await page.locator(".log .line", { hasText: HOSTILE }).first().textContent();
    assert.ok(line?.includes(HOSTILE));
    await screenshot("report-hostile");
    // the cluster page shows the hostile host as text as well
    await open(`/clusters/${fleet.trendCluster}`, "table.counts");
    assert.ok((await text("table.counts >> nth=1")).includes("evil-<b>host</b>"));
    assert.deepEqual(incidents.dialogs, [], "no dialog was opened");
  });

  it("known bugs: exact and likely matches shown, possible ones folded away as weaker", async () => {
    const { clusters } = await getJson<{ clusters: Array<{ id: number }> }>(
      "/api/clusters?limit=1000",
    );
    const details = await Promise.all(
      clusters.map((c) => getJson<Cluster>(`/api/clusters/${c.id}`)),
    );
    const strong = (c: Cluster) => c.knownBugs.filter((b) => b.confidence !== "possible");
    const weakOnly = details.find((c) => c.knownBugs.length > 0 && strong(c).length === 0);
    assert.ok(weakOnly, "the fleet has a cluster with only possible matches");
    await open(`/clusters/${weakOnly.id}`, "details.weak-matches");
    assert.match(await text("main"), /No known upstream bug matches this cluster's reports/);
    assert.match(
      await text("details.weak-matches summary"),
      new RegExp(`^${weakOnly.knownBugs.length} weaker candidate`),
    );
    const withStrong = details.find((c) => strong(c).length > 0);
    assert.ok(withStrong, "the fleet has a cluster with a likely or exact match");
    await open(`/clusters/${withStrong.id}`, "h1");
    assert.ok((await text("main")).includes(strong(withStrong)[0]?.id ?? "?"));
  });

  it("search and filters narrow the list, live in the URL and survive reload and back", async () => {
    await open("/", "table.clusters");
    const all = await clusterTotal();
    assert.ok(all > 10, `the fleet has clusters (${all})`);

    await page.fill("[data-search]", "buggy_read_status");
    await page.waitForURL(/\?q=buggy_read_status$/);
    await page.waitForFunction(
      (total) => !document.querySelector(".page-head p")?.textContent?.startsWith(`${total} `),
      all,
    );
    const found = await clusterTotal();
    assert.ok(found >= 1 && found < all, `search narrows ${all} → ${found}`);
    assert.ok((await rowLinks()).includes(`/clusters/${fleet.trendCluster}`));
    await screenshot("clusters-search");

    const facets = await getJson<Facets>("/api/facets");
    assert.ok(facets.kinds.includes("kernel-bug"));
    await page.fill("[data-search]", "");
    await page.waitForURL((url) => url.search === "");
    await page.selectOption('select[name="kind"]', "kernel-bug");
    await page.waitForURL(/\?kind=kernel-bug$/);
    await page.waitForFunction(() =>
      [...document.querySelectorAll("table.clusters tbody .badge.kind")].every(
        (b) => b.textContent === "kernel-bug",
      ),
    );
    const kernelBugs = await clusterTotal();
    assert.ok(kernelBugs >= 1 && kernelBugs < all, `kind narrows ${all} → ${kernelBugs}`);

    // a time range: only what was seen on the trend's last days
    await page.selectOption('select[name="kind"]', "");
    await page.fill('input[name="from"]', "2026-11-15");
    await page.waitForURL(/\?from=2026-11-15$/);
    await page.waitForFunction(
      (total) => !document.querySelector(".page-head p")?.textContent?.startsWith(`${total} `),
      all,
    );
    const recent = await clusterTotal();
    assert.ok(recent >= 1 && recent < all, `from narrows ${all} → ${recent}`);

    // deep link: the filters come back from the URL alone
    await open("/?kind=kernel-bug&q=buggy", "table.clusters, .empty");
    await page.reload();
    await page.locator("table.clusters, .empty").first().waitFor();
    assert.equal(await page.inputValue('select[name="kind"]'), "kernel-bug");
    assert.equal(await page.inputValue("[data-search]"), "buggy");
    // back: the previous filters
    await page.selectOption('select[name="kind"]', "");
    await page.waitForURL(/\?q=buggy$/);
    await page.goBack();
    await page.waitForURL(/\?kind=kernel-bug&q=buggy$/);
    assert.equal(await page.inputValue('select[name="kind"]'), "kernel-bug");
  });

  it("keyboard: j/k select, Enter opens, u goes up, / searches, ? helps, g p pastes", async () => {
    await open("/", "table.clusters");
    const links = await rowLinks();
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute("href"));
    await page.keyboard.press("j");
    assert.equal(await focused(), links[0]);
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    assert.equal(await focused(), links[2]);
    await page.keyboard.press("k");
    assert.equal(await focused(), links[1]);
    // the selected row is visibly marked
    const rowColour = await page
      .locator("table.clusters tbody tr")
      .nth(1)
      .evaluate((row) => getComputedStyle(row).backgroundColor);
    assert.notEqual(rowColour, "rgba(0, 0, 0, 0)");
    await screenshot("clusters-keyboard");
    await page.keyboard.press("Enter");
    await page.waitForURL(`**${links[1]}`);
    await page.locator("h1").waitFor();

    // a report of this cluster by keyboard, then back up
    await page.locator("table.reports [data-nav-item]").first().waitFor();
    await page.keyboard.press("j");
    const report = await focused();
    assert.match(report ?? "", /^\/reports\/\d+$/);
    await page.keyboard.press("Enter");
    await page.waitForURL(`**${report}`);
    await page.locator("[data-up]").waitFor();
    await page.keyboard.press("u");
    await page.waitForURL(`**${links[1]}`);
    await page.keyboard.press("u");
    await page.waitForURL((url) => url.pathname === "/");

    await page.locator("table.clusters").waitFor();
    await page.keyboard.press("/");
    assert.equal(
      await page.evaluate(() => document.activeElement?.hasAttribute("data-search")),
      true,
    );
    await page.keyboard.press("Escape");
    await page.keyboard.press("?");
    await page.locator("dialog.help[open]").waitFor();
    assert.ok((await text("dialog.help")).includes("Go to the paste box"));
    await screenshot("help");
    await page.keyboard.press("Escape");
    await page.locator("dialog.help[open]").waitFor({ state: "detached" });
    await page.keyboard.press("g");
    await page.keyboard.press("p");
    await page.waitForURL("**/paste");
    await page.keyboard.press("g");
    await page.keyboard.press("c");
    await page.waitForURL((url) => url.pathname === "/");
  });

  it("deep links load by themselves: a cluster, a report line, an unknown page", async () => {
    await open(`/clusters/${fleet.trendCluster}`, "[data-chart] canvas");
    await page.reload();
    await page.locator("[data-chart] canvas").waitFor();
    const far = 370;
    await open(`/reports/${fleet.labReport}#L${far}`, `#L${far}.targeted`);
    await page.waitForFunction((id) => {
      const line = document.getElementById(id);
      const box = line?.closest(".log")?.getBoundingClientRect();
      const rect = line?.getBoundingClientRect();
      return !!box && !!rect && rect.top >= box.top && rect.bottom <= box.bottom;
    }, `L${far}`);
    await open("/no/such/page", "h1");
    assert.equal(await text("h1"), "Not found");
    await open("/reports/999999", ".error");
    assert.match(await text(".error"), /Not found/);
    // an undecodable fragment or path parameter is shown as text, not a blank page
    for (const path of ["/#%E0", "/paste#%E0%A4"]) await open(path, "h1");
    await page.evaluate(
      "history.pushState(null, '', '/clusters/%E0'); dispatchEvent(new PopStateEvent('popstate'))",
    );
    await page.locator(".error").first().waitFor();
  });

  it("status: an admin edits it; with tokens, a read token sees text and a token is asked", async () => {
    // local mode is admin
    await open(`/clusters/${fleet.trendCluster}`, "form.status-form");
    await page.selectOption('select[name="status"]', "triaged");
    await page.fill('textarea[name="note"]', `on it ${HOSTILE}`);
    await page.click("form.status-form button[type=submit]");
    await page.locator(".cluster-head .badge.status-triaged").waitFor();
    const saved = await getJson<Cluster>(`/api/clusters/${fleet.trendCluster}`);
    assert.equal(saved.status, "triaged");
    assert.equal(saved.note, `on it ${HOSTILE}`);

    // tokens end local mode: the UI asks for one, refuses a wrong one, reads with a read one
    const { tokenHash } = await import("../src/server/auth.js");
    const secrets = { read: "clk_ui-test-read-token", admin: "clk_ui-test-admin-token" };
    for (const [role, secret] of Object.entries(secrets))
      await store.createToken({
        name: `ui-${role}`,
        role: role as "read" | "admin",
        hash: tokenHash(secret),
      });
    // the server checks for tokens at most once a second: wait until it has seen them
    for (let tries = 0; ; tries++) {
      const health = await fetch(`${server.url}/api/health`);
      await health.body?.cancel();
      if (health.status === 401) break;
      assert.ok(tries < 50, "the server still answers without a token");
      await new Promise((done) => setTimeout(done, 100));
    }
    await page.reload();
    await page.locator(".token-box").waitFor();
    await screenshot("token");
    await page.fill(".token-box input", "clk_wrong");
    await page.click(".token-box button[type=submit]");
    await page.locator(".token-box .error").waitFor();
    await page.fill(".token-box input", secrets.read);
    await page.click(".token-box button[type=submit]");
    await page.locator("[data-note]").waitFor();
    assert.equal(await text("[data-note]"), `on it ${HOSTILE}`);
    assert.equal(await page.locator("form.status-form").count(), 0, "read: no form");
    assert.match(await text(".topbar .who"), /read token/);
    await screenshot("cluster-read-only");
    // the token lives in this tab's session storage only
    assert.equal(
      await page.evaluate(() => sessionStorage.getItem("crashlens.token")),
      secrets.read,
    );
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.fill(".token-box input", secrets.admin);
    await page.click(".token-box button[type=submit]");
    await page.locator("form.status-form").waitFor();
  });

  it("no console error, uncaught exception or CSP violation on any page", async () => {
    assert.ok(policies.length > 0 && policies.every((p) => /default-src 'self'/.test(p)));
    assert.ok(policies.every((p) => !p.includes("unsafe")));
    assert.deepEqual(await cspViolationsOf(page), []);
    // expected: the token test's wrong token (401), the missing report (404), and the
    // undecodable cluster id the API refuses (400)
    const unexpected = incidents.consoleErrors.filter((e) => !/status of (400|401|404)/.test(e));
    assert.deepEqual(unexpected, []);
    assert.deepEqual(incidents.pageErrors, []);
    assert.deepEqual(incidents.dialogs, []);
    assert.equal(VIEWPORT.width, page.viewportSize()?.width);
  });
});
