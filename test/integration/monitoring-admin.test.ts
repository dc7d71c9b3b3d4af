/**
 * The admin side of the quality loop in workerd: the dashboard's sign-in (HttpOnly signed cookie
 * from `POST /api/admin/session`), admin-only reads, `GET /api/meta-monitoring/health`, alert
 * rules created and changed through the API, and runs started `as_of` a past time (seeding
 * history) whose times and alerts read as of then.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { caseById } from "../../worker/monitoring/datasets";
import { adminApi, api, waitForRun } from "../support/api";
import { ingestSlice } from "../support/answer-slice";

const CASES = ["otel-col-008", "otel-nc-001"];
const DAY = 24 * 3600_000;

/** The `edge_rag_admin=…` pair of a Set-Cookie header. */
function cookiePair(setCookie: string | null): string {
  const pair = /(edge_rag_admin=[^;]*)/.exec(setCookie ?? "")?.[1];
  if (!pair) throw new Error(`no admin cookie in ${setCookie}`);
  return pair;
}

beforeAll(async () => {
  const pages = new Set(CASES.flatMap((id) => [...caseById(id)!.gold_pages, ...(caseById(id)!.near_pages ?? [])]));
  await ingestSlice({ documents: env.TEST_ANSWERS_OTEL.documents.filter((d) => pages.has(d.source)), cases: [] });
}, 120_000);

describe("admin session", () => {
  it("signs in with the token into an HttpOnly, SameSite=Strict cookie that opens the admin API, and signs out", async () => {
    expect((await api("GET", "/api/meta-monitoring/alerts")).status).toBe(401);
    expect((await api("GET", "/api/config/versions")).status).toBe(401);
    expect((await api("GET", "/api/admin/session")).body).toEqual({ admin: false, expires_at: null });

    const wrong = await api("POST", "/api/admin/session", { token: "nope" });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe("forbidden");
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expect((await api("POST", "/api/admin/session", { token: "" })).status).toBe(422);
    expect((await api("POST", "/api/admin/session", { token: "test-admin-token", extra: 1 })).status).toBe(422);

    const ok = await api("POST", "/api/admin/session", { token: "test-admin-token" });
    expect(ok.status).toBe(200);
    expect(ok.body.admin).toBe(true);
    expect(Date.parse(ok.body.expires_at) - Date.now()).toBeGreaterThan(7.9 * 3600_000);
    const setCookie = ok.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/api/);
    expect(setCookie).not.toContain("test-admin-token");
    const cookie = { cookie: cookiePair(setCookie) };

    expect((await api("GET", "/api/admin/session", undefined, cookie)).body.admin).toBe(true);
    expect((await api("GET", "/api/meta-monitoring/alerts", undefined, cookie)).status).toBe(200);
    expect((await api("GET", "/api/config/production", undefined, cookie)).status).toBe(200);

    // A forged or altered cookie is no session.
    const [name, value] = cookie.cookie.split("=");
    const forged = { cookie: `${name}=${encodeURIComponent(String(Date.now() + 3600_000))}.${value.split(".").pop()}` };
    expect((await api("GET", "/api/meta-monitoring/alerts", undefined, forged)).status).toBe(401);
    expect((await api("GET", "/api/meta-monitoring/alerts", undefined, { cookie: `${name}=123` })).status).toBe(401);

    const out = await api("DELETE", "/api/admin/session", undefined, cookie);
    expect(out.body).toEqual({ admin: false, expires_at: null });
    expect(out.headers.get("set-cookie")).toMatch(/edge_rag_admin=;.*Max-Age=0/i);
  });
});

