/**
 * The quality dashboard's Overview, Alerts and Metrics pages in a real browser, against the server
 * of the global setup with the quality-loop seed (`inject("seed")`: a week of runs, alerts of all
 * four severities, proposals): the sign-in form, the loop's health and the latest metrics against
 * the rules' thresholds, auto-refresh, the alert list's filters and pages in the URL, the alert
 * drawer (transition log, focus, Escape), acknowledging and resolving a seeded firing alert
 * (checked through the API, errors in the API's words), a uPlot chart per metric with its
 * threshold lines and the same points as a table, the timeframe in the URL, the charts following
 * the theme, axe in light and dark, and a 360 px screen. Every page is checked for uncaught
 * errors and requests to other origins. The truth is the API, read from Node as the admin.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { METRIC_NAMES, METRICS } from "../../worker/monitoring/alerts-metrics.ts";
import { baseUrl, launchBrowser, newPage, open, seriousAxeViolations, signInAsAdmin, type PageProblems, adminGet, adminPost } from "./support/browser.ts";

interface Rule { id: string; name: string; metric: string; operator: "<" | "<=" | ">" | ">="; warning: number | null; critical: number | null; enabled: boolean }
interface Alert { id: string; rule_id: string; metric: string; status: string; severity: string; value: number; threshold: number; acknowledged_at: string | null; acknowledged_by: string | null }
interface Transition { from_status: string | null; to_status: string; note: string | null; at: string }
interface AlertPage { alerts: Alert[]; total: number }
interface Health { status: string; checks: { name: string; status: string; message: string }[] }
interface Latest { run_id: string; metrics: Record<string, number | null> }
interface Trend { points: { run_id: string; at: string; value: number | null }[] }

/** A metric value as the pages write it (an independent copy of the rule, as the test's oracle). */
function shown(metric: string, v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  const unit = METRICS[metric as keyof typeof METRICS]?.unit ?? "ratio";
  if (unit === "ms") return `${Math.round(v)} ms`;
  if (unit === "calls") return `${Number(v.toFixed(2))} ${v === 1 ? "call" : "calls"}`;
  return String(Number(v.toFixed(3)));
}

const crosses = (v: number, op: Rule["operator"], t: number) => (op === "<" ? v < t : op === "<=" ? v <= t : op === ">" ? v > t : v >= t);

/** The standing the overview must print for a value against the enabled rules of its metric. */
function standing(rules: Rule[], metric: string, v: number | null | undefined): string {
  if (v === null || v === undefined) return "Not computed";
  const mine = rules.filter((r) => r.enabled && r.metric === metric);
  if (!mine.length) return "No rule";
  if (mine.some((r) => r.critical !== null && crosses(v, r.operator, r.critical))) return "Critical breach";
  if (mine.some((r) => r.warning !== null && crosses(v, r.operator, r.warning))) return "Warning breach";
  return "Within thresholds";
}

const STATUS_TEXT: Record<number, string> = { 403: "Forbidden", 404: "Not Found", 409: "Conflict", 422: "Unprocessable Entity" };

/** The problems without the console errors Chromium logs for the 4xx answers a test provokes on purpose. */
function unexpected(problems: PageProblems, statuses: number[] = []): string[] {
  const expected = new Set(statuses.map((s) => `console: Failed to load resource: the server responded with a status of ${s} (${STATUS_TEXT[s]})`));
  return problems.errors.filter((e) => !expected.has(e));
}

/** Ids of the alert rows shown, in order. */
function rowIds(page: Page): Promise<string[]> {
  return page.locator("tr[data-alert-id]").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.alertId!));
}

/** Waits until the alert list shows exactly `ids` and is not loading. */
async function waitForRows(page: Page, ids: string[]): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const section = document.querySelector("section.alerts-list");
      const shown = Array.from(document.querySelectorAll("tr[data-alert-id]")).map((r) => (r as HTMLElement).dataset.alertId);
      return section?.getAttribute("aria-busy") === "false" && JSON.stringify(shown) === JSON.stringify(expected);
    },
    ids,
    { timeout: 15_000 },
  );
}

