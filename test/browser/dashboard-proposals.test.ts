/**
 * The quality dashboard's Proposals and Controls pages in a real browser, against the server of
 * the global setup with the quality-loop seed (`inject("seed")`: four proposals, pending,
 * validated, rejected and rolled back): the list with its status and type filters and pager in
 * the URL, a proposal's config diff and validation deltas with their intervals, rejecting the
 * pending proposal (reason required) and approving, applying and rolling back the validated one
 * through the UI (checked through the API, production moving and coming back), triggering a small
 * evaluation and following it to its metrics, the config versions (production pointer, values,
 * deploy and roll back with the audit log), axe in light and dark, and a 360 px screen.
 * Production ends on the version it started on (the chat tests share the server).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { baseUrl, launchBrowser, newPage, open, screenshot, seriousAxeViolations, signInAsAdmin, adminGet, adminPost } from "./support/browser.ts";

interface Interval { n: number; baseline: number; candidate: number; delta: number; ci_low: number; ci_high: number; level: number }
interface ProposalBody {
  id: string;
  type: string;
  status: string;
  reason: string;
  base_version_id: string;
  candidate_version_id: string;
  changes: Record<string, { from: string | number; to: string | number }>;
  decided_by: string | null;
  decision_reason: string | null;
  validation: { status: string; paired_cases?: number; metrics?: Record<string, Interval | null>; flips?: { case_id: string; from: string; to: string }[] } | null;
}
interface Version { id: string; version: number; description: string; deployed: boolean; values: Record<string, string | number>; parent_id: string | null }
interface Production { version: Version; updated_at: string; updated_by: string; events: { action: string; from_version_id: string | null; to_version_id: string; reason: string; actor: string }[] }
interface Run { id: string; status: string; total: number; done: number; failed: number; metrics: Record<string, number | null> | null }

const seed = inject("seed");
/** The seeded proposal that had `status` when the seed finished. */
function seeded(status: string): string {
  const p = seed.proposals.find((x) => x.status === status);
  if (!p) throw new Error(`the seed has no ${status} proposal: ${JSON.stringify(seed.proposals)}`);
  return p.id;
}

let browser: Browser;
let initialProduction: string;
beforeAll(async () => {
  browser = await launchBrowser();
  initialProduction = (await adminGet<Production>("/api/config/production")).version.id;
});
afterAll(async () => {
  // Whatever failed, production ends on the version it started on.
  const now = (await adminGet<Production>("/api/config/production")).version.id;
  if (initialProduction && now !== initialProduction) await adminPost("/api/config/deploy", { version_id: initialProduction, reason: "browser test: restore production" });
  await browser?.close();
});

/** A signed-in admin page. */
async function adminPage(options: Parameters<typeof newPage>[1] = {}) {
  const opened = await newPage(browser, options);
  await signInAsAdmin(opened.context);
  return opened;
}

/** Waits until the list shows exactly `ids` (in order) and is not loading. */
async function waitForRows(page: Page, ids: string[]): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const section = document.querySelector("section.proposal-list");
      const shown = Array.from(document.querySelectorAll("tr[data-proposal-id]")).map((r) => (r as HTMLElement).dataset.proposalId);
      return section?.getAttribute("aria-busy") === "false" && JSON.stringify(shown) === JSON.stringify(expected);
    },
    ids,
    { timeout: 15_000 },
  );
}

/** A number as the pages print it ("+0.375", "−1.5 ms", "1,234 ms"); NaN for "n/a". */
function parseShown(text: string): number {
  return Number(text.replace(/−/g, "-").replace(/[^0-9.+-]/g, ""));
}

/** Waits until the detail page shows the proposal with this status word. */
async function waitForStatus(page: Page, label: string): Promise<void> {
  await page.waitForFunction((t) => document.querySelector(".proposal-facts .proposal-status")?.textContent === t, label, { timeout: 15_000 });
}

const LOWER_IS_BETTER = new Set(["latency_ms", "latency_p50_ms", "latency_p95_ms", "llm_calls_per_answer"]);

