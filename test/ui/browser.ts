/**
 * @module test/ui/browser
 * Debian's chromium driven by playwright-core, as CI installs it (scripts/test-deps.mjs), with
 * what the UI tests watch on every page: console errors, uncaught exceptions, CSP violations
 * and dialogs (a script injected through a report string would open one).
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { repoRoot } from "../shared.js";
import type { PageDocument, PageWindow } from "./in-page.js";

// in-page globals (see in-page.ts)
declare const document: PageDocument;
declare const window: PageWindow;

export const CHROMIUM = "/usr/bin/chromium";
export const VIEWPORT = { width: 1280, height: 800 };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Everything a page did that a user should never see happen. */
export interface Incidents {
  consoleErrors: string[];
  pageErrors: string[];
  cspViolations: string[];
  dialogs: string[];
}

export async function watchedContext(
  browser: Browser,
): Promise<{ context: BrowserContext; incidents: Incidents; policies: string[] }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const incidents: Incidents = {
    consoleErrors: [],
    pageErrors: [],
    cspViolations: [],
    dialogs: [],
  };
  const policies: string[] = [];
  // the policy each document came with: the server's own, which allows no inline code
  context.on("response", (response) => {
    if (response.request().resourceType() === "document")
      policies.push(response.headers()["content-security-policy"] ?? "");
  });
  // a listener, not a script element: `document.querySelectorAll("script")` stays ours
  await context.addInitScript(() => {
    const seen: string[] = [];
    window.__cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
    });
  });
  context.on("page", (page) => watch(page, incidents));
  return { context, incidents, policies };
}

function watch(page: Page, incidents: Incidents): void {
  page.on("console", (message) => {
    if (message.type() === "error") incidents.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => incidents.pageErrors.push(error.message));
  page.on("dialog", (dialog) => {
    incidents.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
}

/** The violations the page's own listener recorded (they also reach the console). */
export async function cspViolationsOf(page: Page): Promise<string[]> {
  return page.evaluate(() => [
    ...((window as { __cspViolations?: string[] }).__cspViolations ?? []),
  ]);
}

/** Where screenshots go: `$CRASHLENS_SCREENSHOTS`, else a new temporary directory; never
 * inside the repository (they are not committed). */
export function screenshotDir(): string {
  const chosen = process.env.CRASHLENS_SCREENSHOTS;
  const dir = chosen ? resolve(chosen) : mkdtempSync(join(tmpdir(), "crashlens-ui-"));
  if (!relative(repoRoot, dir).startsWith(".."))
    throw new Error(`screenshots must be written outside the repository, not to ${dir}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