/** Waits until every metric has its chart drawn (a canvas and the threshold lines' record). */
async function waitForCharts(page: Page): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll(".metric-chart[data-thresholds] canvas").length === n, METRIC_NAMES.length, { timeout: 20_000 });
}

/**
 * Share of the pixels of the chart canvas's row at `y` (CSS px) that have the colour `rgb`: a
 * dashed threshold line covers most of its row.
 */
function rowShare(page: Page, metric: string, y: number, rgb: [number, number, number]): Promise<number> {
  return page.evaluate(
    ({ metric, y, rgb }) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`.metric-chart[data-metric="${metric}"] canvas`)!;
      const ratio = canvas.width / canvas.getBoundingClientRect().width;
      const row = canvas.getContext("2d")!.getImageData(0, Math.round(y * ratio), canvas.width, 1).data;
      let hits = 0;
      for (let i = 0; i < row.length; i += 4) {
        if (row[i + 3]! > 200 && Math.abs(row[i]! - rgb[0]) + Math.abs(row[i + 1]! - rgb[1]) + Math.abs(row[i + 2]! - rgb[2]) < 40) hits++;
      }
      return hits / canvas.width;
    },
    { metric, y, rgb },
  );
}

/** The threshold lines a chart drew (level, value, y in CSS px). */
async function drawnLines(page: Page, metric: string): Promise<{ level: string; value: number; y: number }[]> {
  return JSON.parse((await page.locator(`.metric-chart[data-metric="${metric}"]`).getAttribute("data-thresholds")) ?? "[]");
}

/** --danger of styles.css in each scheme. */
const DANGER: Record<"light" | "dark", [number, number, number]> = { light: [0xb3, 0x26, 0x1e], dark: [0xff, 0xb4, 0xab] };

const seed = inject("seed");

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