describe("alert rules through the API", () => {
  it("creates a rule, refuses inconsistent thresholds and a taken name, and changes a rule", async () => {
    const created = await adminApi("POST", "/api/meta-monitoring/alert-rules", {
      name: "Answered rate low", metric: "answered_rate", operator: "<", warning: 0.8, critical: 0.6, warning_severity: "medium", critical_severity: "high", for_runs: 1,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Answered rate low", metric: "answered_rate", warning: 0.8, critical: 0.6, enabled: true, keep_firing_for_runs: 0 });
    const rules = (await adminApi("GET", "/api/meta-monitoring/alert-rules")).body.rules;
    expect(rules.map((r: any) => r.id)).toContain(created.body.id);

    const taken = await adminApi("POST", "/api/meta-monitoring/alert-rules", { name: "Answered rate low", metric: "answered_rate", operator: "<", warning: 0.5 });
    expect(taken.status).toBe(409);
    const inverted = await adminApi("POST", "/api/meta-monitoring/alert-rules", { name: "x", metric: "latency_p95_ms", operator: ">", warning: 5000, critical: 1000 });
    expect(inverted.status).toBe(422);
    expect(JSON.stringify(inverted.body.error.details)).toContain("critical must be at least warning");
    expect((await adminApi("POST", "/api/meta-monitoring/alert-rules", { name: "y", metric: "nope", operator: "<", warning: 1 })).status).toBe(422);
    expect((await adminApi("POST", "/api/meta-monitoring/alert-rules", { name: "z", metric: "gold_at_5", operator: "<" })).status).toBe(422);

    const changed = await adminApi("PATCH", `/api/meta-monitoring/alert-rules/${created.body.id}`, { warning: 0.9, enabled: false });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ warning: 0.9, critical: 0.6, enabled: false });
    expect((await adminApi("PATCH", `/api/meta-monitoring/alert-rules/${created.body.id}`, { critical: 0.95 })).status).toBe(422);
    expect((await adminApi("PATCH", "/api/meta-monitoring/alert-rules/unknown", { enabled: true })).status).toBe(404);
    expect((await adminApi("PATCH", `/api/meta-monitoring/alert-rules/${created.body.id}`, {})).status).toBe(422);
    expect((await adminApi("PATCH", `/api/meta-monitoring/alert-rules/${created.body.id}`, { enabled: true }, {})).status).toBe(401);
  });
});

describe("runs as of a past time, and the loop's health", () => {
  it("reports degraded health before any run", async () => {
    const health = await adminApi("GET", "/api/meta-monitoring/health");
    expect(health.status).toBe(200);
    expect(health.body.status).toBe("degraded");
    expect(health.body.checks.find((c: any) => c.name === "last_evaluation")).toMatchObject({ status: "degraded", message: "No evaluation run has completed yet" });
    expect(health.body.schedule.evaluation_cron).toBe("0 3 * * *");
    expect((await api("GET", "/api/meta-monitoring/health")).status).toBe(401);
  });

  it("records a run started as_of three days ago at that time, and its alerts too; health then calls the evaluation stale", async () => {
    const asOf = new Date(Date.now() - 3 * DAY).toISOString();
    // A rule that the offline runs breach at once: keyword recall can never exceed 1.
    const rule = await adminApi("POST", "/api/meta-monitoring/alert-rules", {
      name: "Recall below one", metric: "answer_keyword_recall", operator: "<", warning: 1.01, warning_severity: "low", for_runs: 1,
    });
    expect(rule.status).toBe(201);
    const started = await adminApi("POST", "/api/meta-monitoring/control/evaluate", { dataset: "test", corpus: "otel", case_ids: CASES, as_of: asOf });
    expect(started.status).toBe(202);
    expect(started.body.backfilled).toBe(true);
    expect(Math.abs(Date.parse(started.body.created_at) - Date.parse(asOf))).toBeLessThan(5_000);
    const run = await waitForRun(started.body.id);
    expect(run.status).toBe("completed");
    const completed = Date.parse(run.completed_at);
    expect(completed).toBeGreaterThanOrEqual(Date.parse(asOf));
    expect(completed).toBeLessThan(Date.parse(asOf) + 60_000);

    const alerts = (await adminApi("GET", "/api/meta-monitoring/alerts?limit=100")).body.alerts;
    const mine = alerts.find((a: any) => a.rule_id === rule.body.id);
    expect(mine).toMatchObject({ status: "firing", severity: "low" });
    expect(Math.abs(Date.parse(mine.started_at) - completed)).toBeLessThan(1_000);

    const health = (await adminApi("GET", "/api/meta-monitoring/health")).body;
    expect(health.latest_run.id).toBe(run.id);
    expect(health.checks.find((c: any) => c.name === "last_evaluation")).toMatchObject({ status: "degraded" });
    expect(health.checks.find((c: any) => c.name === "last_evaluation").message).toMatch(/is 7\d\.\d h old/);
    expect(health.firing_alerts.low).toBeGreaterThanOrEqual(1);
    expect(health.checks.find((c: any) => c.name === "alerts").status).toBe("degraded");
  });

  it("refuses as_of in the future or older than 90 days", async () => {
    for (const asOf of [new Date(Date.now() + DAY).toISOString(), new Date(Date.now() - 91 * DAY).toISOString(), "yesterday"]) {
      const r = await adminApi("POST", "/api/meta-monitoring/control/evaluate", { dataset: "test", corpus: "otel", case_ids: CASES, as_of: asOf });
      expect(r.status, asOf).toBe(422);
    }
  });
});