describe("dashboard: proposals", () => {
  it("lists the proposals and filters them by status and type, with the state in the URL", async () => {
    const { context, page, problems } = await adminPage();
    const all = await adminGet<{ proposals: ProposalBody[]; total: number }>("/api/meta-monitoring/proposals?limit=20");
    for (const p of seed.proposals) expect(all.proposals.map((x) => x.id)).toContain(p.id);
    await open(page, "/dashboard/proposals");
    await page.getByRole("heading", { level: 1, name: "Proposals" }).waitFor();
    await waitForRows(page, all.proposals.map((p) => p.id));
    expect(await page.locator(".list-summary").innerText()).toBe(`${all.total} proposals`);
    await screenshot(page, "dashboard-proposals");
    // each row: type linking to the detail, the status in words, an excerpt of the reason
    for (const p of all.proposals) {
      const row = page.locator(`tr[data-proposal-id="${p.id}"]`);
      expect(await row.locator("th a").getAttribute("href")).toBe(`/dashboard/proposals/${p.id}`);
      expect(await row.getAttribute("data-status")).toBe(p.status);
      expect((await row.locator('td[data-label="Reason"]').innerText()).replace(/…$/, "").slice(0, 40)).toBe(p.reason.replace(/\s+/g, " ").slice(0, 40));
    }
    // the filters offer each status with its count
    const stats = await adminGet<{ by_status: Record<string, number>; by_type: Record<string, number> }>("/api/meta-monitoring/proposals/stats");
    expect(await page.locator("#proposal-status option[value=pending]").innerText()).toBe(`Pending (${stats.by_status.pending})`);
    expect(await page.locator("#proposal-status option[value=rolled_back]").innerText()).toBe(`Rolled back (${stats.by_status.rolled_back})`);

    // status filter: rows and URL change
    await page.getByLabel("Status").selectOption("rolled_back");
    await page.waitForURL((url) => url.searchParams.get("status") === "rolled_back");
    const rolledBack = await adminGet<{ proposals: ProposalBody[]; total: number }>("/api/meta-monitoring/proposals?status=rolled_back");
    expect(rolledBack.proposals.map((p) => p.id)).toContain(seeded("rolled_back"));
    await waitForRows(page, rolledBack.proposals.map((p) => p.id));
    expect(await page.locator(".list-summary").innerText()).toBe(`${rolledBack.total} ${rolledBack.total === 1 ? "proposal" : "proposals"} with status Rolled back`);

    // type filter on top of it, then a type without rolled-back proposals: the empty state
    const type = rolledBack.proposals[0]!.type;
    await page.getByLabel("Type").selectOption(type);
    await page.waitForURL((url) => url.searchParams.get("type") === type && url.searchParams.get("status") === "rolled_back");
    const both = await adminGet<{ proposals: ProposalBody[] }>(`/api/meta-monitoring/proposals?status=rolled_back&type=${type}`);
    await waitForRows(page, both.proposals.map((p) => p.id));
    const otherType = ["restore_retrieval_defaults", "raise_retrieval_recall", "lower_feedback_budget"].find((t) => !rolledBack.proposals.some((p) => p.type === t))!;
    await page.getByLabel("Type").selectOption(otherType);
    await page.getByText("No proposal matches these filters.").waitFor();
    // reload keeps the state; back returns to the previous filter
    await page.reload();
    await page.getByText("No proposal matches these filters.").waitFor();
    expect(await page.getByLabel("Status").inputValue()).toBe("rolled_back");
    expect(await page.getByLabel("Type").inputValue()).toBe(otherType);
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get("type") === type);
    await waitForRows(page, both.proposals.map((p) => p.id));
    // clear filters
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.waitForURL((url) => url.search === "");
    await waitForRows(page, all.proposals.map((p) => p.id));

    // the pager (a list of 45 made by the route), page 2 in the URL and in the request
    const requested: string[] = [];
    await page.route(
      (url) => url.pathname === "/api/meta-monitoring/proposals",
      async (route) => {
        requested.push(new URL(route.request().url()).searchParams.get("page") ?? "");
        const res = await route.fetch();
        const body = (await res.json()) as { total: number };
        await route.fulfill({ response: res, json: { ...body, total: 45 } });
      },
    );
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.locator(".list-pager .page-of").filter({ hasText: "Page 1 of 3" }).waitFor();
    await page.getByRole("link", { name: "Next page" }).click();
    await page.waitForURL((url) => url.searchParams.get("page") === "2");
    await page.locator(".list-pager .page-of").filter({ hasText: "Page 2 of 3" }).waitFor();
    expect(requested).toContain("2");
    await page.unrouteAll({ behavior: "wait" });

    // a row opens its proposal
    await open(page, "/dashboard/proposals");
    await waitForRows(page, all.proposals.map((p) => p.id));
    await page.locator(`tr[data-proposal-id="${seeded("validated")}"] th a`).click();
    await page.waitForURL(new RegExp(`/dashboard/proposals/${seeded("validated")}$`));
    await page.locator(".proposal-facts").waitFor();
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("shows a validated proposal's reason, config diff and validation deltas with 95% intervals and flips", async () => {
    const { context, page, problems } = await adminPage();
    const id = seeded("validated");
    const p = await adminGet<ProposalBody>(`/api/meta-monitoring/proposals/${id}`);
    expect(p.status).toBe("validated");
    await open(page, `/dashboard/proposals/${id}`);
    await waitForStatus(page, "Validated");
    expect(await page.locator(".proposal-reason").innerText()).toBe(p.reason);
    // the diff: one row per key, from → to
    const keys = Object.keys(p.changes).sort();
    expect(await page.locator(".config-diff tbody tr").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.key))).toEqual(keys);
    for (const k of keys) {
      const row = page.locator(`.config-diff tr[data-key="${k}"]`);
      expect(await row.locator(".diff-from").innerText()).toBe(String(p.changes[k]!.from));
      expect((await row.locator(".diff-to").innerText()).replace(/^→\s*/, "")).toBe(String(p.changes[k]!.to));
    }
    // the validation: per metric baseline, candidate, delta, interval, excludes 0, reading
    const v = p.validation!;
    expect(v.status).toBe("completed");
    const metrics = Object.entries(v.metrics ?? {});
    expect(metrics.length).toBeGreaterThan(0);
    expect(await page.locator(".deltas-table caption").innerText()).toBe("Per-metric deltas (candidate − baseline) with 95% intervals");
    for (const [name, d] of metrics) {
      const row = page.locator(`.deltas-table tr[data-metric="${name}"]`);
      if (!d) {
        expect(await row.innerText()).toContain("Not computed");
        continue;
      }
      const tolerance = name === "latency_ms" ? 0.06 : 0.0006;
      const cell = (label: string) => row.locator(`td[data-label="${label}"]`).innerText();
      expect(Number(await cell("Cases"))).toBe(d.n);
      expect(Math.abs(parseShown(await cell("Baseline")) - d.baseline)).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(parseShown(await cell("Candidate")) - d.candidate)).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(parseShown(await cell("Delta")) - d.delta)).toBeLessThanOrEqual(tolerance);
      const [lo, hi] = (await cell("95% interval")).replace(/[[\]]/g, "").split(", ").map(parseShown);
      expect(Math.abs(lo! - d.ci_low)).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(hi! - d.ci_high)).toBeLessThanOrEqual(tolerance);
      const excludes = d.ci_low > 0 || d.ci_high < 0;
      expect(await cell("Excludes 0")).toBe(excludes ? "Yes" : "No");
      const better = LOWER_IS_BETTER.has(name) ? d.delta < 0 : d.delta > 0;
      const reading = excludes ? (better ? "Better" : "Worse") : d.delta === 0 && d.ci_low === 0 && d.ci_high === 0 ? "No change" : "No clear change";
      expect((await cell("Reading")).replace(/^[▲▼]\s*/, "")).toBe(reading);
    }
    expect(await page.locator(".validation-result").innerText()).toContain(`${v.paired_cases} cases compared in pairs`);
    // the flips
    const flips = v.flips ?? [];
    if (flips.length === 0) expect(await page.locator(".flips").innerText()).toContain("No case changed between pass and fail.");
    else expect(await page.locator(".flip-list li").evaluateAll((li) => li.map((l) => (l as HTMLElement).dataset.caseId))).toEqual(flips.map((f) => f.case_id));
    await screenshot(page, "dashboard-proposal");
    // the actions of a validated proposal
    const actions = page.locator(".proposal-actions button");
    expect(await actions.allInnerTexts()).toEqual(["Approve", "Reject"]);
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("follows a running validation (its two runs) and shows the deltas once it is stored", async () => {
    const { context, page, problems } = await adminPage();
    const id = seeded("validated");
    const real = await adminGet<ProposalBody & { validation: { baseline_run_id: string; candidate_run_id: string } }>(`/api/meta-monitoring/proposals/${id}`);
    const [baseline, candidate] = await Promise.all([real.validation.baseline_run_id, real.validation.candidate_run_id].map((r) => adminGet<Run>(`/api/meta-monitoring/runs/${r}`)));
    // The proposal reads as still validating (its two real runs) until `running` is cleared.
    let running = true;
    let reads = 0;
    await page.route(
      (url) => url.pathname === `/api/meta-monitoring/proposals/${id}`,
      async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as ProposalBody;
        if (!running) return route.fulfill({ response: res, json: body });
        reads++;
        const validation = { status: "running", baseline_run_id: baseline!.id, candidate_run_id: candidate!.id, case_ids: ["a", "b", "c"], started_at: new Date().toISOString(), level: 0.95 };
        return route.fulfill({ response: res, json: { ...body, status: "pending", validation } });
      },
    );
    await open(page, `/dashboard/proposals/${id}`);
    await page.locator('.proposal-validation[data-validation="running"]').waitFor();
    expect(await page.locator(".proposal-validation").innerText()).toContain("Validating on 3 cases");
    for (const [label, run] of [["Baseline run", baseline!], ["Candidate run", candidate!]] as const) {
      const card = page.locator(`.proposal-validation .run-progress[data-run-id="${run.id}"]`);
      await page.locator(`.proposal-validation .run-progress[data-run-id="${run.id}"][data-status="completed"]`).waitFor();
      expect(await card.locator("h3").innerText()).toContain(label);
      expect(await card.locator(".run-bar label").innerText()).toContain(`Cases: ${run.done + run.failed} of ${run.total}`);
    }
    // read again while it validates
    await expect.poll(() => reads, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    running = false;
    await page.locator('.proposal-validation[data-validation="completed"] .deltas-table').waitFor({ timeout: 15_000 });
    await waitForStatus(page, "Validated");
    await page.unrouteAll({ behavior: "wait" });
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it.each(["light", "dark"] as const)("has no serious accessibility violation on the list, a proposal, its dialog and Controls (%s)", async (colorScheme) => {
    const { context, page, problems } = await adminPage({ colorScheme });
    await open(page, "/dashboard/proposals");
    await page.locator("section.proposal-list[aria-busy=false] tr[data-proposal-id]").first().waitFor();
    expect(await seriousAxeViolations(page), `${colorScheme} list`).toEqual([]);
    await open(page, `/dashboard/proposals/${seeded("validated")}`);
    await page.locator(".deltas-table").waitFor();
    expect(await seriousAxeViolations(page), `${colorScheme} detail`).toEqual([]);
    await page.locator(".proposal-actions").getByRole("button", { name: "Reject" }).click();
    await page.getByRole("dialog", { name: "Reject this proposal?" }).waitFor();
    expect(await seriousAxeViolations(page), `${colorScheme} dialog`).toEqual([]);
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "detached" });
    await open(page, `/dashboard/proposals/${seeded("rolled_back")}`);
    await page.locator(".deltas-table").waitFor();
    expect(await seriousAxeViolations(page), `${colorScheme} rolled back`).toEqual([]);
    await open(page, "/dashboard/controls");
    await page.locator(".versions-table").waitFor();
    expect(await seriousAxeViolations(page), `${colorScheme} controls`).toEqual([]);
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("fits a 360 px screen: the list, a proposal and Controls scroll only vertically", async () => {
    const { context, page, problems } = await adminPage({ viewport: { width: 360, height: 740 } });
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    await open(page, "/dashboard/proposals");
    await page.locator("section.proposal-list[aria-busy=false] tr[data-proposal-id]").first().waitFor();
    expect(await fits()).toBe(true);
    expect((await page.locator("tr[data-proposal-id]").first().boundingBox())!.width).toBeLessThanOrEqual(360);
    await open(page, `/dashboard/proposals/${seeded("validated")}`);
    await page.locator(".deltas-table").waitFor();
    expect(await fits()).toBe(true);
    await open(page, "/dashboard/controls");
    await page.locator(".versions-table").waitFor();
    expect(await fits()).toBe(true);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("rejects the pending proposal only with a reason, by keyboard, and the API agrees", async () => {
    const { context, page, problems } = await adminPage();
    const id = seeded("pending");
    expect((await adminGet<ProposalBody>(`/api/meta-monitoring/proposals/${id}`)).status).toBe("pending");
    await open(page, `/dashboard/proposals/${id}`);
    await waitForStatus(page, "Pending");
    // not validated yet: the validation section says so and offers to start one; only Reject is allowed
    expect(await page.locator(".proposal-validation").innerText()).toContain("Not validated yet.");
    await page.getByRole("button", { name: "Start validation" }).waitFor();
    expect(await page.locator(".proposal-actions button").allInnerTexts()).toEqual(["Reject"]);

    const reject = page.locator(".proposal-actions").getByRole("button", { name: "Reject" });
    const dialog = page.getByRole("dialog", { name: "Reject this proposal?" });
    await reject.focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    // focus starts in the reason field; Escape cancels and returns focus to Reject
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe("TEXTAREA");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Reject");
    // confirming without a reason is refused before any request
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Reject", exact: true }).click();
    await dialog.getByText("Enter a reason").waitFor();
    expect(await dialog.getByLabel("Reason (required)").getAttribute("aria-invalid")).toBe("true");
    expect((await adminGet<ProposalBody>(`/api/meta-monitoring/proposals/${id}`)).status).toBe("pending");
    // with a reason (typed, then Enter on the confirm button)
    const reason = "Raising recall does not address the refusals; not now.";
    await dialog.getByLabel("Reason (required)").fill(reason);
    await dialog.getByRole("button", { name: "Reject", exact: true }).focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "detached" });
    await waitForStatus(page, "Rejected");
    await page.getByRole("status").filter({ hasText: "Proposal rejected." }).waitFor();
    expect(await page.locator(".proposal-actions").innerText()).toContain("No action: a rejected proposal is final.");
    expect(await page.locator(".proposal-facts").innerText()).toContain(`by admin: ${reason}`);
    const after = await adminGet<ProposalBody>(`/api/meta-monitoring/proposals/${id}`);
    expect(after).toMatchObject({ status: "rejected", decided_by: "admin", decision_reason: reason });
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("approves the validated proposal, applies it and rolls it back: production moves and comes back", async () => {
    const { context, page, problems } = await adminPage();
    const id = seeded("validated");
    const p = await adminGet<ProposalBody>(`/api/meta-monitoring/proposals/${id}`);
    const before = await adminGet<Production>("/api/config/production");
    expect(before.version.id).toBe(initialProduction);
    await open(page, `/dashboard/proposals/${id}`);
    await waitForStatus(page, "Validated");
    const actions = page.locator(".proposal-actions");
    const dialog = page.getByRole("dialog");

    // approve, with an optional reason
    await actions.getByRole("button", { name: "Approve" }).click();
    await dialog.getByLabel("Reason (optional)").fill("The dry run shows no loss.");
    await dialog.getByRole("button", { name: "Approve", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await waitForStatus(page, "Approved");
    expect(await adminGet<ProposalBody>(`/api/meta-monitoring/proposals/${id}`)).toMatchObject({ status: "approved", decided_by: "admin", decision_reason: "The dry run shows no loss." });
    expect(await actions.locator("button").allInnerTexts()).toEqual(["Apply"]);

    // apply: production moves to the candidate version
    await actions.getByRole("button", { name: "Apply" }).click();
    expect(await dialog.innerText()).toContain("to the candidate version");
    // the busy state shows while the request runs
    const applied = page.waitForResponse((r) => r.url().endsWith(`/proposals/${id}/apply`));
    await dialog.getByRole("button", { name: "Apply to production" }).click();
    expect((await applied).status()).toBe(200);
    await dialog.waitFor({ state: "detached" });
    await waitForStatus(page, "Applied");
    await page.getByRole("status").filter({ hasText: "Proposal applied" }).waitFor();
    const moved = await adminGet<Production>("/api/config/production");
    expect(moved.version.id).toBe(p.candidate_version_id);
    expect(moved.events[0]).toMatchObject({ action: "deploy", actor: "admin", to_version_id: p.candidate_version_id });
    expect(moved.events[0]!.reason).toContain(id);
    await page.waitForFunction(() => document.querySelector(".proposal-facts")?.textContent?.includes("(the candidate)"));

    // roll back: production moves to the proposal's base version
    await actions.getByRole("button", { name: "Roll back" }).click();
    await dialog.getByLabel("Reason (optional)").fill("Browser test: undo");
    await dialog.getByRole("button", { name: "Roll back", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await waitForStatus(page, "Rolled back");
    const back = await adminGet<Production>("/api/config/production");
    expect(back.version.id).toBe(p.base_version_id);
    expect(back.events[0]).toMatchObject({ action: "rollback", actor: "admin", from_version_id: p.candidate_version_id, to_version_id: p.base_version_id });
    expect(back.events[0]!.reason).toContain("Browser test: undo");
    expect(await adminGet<ProposalBody>(`/api/meta-monitoring/proposals/${id}`)).toMatchObject({ status: "rolled_back" });
    expect(await actions.innerText()).toContain("No action: a rolled back proposal is final.");

    // The base version may be another than the one production was on before the apply (the seed's
    // proposal restores the defaults over a deployed experiment): deploy that one again from Controls.
    if (back.version.id !== initialProduction) {
      const initial = await adminGet<Version>(`/api/config/versions/${initialProduction}`);
      await open(page, "/dashboard/controls");
      await page.getByRole("button", { name: `Deploy version ${initial.version}`, exact: true }).click();
      await dialog.getByLabel("Reason (required)").fill("Browser test: back to the version production started on");
      await dialog.getByRole("button", { name: "Deploy", exact: true }).click();
      await dialog.waitFor({ state: "detached" });
      await page.waitForFunction((n) => document.querySelector(".production-pointer")?.textContent?.includes(`Runs version ${n} `), initial.version);
    }
    expect((await adminGet<Production>("/api/config/production")).version.id).toBe(initialProduction);
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });
});

describe("dashboard: controls", () => {
  it("triggers an evaluation with a small limit and follows it until it completes, with its metrics", async () => {
    const { context, page, problems } = await adminPage();
    await open(page, "/dashboard/controls");
    await page.getByRole("heading", { level: 1, name: "Controls" }).waitFor();
    await page.getByLabel("Dataset").selectOption("test");
    await page.getByLabel("Corpus").selectOption("otel");
    await page.getByLabel("Case limit (optional)").fill("2");
    // the statuses the run's card shows over time
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __runStatuses: string[] }).__runStatuses = seen;
      new MutationObserver(() => {
        const card = document.querySelector<HTMLElement>(".started-run .run-progress");
        if (card?.dataset.status && seen[seen.length - 1] !== card.dataset.status) seen.push(card.dataset.status);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    const started = page.waitForResponse((r) => r.url().endsWith("/api/meta-monitoring/control/evaluate"));
    await page.getByRole("button", { name: "Start evaluation" }).click();
    const answer = await started;
    expect(answer.status()).toBe(202);
    expect(JSON.parse(answer.request().postData() ?? "{}")).toEqual({ dataset: "test", corpus: "otel", limit: 2 });
    const runId = ((await answer.json()) as Run).id;
    const card = page.locator(`.started-run .run-progress[data-run-id="${runId}"]`);
    await page.locator(`.started-run .run-progress[data-run-id="${runId}"][data-status="completed"]`).waitFor({ timeout: 90_000 });
    const statuses = await page.evaluate(() => (window as unknown as { __runStatuses: string[] }).__runStatuses);
    expect(statuses[0]).toMatch(/^(queued|running)$/);
    expect(statuses[statuses.length - 1]).toBe("completed");
    const run = await adminGet<Run>(`/api/meta-monitoring/runs/${runId}`);
    expect(run).toMatchObject({ status: "completed", total: 2 });
    expect(await card.locator(".run-bar label").innerText()).toBe(`Cases: ${run.done + run.failed} of 2${run.failed ? ` (${run.failed} failed)` : ""}`);
    expect(await card.locator("progress").getAttribute("value")).toBe(String(run.done + run.failed));
    // the metrics of the completed run
    const metrics = run.metrics!;
    for (const name of ["answer_keyword_recall", "gold_at_5", "answered_rate", "latency_p95_ms"]) {
      const cell = card.locator(`.metrics-table tr[data-metric="${name}"] td[data-label="Value"]`);
      const value = metrics[name];
      if (value === null || value === undefined) expect(await cell.innerText()).toBe("—");
      else expect(Math.abs(parseShown(await cell.innerText()) - value)).toBeLessThanOrEqual(name.endsWith("_ms") ? 0.5 : 0.0006);
    }
    expect(await card.locator(".run-metrics > p").innerText()).toContain(`${metrics.cases} cases judged`);
    await screenshot(page, "dashboard-controls");
    // the page reloaded its lists: the new run is offered to generate a proposal from
    await page.getByLabel("A completed run").check();
    await page.waitForFunction((id) => Array.from(document.querySelectorAll<HTMLOptionElement>("#generate-run option")).some((o) => o.value === id), runId);
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("shows the production pointer and the versions with their values, deploys another version and rolls back with reasons, and logs both", async () => {
    const { context, page, problems } = await adminPage();
    const production = await adminGet<Production>("/api/config/production");
    expect(production.version.id).toBe(initialProduction);
    const { versions, total } = await adminGet<{ versions: Version[]; total: number }>("/api/config/versions?limit=10");
    await open(page, "/dashboard/controls");
    await page.locator(".versions-table").waitFor();
    // the pointer: version, since when, by whom
    const pointer = page.locator(".production-pointer");
    const pointerText = await pointer.innerText();
    expect(pointerText).toContain(`Runs version ${production.version.version} (${production.version.description})`);
    expect(pointerText).toContain(`deployed by ${production.updated_by}`);
    // the table: newest first, the deployed one marked, parents by number
    expect(await page.locator(".versions-table tbody tr").evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.version)))).toEqual(versions.map((v) => v.version));
    expect(await page.locator(".versions-table tr.deployed").getAttribute("data-version-id")).toBe(production.version.id);
    expect(await page.locator(".versions-table tr.deployed th").innerText()).toContain("in production");
    const byId = new Map(versions.map((v) => [v.id, v]));
    for (const v of versions) {
      const row = page.locator(`.versions-table tr[data-version-id="${v.id}"]`);
      expect(await row.locator('td[data-label="Description"]').innerText()).toBe(v.description);
      const parent = v.parent_id ? byId.get(v.parent_id) : undefined;
      if (!v.parent_id) expect(await row.locator('td[data-label="Parent"]').innerText()).toBe("none");
      else if (parent) expect(await row.locator('td[data-label="Parent"]').innerText()).toBe(`version ${parent.version}`);
    }
    if (total > 10) await page.locator(".config-versions .list-pager").waitFor();

    // a version's values, with those that differ from production marked
    const other = versions.find((v) => !v.deployed)!;
    expect(other).toBeTruthy();
    const valuesButton = page.getByRole("button", { name: `Values of version ${other.version}` });
    await valuesButton.click();
    expect(await valuesButton.getAttribute("aria-expanded")).toBe("true");
    await page.getByRole("heading", { name: `Values of version ${other.version}` }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe(`Values of version ${other.version}`);
    const keys = Object.keys(other.values).sort();
    expect(await page.locator(".values-table tbody tr").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.key))).toEqual(keys);
    for (const k of keys) {
      const row = page.locator(`.values-table tr[data-key="${k}"]`);
      expect(await row.locator('td[data-label="Value"]').innerText()).toBe(String(other.values[k]));
      const differs = String(other.values[k]) !== String(production.version.values[k]);
      expect(await row.locator('td[data-label="In production"]').innerText()).toBe(differs ? `differs: ${production.version.values[k]}` : "same");
    }

    // deploy it: the reason is required
    const dialog = page.getByRole("dialog", { name: `Deploy version ${other.version}?` });
    await page.getByRole("button", { name: `Deploy version ${other.version}`, exact: true }).click();
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(`Production moves from version ${production.version.version} to version ${other.version}`);
    await dialog.getByRole("button", { name: "Deploy", exact: true }).click();
    await dialog.getByText("Enter a reason").waitFor();
    expect((await adminGet<Production>("/api/config/production")).version.id).toBe(initialProduction);
    await dialog.getByLabel("Reason (required)").fill("Browser test: try another version");
    await dialog.getByRole("button", { name: "Deploy", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("status").filter({ hasText: `Deployed version ${other.version} to production.` }).waitFor();
    await page.waitForFunction((n) => document.querySelector(".production-pointer")?.textContent?.includes(`Runs version ${n} `), other.version);
    expect((await adminGet<Production>("/api/config/production")).version.id).toBe(other.id);
    const firstAudit = page.locator(".audit-table tbody tr").first();
    expect(await firstAudit.getAttribute("data-action")).toBe("deploy");
    expect(await firstAudit.locator('td[data-label="Reason"]').innerText()).toBe("Browser test: try another version");
    expect((await firstAudit.locator('td[data-label="Versions"]').innerText()).replace(/\s+/g, " ")).toContain(`version ${production.version.version}`);

    // roll back to the version before: the reason is required too
    const rollback = page.getByRole("button", { name: `Roll back to version ${production.version.version}` });
    await rollback.click();
    const rollbackDialog = page.getByRole("dialog", { name: "Roll production back?" });
    await rollbackDialog.getByLabel("Reason (required)").fill("Browser test: back again");
    await rollbackDialog.getByRole("button", { name: "Roll back", exact: true }).click();
    await rollbackDialog.waitFor({ state: "detached" });
    await page.waitForFunction((n) => document.querySelector(".production-pointer")?.textContent?.includes(`Runs version ${n} `), production.version.version);
    const after = await adminGet<Production>("/api/config/production");
    expect(after.version.id).toBe(initialProduction);
    expect(after.events[0]).toMatchObject({ action: "rollback", actor: "admin", reason: "Browser test: back again", from_version_id: other.id, to_version_id: initialProduction });
    await page.waitForFunction(() => document.querySelector(".audit-table tbody tr")?.getAttribute("data-action") === "rollback");
    // the audit log shows the latest moves as the API does
    const shownActions = await page.locator(".audit-table tbody tr").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.action));
    expect(shownActions).toEqual(after.events.map((e) => e.action));
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });
});