describe("quality dashboard: overview, alerts, metrics", () => {
  it("asks for the admin token: a wrong one shows the API's message, the right one opens the overview", async () => {
    const { context, page, problems } = await newPage(browser);
    await open(page, "/dashboard");
    const token = page.getByLabel("Admin token");
    await token.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("admin-token");
    await token.fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toBe("The admin token is not valid");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("admin-token");
    await token.fill(inject("adminToken"));
    await token.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    await page.locator("[data-section=overview-health] [data-check]").first().waitFor();
    // The session is the HttpOnly cookie: the API answers this context as the admin now.
    const res = await context.request.get(new URL("/api/meta-monitoring/health", baseUrl()).toString());
    expect(res.status()).toBe(200);
    expect(unexpected(problems, [403])).toEqual([]);
    expect(problems.errors.length).toBe(1); // the 403 of the wrong token, nothing else (no 401 before sign-in)
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("overview: the loop's health, the latest metrics against the thresholds, recent alerts, proposals; refreshed every 30 s", async () => {
    const { context, page, problems } = await newPage(browser);
    await signInAsAdmin(context);
    await page.clock.install();
    const healthCalls: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname === "/api/meta-monitoring/health") healthCalls.push(r.url());
    });
    await open(page, "/dashboard");
    const [health, latest, { rules }, recent, proposals] = await Promise.all([
      adminGet<Health>("/api/meta-monitoring/health"),
      adminGet<Latest>("/api/meta-monitoring/metrics/latest"),
      adminGet<{ rules: Rule[] }>("/api/meta-monitoring/alert-rules"),
      adminGet<AlertPage>("/api/meta-monitoring/alerts?limit=5"),
      adminGet<{ total: number; by_status: Record<string, number> }>("/api/meta-monitoring/proposals/stats"),
    ]);

    // health: the overall status and each check's message
    const checks = page.locator("[data-section=overview-health] [data-check]");
    await expect.poll(() => checks.count()).toBe(health.checks.length);
    const statusText = { ok: "OK", degraded: "Degraded", critical: "Critical" } as Record<string, string>;
    expect(await page.locator(".health-status .badge").innerText()).toBe(statusText[health.status]);
    for (const c of health.checks) {
      const item = page.locator(`[data-check="${c.name}"]`);
      expect(await item.innerText()).toContain(c.message);
      expect(await item.locator(".badge").innerText()).toBe(statusText[c.status]);
    }

    // latest metrics: value, thresholds, direction and standing in words for every metric
    expect(await page.locator(".latest-metrics caption").innerText()).toContain(latest.run_id.slice(0, 8));
    let breaches = 0;
    for (const name of METRIC_NAMES) {
      const row = page.locator(`tr[data-metric="${name}"]`);
      const value = latest.metrics[name];
      expect(await row.locator("td[data-label=Value]").innerText(), name).toBe(shown(name, value));
      expect(await row.locator("td[data-label=Better]").innerText()).toBe(METRICS[name].direction === "higher_is_better" ? "Higher is better" : "Lower is better");
      const expected = standing(rules, name, value);
      expect(await row.locator("td[data-label=Standing]").innerText(), name).toContain(expected);
      if (expected.endsWith("breach")) breaches++;
      const mine = rules.filter((r) => r.enabled && r.metric === name);
      if (mine.length === 1 && mine[0]!.critical !== null) expect(await row.locator("td[data-label=Critical]").innerText()).toBe(`${mine[0]!.operator} ${shown(name, mine[0]!.critical)}`);
    }
    expect(breaches).toBeGreaterThan(0); // the seed ends on breaching runs

    // recent alerts: the five newest, each linking to its drawer
    const items = page.locator(".recent-alerts li");
    expect(await items.evaluateAll((li) => li.map((l) => (l as HTMLElement).dataset.alertId))).toEqual(recent.alerts.map((a) => a.id));
    expect(await items.first().locator("a").getAttribute("href")).toBe(`/dashboard/alerts/${recent.alerts[0]!.id}`);

    // proposals by status, each linking to the filtered list
    for (const [status, n] of Object.entries(proposals.by_status)) {
      const link = page.locator(`.proposal-counts [data-status="${status}"] a`);
      expect(await link.getAttribute("href")).toBe(`/dashboard/proposals?status=${status}`);
      expect(await link.innerText()).toMatch(new RegExp(`: ${n}$`));
    }
    expect(seed.proposals.length).toBe(4);

    // auto-refresh after 30 s: the data is loaded again and stays on screen meanwhile
    const before = healthCalls.length;
    await page.clock.fastForward(31_000);
    await expect.poll(() => healthCalls.length).toBeGreaterThan(before);
    await expect.poll(() => page.locator(".refresh-bar .muted").innerText()).toMatch(/^Updated /);
    expect(await checks.count()).toBe(health.checks.length);

    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("alerts: severity and status filters change the rows and the URL; pages; state survives a reload", async () => {
    const { context, page, problems } = await newPage(browser);
    await signInAsAdmin(context);
    await open(page, "/dashboard/alerts");
    const all = await adminGet<AlertPage>("/api/meta-monitoring/alerts?limit=20");
    expect(all.total).toBeGreaterThanOrEqual(6);
    await waitForRows(page, all.alerts.map((a) => a.id));
    expect(await page.locator(".result-summary").innerText()).toBe(`${all.total} alerts`);

    // severity
    const critical = await adminGet<AlertPage>("/api/meta-monitoring/alerts?limit=20&severity=critical");
    expect(critical.total).toBeGreaterThan(0);
    await page.getByLabel("Severity").selectOption("critical");
    await page.waitForURL(/[?&]severity=critical\b/);
    await waitForRows(page, critical.alerts.map((a) => a.id));
    expect(new Set(await page.locator("tr[data-alert-id]").evaluateAll((r) => r.map((x) => (x as HTMLElement).dataset.severity)))).toEqual(new Set(["critical"]));

    // and status
    const firingCritical = await adminGet<AlertPage>("/api/meta-monitoring/alerts?limit=20&severity=critical&status=firing");
    await page.getByLabel("Status").selectOption("firing");
    await page.waitForURL((u) => u.searchParams.get("severity") === "critical" && u.searchParams.get("status") === "firing");
    await waitForRows(page, firingCritical.alerts.map((a) => a.id));
    expect(await page.locator(".result-summary").innerText()).toBe(`${firingCritical.total} ${firingCritical.total === 1 ? "alert" : "alerts"}, severity critical, status firing`);

    // status alone (resolved ones exist in the seed), then a reload keeps it
    await page.getByLabel("Severity").selectOption("");
    await page.getByLabel("Status").selectOption("resolved");
    await page.waitForURL((u) => !u.searchParams.has("severity") && u.searchParams.get("status") === "resolved");
    const resolved = await adminGet<AlertPage>("/api/meta-monitoring/alerts?limit=20&status=resolved");
    expect(resolved.total).toBeGreaterThan(0);
    await waitForRows(page, resolved.alerts.map((a) => a.id));
    await page.reload();
    await waitForRows(page, resolved.alerts.map((a) => a.id));
    expect(await page.getByLabel("Status").inputValue()).toBe("resolved");

    // pages of 5: next and previous, each a URL
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.waitForURL((u) => u.search === "");
    await page.getByLabel("Per page").selectOption("5");
    await page.waitForURL(/[?&]limit=5\b/);
    const first = await adminGet<AlertPage>("/api/meta-monitoring/alerts?limit=5&page=1");
    await waitForRows(page, first.alerts.map((a) => a.id));
    expect(await page.locator(".list-pager .page-of").innerText()).toBe(`Page 1 of ${Math.ceil(first.total / 5)}`);
    const second = await adminGet<AlertPage>("/api/meta-monitoring/alerts?limit=5&page=2");
    await page.getByRole("link", { name: "Next page" }).click();
    await page.waitForURL(/[?&]page=2\b/);
    await waitForRows(page, second.alerts.map((a) => a.id));
    await page.getByRole("link", { name: "Previous page" }).click();
    await page.waitForURL((u) => !u.searchParams.has("page"));
    await waitForRows(page, first.alerts.map((a) => a.id));

    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("the alert drawer: opens from a row by keyboard with the transition log, Escape closes it and focus returns", async () => {
    const { context, page, problems } = await newPage(browser);
    await signInAsAdmin(context);
    const resolvedId = seed.alerts.find((a) => a.status === "resolved")?.id;
    expect(resolvedId, JSON.stringify(seed.alerts)).toBeTruthy();
    const detail = await adminGet<Alert & { transitions: Transition[] }>(`/api/meta-monitoring/alerts/${resolvedId}`);
    expect(detail.transitions.length).toBeGreaterThanOrEqual(2);

    await open(page, "/dashboard/alerts?status=resolved");
    const link = page.locator(`a[data-alert-link="${resolvedId}"]`);
    await link.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => u.pathname === `/dashboard/alerts/${resolvedId}` && u.searchParams.get("status") === "resolved");
    const drawer = page.getByRole("dialog");
    await drawer.locator(".transition-log").waitFor();
    // focus moved into the dialog (its heading), the page behind is inert (a modal <dialog>)
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest("dialog") !== null && document.activeElement?.tagName)).toBe("H2");
    expect(await drawer.getAttribute("aria-labelledby")).toBeTruthy();
    expect(await drawer.locator("h2").innerText()).toBe(`Alert on ${detail.metric}`);
    // the transition log, in order
    const logged = await drawer.locator(".transition-log tbody tr").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.transition));
    expect(logged).toEqual(detail.transitions.map((t) => `${t.from_status ?? "none"}>${t.to_status}`));
    expect(await drawer.locator(".transition-log tbody tr").last().locator("td[data-label=Note]").innerText()).toBe(detail.transitions.at(-1)!.note ?? "—");
    // a resolved alert offers no action
    expect(await drawer.getByRole("button", { name: "Resolve" }).count()).toBe(0);
    expect(await drawer.innerText()).toContain("This alert is resolved");

    await page.keyboard.press("Escape");
    await page.waitForURL((u) => u.pathname === "/dashboard/alerts" && u.searchParams.get("status") === "resolved");
    await drawer.waitFor({ state: "detached" });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-alert-link"))).toBe(resolvedId);

    // opened from its URL (no opener): Close returns focus to its row's link
    await open(page, `/dashboard/alerts/${resolvedId}`);
    await drawer.locator(".transition-log").waitFor();
    await page.locator(`a[data-alert-link="${resolvedId}"]`).waitFor({ state: "attached" });
    await drawer.getByRole("button", { name: "Close the alert" }).click();
    await drawer.waitFor({ state: "detached" });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-alert-link"))).toBe(resolvedId);

    // an unknown alert: the API's words
    await open(page, "/dashboard/alerts/no-such-alert");
    await expect.poll(() => drawer.getByRole("alert").innerText()).toBe("Could not load the alert: No alert no-such-alert");

    expect(unexpected(problems, [404])).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("acknowledges and resolves a seeded firing alert from the drawer; the list follows, the API agrees, errors are the API's", async () => {
    const firing = (await adminGet<AlertPage>("/api/meta-monitoring/alerts?limit=100&status=firing")).alerts.filter((a) => seed.alerts.some((s) => s.id === a.id));
    const target = firing.find((a) => a.acknowledged_at === null);
    expect(target, `a seeded firing alert nobody acknowledged: ${JSON.stringify(firing)}`).toBeTruthy();
    const id = target!.id;
    const before = await adminGet<Alert & { transitions: Transition[] }>(`/api/meta-monitoring/alerts/${id}`);

    const { context, page, problems } = await newPage(browser);
    await signInAsAdmin(context);
    await open(page, "/dashboard/alerts?status=firing");
    await page.locator(`a[data-alert-link="${id}"]`).click();
    const drawer = page.getByRole("dialog");
    await drawer.locator(".transition-log").waitFor();
    const rows = drawer.locator(".transition-log tbody tr");
    expect(await rows.count()).toBe(before.transitions.length);

    // a second tab holds the same alert open (it will be stale)
    const stale = await context.newPage();
    const staleErrors: string[] = [];
    stale.on("console", (m) => m.type() === "error" && staleErrors.push(m.text()));
    await open(stale, `/dashboard/alerts/${id}`);
    await stale.getByRole("dialog").locator(".transition-log").waitFor();

    // acknowledge with a note
    await drawer.getByLabel("Acknowledgement note (optional)").fill("Browser test: looking into it");
    await drawer.getByRole("button", { name: "Acknowledge" }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Alert acknowledged.");
    await expect.poll(() => rows.count()).toBe(before.transitions.length + 1);
    expect(await rows.last().locator("td[data-label=Note]").innerText()).toBe("acknowledged by admin: Browser test: looking into it");
    expect(await drawer.innerText()).toContain("Acknowledged by admin");
    // the list behind refreshed too
    await expect.poll(() => page.locator(`tr[data-alert-id="${id}"] td[data-label=Acknowledged]`).innerText()).toMatch(/ by admin$/);
    const acked = await adminGet<Alert>(`/api/meta-monitoring/alerts/${id}`);
    expect(acked.acknowledged_by).toBe("admin");
    expect(acked.status).toBe(target!.status);

    // resolve: an empty note is refused by the form, a blank one by the API (its words)
    const note = drawer.getByLabel("Resolution note (required)");
    await drawer.getByRole("button", { name: "Resolve" }).click();
    expect(await note.evaluate((el) => (el as HTMLTextAreaElement).validity.valueMissing)).toBe(true);
    await note.fill("   ");
    await drawer.getByRole("button", { name: "Resolve" }).click();
    await expect.poll(() => drawer.getByRole("alert").innerText()).toBe("Invalid request body: note must not be empty");
    expect((await adminGet<Alert>(`/api/meta-monitoring/alerts/${id}`)).status).toBe("firing");

    await note.fill("Browser test: fixed by hand");
    await drawer.getByRole("button", { name: "Resolve" }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Alert resolved.");
    await expect.poll(() => drawer.locator(".drawer-badges").innerText()).toContain("Resolved");
    expect(await drawer.getByRole("button", { name: "Resolve" }).count()).toBe(0);
    expect(await rows.last().locator("td[data-label=Change]").innerText()).toBe("Firing → Resolved");
    // the list (firing only) no longer holds it
    await expect.poll(() => rowIds(page)).not.toContain(id);
    const after = await adminGet<Alert & { transitions: Transition[]; resolved_at: string | null }>(`/api/meta-monitoring/alerts/${id}`);
    expect(after.status).toBe("resolved");
    expect(after.resolved_at).not.toBeNull();
    expect(after.transitions.at(-1)).toMatchObject({ from_status: "firing", to_status: "resolved", note: "resolved by admin: Browser test: fixed by hand" });

    // the stale tab still offers Resolve: the API's 409 is shown in its words, and the drawer reloads
    const staleDrawer = stale.getByRole("dialog");
    await staleDrawer.getByLabel("Resolution note (required)").fill("Too late");
    await staleDrawer.getByRole("button", { name: "Resolve" }).click();
    await expect.poll(() => staleDrawer.getByRole("alert").innerText()).toBe("The alert is already resolved");
    await expect.poll(() => staleDrawer.locator(".drawer-badges").innerText()).toContain("Resolved");
    expect(staleErrors).toEqual(["Failed to load resource: the server responded with a status of 409 (Conflict)"]);

    expect(unexpected(problems, [409, 422])).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("metrics: a uPlot chart per metric with its threshold lines, the points as a table, the timeframe in the URL, the theme followed", async () => {
    const { context, page, problems } = await newPage(browser);
    await signInAsAdmin(context);
    const scripts: string[] = [];
    page.on("request", (r) => r.resourceType() === "script" && scripts.push(new URL(r.url()).pathname));
    await open(page, "/dashboard");
    await page.locator("[data-section=overview-health] [data-check]").first().waitFor();
    expect(scripts.some((s) => /uPlot/i.test(s))).toBe(false); // uPlot loads with the metrics page only
    await page.locator(".dashboard-nav").getByRole("link", { name: "Metrics" }).click();
    await page.waitForURL((u) => u.pathname === "/dashboard/metrics");
    await waitForCharts(page);
    expect(scripts.some((s) => /uPlot/i.test(s))).toBe(true);

    const { rules } = await adminGet<{ rules: Rule[] }>("/api/meta-monitoring/alert-rules");
    expect(await page.locator(".metric-chart canvas").count()).toBe(METRIC_NAMES.length);
    for (const name of METRIC_NAMES) {
      const expected = rules
        .filter((r) => r.enabled && r.metric === name)
        .flatMap((r) => (["warning", "critical"] as const).filter((l) => r[l] !== null).map((l) => `${l}:${r[l]}`))
        .sort();
      const lines = await drawnLines(page, name);
      expect(lines.map((l) => `${l.level}:${l.value}`).sort(), name).toEqual(expected);
      expect(await page.locator(`.metric-chart[data-metric="${name}"]`).getAttribute("aria-label")).toMatch(new RegExp(`^${name} over the last 7 days: `));
    }
    // the critical line of gold@5 is on the canvas, in the theme's danger colour
    const goldCritical = (await drawnLines(page, "gold_at_5")).find((l) => l.level === "critical")!;
    expect(goldCritical).toBeTruthy();
    expect(await rowShare(page, "gold_at_5", goldCritical.y, DANGER.light)).toBeGreaterThan(0.25);

    // the table lists the same points as the API
    const week = await adminGet<Trend>("/api/meta-monitoring/metrics/trends?metric=gold_at_5&timeframe=7d");
    expect(week.points.length).toBeGreaterThanOrEqual(12);
    const table = page.locator('details.metric-table[data-metric="gold_at_5"]');
    await table.locator("summary").click();
    const cells = table.locator("tbody tr td");
    expect(await cells.allInnerTexts()).toEqual(week.points.map((p) => shown("gold_at_5", p.value)));
    expect(await table.locator("tbody tr").evaluateAll((r) => r.map((x) => (x as HTMLElement).dataset.runId))).toEqual(week.points.map((p) => p.run_id));
    expect(await table.locator("caption").innerText()).toBe("gold_at_5 per run, the last 7 days");

    // timeframe: 24 hours, then 30 days, in the URL
    for (const [label, tf] of [["Last 24 hours", "24h"], ["Last 30 days", "30d"]] as const) {
      await page.getByRole("link", { name: label }).click();
      await page.waitForURL((u) => u.searchParams.get("timeframe") === tf);
      await page.locator(`.metric-grid[data-timeframe="${tf}"]`).waitFor();
      const trend = await adminGet<Trend>(`/api/meta-monitoring/metrics/trends?metric=gold_at_5&timeframe=${tf}`);
      await expect.poll(() => table.locator("tbody tr").count()).toBe(trend.points.length);
      expect(await page.getByRole("link", { name: label }).getAttribute("aria-current")).toBe("true");
      expect(await page.locator('.metric-chart[data-metric="gold_at_5"]').getAttribute("aria-label")).toContain(`over the last ${label.slice(5)}`);
    }
    await page.goBack();
    await page.waitForURL((u) => u.searchParams.get("timeframe") === "24h");
    await page.locator('.metric-grid[data-timeframe="24h"]').waitFor();

    // the theme toggle (system → dark): the charts are drawn again in the dark palette
    await page.getByRole("button", { name: /switch theme/ }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await expect
      .poll(async () => {
        const line = (await drawnLines(page, "gold_at_5")).find((l) => l.level === "critical");
        return line ? rowShare(page, "gold_at_5", line.y, DANGER.dark) : 0;
      })
      .toBeGreaterThan(0.25);

    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("has no serious accessibility violation on the three pages and the drawer, light and dark", async () => {
    const resolvedId = seed.alerts.find((a) => a.status === "resolved")!.id;
    for (const colorScheme of ["light", "dark"] as const) {
      const { context, page, problems } = await newPage(browser, { colorScheme });
      await signInAsAdmin(context);
      await open(page, "/dashboard");
      await page.locator(".latest-metrics tbody tr").first().waitFor();
      expect(await seriousAxeViolations(page), `${colorScheme} overview`).toEqual([]);
      await open(page, "/dashboard/alerts");
      await page.locator("tr[data-alert-id]").first().waitFor();
      expect(await seriousAxeViolations(page), `${colorScheme} alerts`).toEqual([]);
      await page.locator(`a[data-alert-link="${resolvedId}"]`).click();
      await page.getByRole("dialog").locator(".transition-log").waitFor();
      expect(await seriousAxeViolations(page), `${colorScheme} drawer`).toEqual([]);
      await open(page, "/dashboard/metrics");
      await waitForCharts(page);
      await page.locator('details.metric-table[data-metric="gold_at_5"] summary').click();
      expect(await seriousAxeViolations(page), `${colorScheme} metrics`).toEqual([]);
      // the canvas follows the scheme of the system too
      const line = (await drawnLines(page, "gold_at_5")).find((l) => l.level === "critical")!;
      expect(await rowShare(page, "gold_at_5", line.y, DANGER[colorScheme])).toBeGreaterThan(0.25);
      expect(problems.errors).toEqual([]);
      expect(problems.foreignRequests).toEqual([]);
      await context.close();
    }
  });

  it("fits a 360 px screen: no horizontal page scroll on the three pages and the drawer", async () => {
    const { context, page, problems } = await newPage(browser, { viewport: { width: 360, height: 740 } });
    await signInAsAdmin(context);
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    await open(page, "/dashboard");
    await page.locator(".latest-metrics tbody tr").first().waitFor();
    expect(await fits(), "overview").toBe(true);
    await open(page, "/dashboard/alerts");
    await page.locator("tr[data-alert-id]").first().waitFor();
    expect(await fits(), "alerts").toBe(true);
    expect((await page.locator("tr[data-alert-id]").first().boundingBox())!.width).toBeLessThanOrEqual(360);
    await page.locator("a[data-alert-link]").first().click();
    const drawer = page.getByRole("dialog");
    await drawer.locator(".transition-log").waitFor();
    expect(await drawer.evaluate((d) => d.scrollWidth <= d.clientWidth && d.getBoundingClientRect().width <= 360)).toBe(true);
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "detached" });
    await open(page, "/dashboard/metrics");
    await waitForCharts(page);
    expect(await fits(), "metrics").toBe(true);
    const widths = await page.locator(".metric-chart canvas").evaluateAll((c) => c.map((x) => x.getBoundingClientRect().width));
    for (const w of widths) expect(w).toBeLessThanOrEqual(360);
    await page.locator('details.metric-table[data-metric="gold_at_5"] summary').click();
    expect(await fits(), "metrics table").toBe(true);
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });
});
