/**
 * Helpers of the browser tests: launch Debian's Chromium headless with playwright-core, open a
 * page of the app while recording what must never happen (uncaught errors, console errors, CSP
 * violations, requests to other origins), run axe-core from node_modules, take screenshots.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { expect, inject } from "vitest";

const root = new URL("../../..", import.meta.url).pathname;
const require = createRequire(import.meta.url);

/** Flags for Chromium on these machines (closed network, root, no GPU). */
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"];

/** The app's base URL, e.g. http://127.0.0.1:41234. */
export function baseUrl(): string {
  return inject("baseUrl");
}

/**
 * Signs the page's browser context in as the admin (`POST /api/admin/session` sets the HttpOnly
 * cookie in the context's cookie jar), as the dashboard's sign-in form does.
 */
export async function signInAsAdmin(context: BrowserContext): Promise<void> {
  const res = await context.request.post(`${baseUrl()}/api/admin/session`, { data: { token: inject("adminToken") } });
  if (!res.ok()) throw new Error(`admin sign-in failed: ${res.status()} ${await res.text()}`);
}

/** GET of the API as the admin from the test (Node side: the truth the pages must show); fails the test on a non-200. */
export async function adminGet<T>(path: string): Promise<T> {
  const res = await fetch(new URL(path, baseUrl()), { headers: { authorization: `Bearer ${inject("adminToken")}` } });
  expect(res.status, `GET ${path}`).toBe(200);
  return (await res.json()) as T;
}

/** POST of a JSON body to the API as the admin from the test; fails the test on a non-200. */
export async function adminPost(path: string, body: unknown): Promise<void> {
  const res = await fetch(new URL(path, baseUrl()), {
    method: "POST",
    headers: { authorization: `Bearer ${inject("adminToken")}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, `POST ${path}: ${await res.clone().text()}`).toBe(200);
}

/** Launches headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: inject("chromiumPath"), headless: true, args: CHROMIUM_ARGS });
}

/** What a page did that a test may assert never happened. */
export interface PageProblems {
  /** Uncaught exceptions and console errors (CSP violations appear here too). */
  errors: string[];
  /** URLs requested outside the app's origin. */
  foreignRequests: string[];
}

/**
 * A new context (viewport 1280×800 unless given, light colour scheme unless given) and page,
 * with problems recorded. Requests to other origins than the app's (`baseUrl`, default the
 * global app server's) are aborted and recorded.
 */
export async function newPage(
  browser: Browser,
  options: { viewport?: { width: number; height: number }; colorScheme?: "light" | "dark"; baseUrl?: string } = {},
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 }, colorScheme: options.colorScheme ?? "light" });
  const origin = new URL(options.baseUrl ?? baseUrl()).origin;
  const problems: PageProblems = { errors: [], foreignRequests: [] };
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || new URL(url).origin === origin || url.startsWith(origin.replace(/^http/, "ws"))) return route.continue();
    problems.foreignRequests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.errors.push(`console: ${m.text()}`);
  });
  return { context, page, problems };
}

/** Opens `path` of the app (at `base`, default the global app server) and waits for the main landmark. */
export async function open(page: Page, path: string, base = baseUrl()): Promise<void> {
  await page.goto(new URL(path, base).toString());
  await page.locator("main#main").waitFor();
}

/** One axe-core violation, reduced to what a failure message needs. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (node_modules/axe-core/axe.min.js, injected through the DevTools protocol, which
 * the page's CSP does not govern) on the current page; returns the serious and critical violations.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const source = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/**
 * Saves a screenshot of the page as `<name>.png`: in docs/screenshots/ when SCREENSHOTS=docs
 * (`npm run screenshots`), else in .screenshots/ (ignored by git).
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.SCREENSHOTS === "docs" ? join(root, "docs", "screenshots") : join(root, ".screenshots");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
