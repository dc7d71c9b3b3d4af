/**
 * The app shell in a real browser: served by the Worker's static assets with the CSP header,
 * client-side routes behind the single-page-application fallback, API and health still reach the
 * Worker, keyboard navigation (skip link, nav), theme toggle, 360 px layout, no axe violations.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, launchBrowser, newPage, open, seriousAxeViolations } from "./support/browser.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

describe("app shell", () => {
  it("serves the app on every client route with a CSP that forbids inline script and other origins", async () => {
    for (const path of ["/", "/chat", "/knowledge", "/no/such/page"]) {
      const res = await fetch(new URL(path, baseUrl()));
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    }
    // the API and health are the Worker's, not index.html
    const health = await fetch(new URL("/health", baseUrl()));
    expect(health.headers.get("content-type")).toContain("application/json");
    const missing = await fetch(new URL("/api/nope", baseUrl()));
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
  });

  it("routes on the client, shows a not-found page, and has no serious accessibility violation", async () => {
    const { context, page, problems } = await newPage(browser);
    await open(page, "/somewhere/else");
    await expect(page.getByRole("heading", { name: "Page not found" }).isVisible()).resolves.toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole("link", { name: "knowledge explorer" }).click();
    await page.waitForURL(/\/knowledge$/);
    expect(await page.locator('nav[aria-label="Main"] a[aria-current="page"]').textContent()).toBe("Knowledge");
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("works from the keyboard: the skip link moves focus to the main content", async () => {
    const { context, page } = await newPage(browser);
    await open(page, "/nowhere");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
    await context.close();
  });

  it("switches theme and remembers it; fits a 360 px screen without horizontal scrolling", async () => {
    const { context, page } = await newPage(browser, { viewport: { width: 360, height: 740 } });
    await open(page, "/nowhere");
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await bg();
    await page.getByRole("button", { name: /switch theme/ }).click(); // system → dark
    const dark = await bg();
    expect(dark).not.toBe(light);
    await page.reload();
    await page.locator("main#main").waitFor();
    expect(await bg()).toBe(dark);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await context.close();
  });
});
