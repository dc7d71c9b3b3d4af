/**
 * The quality-loop seed of the browser tests' global setup (scripts/lib/seed-monitoring.ts) wrote
 * what it promises, read back through the API as the admin (Node side, no browser): at least 12
 * completed evaluation runs spread over at least 5 of the last 7 days, at least 6 alerts of all
 * four severities, firing (one acknowledged) and resolved, exactly four proposals (pending,
 * validated, rejected, rolled back) of which three have a completed validation, and production on
 * the version it started on.
 *
 * Other files act on the seeded alerts and proposals (acknowledge, resolve, approve, reject) and
 * may run before this one, so the states at the seed's end are read from the seed's summary and
 * checked against what cannot change afterwards: resolved alerts, the transition logs, terminal
 * proposals, completed validations, the production pointer's events.
 */
import { describe, expect, inject, it } from "vitest";
import { SEED_ACK_NOTE } from "../../scripts/lib/seed-monitoring.ts";

const DAY = 86_400_000;

/** GET of the API as the admin; fails the test on a non-2xx answer. */
async function get<T>(path: string): Promise<T> {
  const res = await fetch(new URL(path, inject("baseUrl")), { headers: { authorization: `Bearer ${inject("adminToken")}` } });
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

interface Run {
  id: string; status: string; trigger: string; completed_at: string | null; backfilled: boolean;
  config_overrides: Record<string, unknown>; metrics: Record<string, number | null> | null;
}
interface Transition { from_status: string | null; to_status: string; note: string | null; run_id: string | null }
interface Alert { id: string; status: string; severity: string; acknowledged_by: string | null; started_at: string; transitions: Transition[] }
interface Proposal {
  id: string; status: string; type: string; base_version_id: string; candidate_version_id: string; decision_reason: string | null;
  validation: { status: string; paired_cases: number; baseline_run_id: string; candidate_run_id: string; metrics: Record<string, unknown> } | null;
}

describe("quality-loop seed", () => {
  const seed = inject("seed");

  it("wrote at least 12 completed runs spread over at least 5 of the last 7 days, some with bad overrides", async () => {
    const runs = await Promise.all(seed.runs.map((id) => get<Run>(`/api/meta-monitoring/runs/${id}`)));
    for (const r of runs) expect(r.status, r.id).toBe("completed");
    expect(runs.length).toBeGreaterThanOrEqual(12);
    const backfilled = runs.filter((r) => r.backfilled);
    expect(backfilled.length).toBeGreaterThanOrEqual(12);
    const times = runs.map((r) => Date.parse(r.completed_at!));
    const now = Date.now();
    for (const t of times) expect(now - t).toBeLessThanOrEqual(7 * DAY);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(5 * DAY);
    // Metrics vary: some runs breach the gold@5 critical threshold, others do not breach it.
    const gold = runs.map((r) => r.metrics?.gold_at_5).filter((x): x is number => typeof x === "number");
    expect(Math.min(...gold)).toBeLessThan(0.75);
    expect(Math.max(...gold)).toBeGreaterThanOrEqual(0.85);
    expect(runs.some((r) => r.trigger === "manual" && r.config_overrides.FUSION_LEXICAL_WEIGHT === 0)).toBe(true);
    expect(runs.filter((r) => r.trigger === "validation").length).toBe(6);
    // The list shows them too.
    const listed = await get<{ runs: Run[] }>("/api/meta-monitoring/runs?status=completed&limit=100");
    for (const id of seed.runs) expect(listed.runs.map((r) => r.id)).toContain(id);
  });

  it("raised at least 6 alerts of all four severities, firing (one acknowledged) and resolved", async () => {
    expect(seed.alerts.length).toBeGreaterThanOrEqual(6);
    expect(new Set(seed.alerts.map((a) => a.severity))).toEqual(new Set(["critical", "high", "medium", "low"]));
    const statuses = new Set(seed.alerts.map((a) => a.status));
    expect(statuses).toContain("firing");
    expect(statuses).toContain("resolved");
    const alerts = await Promise.all(seed.alerts.map((a) => get<Alert>(`/api/meta-monitoring/alerts/${a.id}`)));
    for (const [i, a] of alerts.entries()) {
      const s = seed.alerts[i];
      expect(a.transitions.length, a.id).toBeGreaterThanOrEqual(1);
      expect(a.transitions.some((t) => t.run_id !== null && seed.runs.includes(t.run_id)), a.id).toBe(true);
      // Resolved is final; a firing alert has fired (its log says so) whatever happened to it since.
      if (s.status === "resolved") expect(a).toMatchObject({ status: "resolved", severity: s.severity });
      if (s.status === "firing") expect(a.transitions.some((t) => t.to_status === "firing" && t.from_status !== "firing"), a.id).toBe(true);
    }
    // One firing alert was acknowledged by the seed.
    const acknowledged = alerts.filter((a) => a.transitions.some((t) => t.note === `acknowledged by admin: ${SEED_ACK_NOTE}`));
    expect(acknowledged.length).toBe(1);
    expect(seed.alerts.find((s) => s.id === acknowledged[0].id)?.status).toBe("firing");
    expect(acknowledged[0].acknowledged_by).toBe("admin");
    // Alerts started on several days, as their runs did.
    expect(new Set(alerts.map((a) => a.started_at.slice(0, 10))).size).toBeGreaterThanOrEqual(3);
    // The rules the seed created exist.
    const { rules } = await get<{ rules: { id: string }[] }>("/api/meta-monitoring/alert-rules");
    for (const id of seed.rules_created) expect(rules.map((r) => r.id)).toContain(id);
  });

  it("left exactly four proposals, pending, validated, rejected and rolled back, three of them validated", async () => {
    expect(seed.proposals.map((p) => p.status).sort()).toEqual(["pending", "rejected", "rolled_back", "validated"]);
    const proposals = await Promise.all(seed.proposals.map((p) => get<Proposal>(`/api/meta-monitoring/proposals/${p.id}`)));
    const at = (status: string) => proposals[seed.proposals.findIndex((p) => p.status === status)];
    for (const [i, p] of proposals.entries()) expect(p.type).toBe(seed.proposals[i].type);
    // Final states stay; the other two may have been decided since.
    expect(at("rejected").status).toBe("rejected");
    expect(at("rejected").decision_reason).toMatch(/^Dry run: /);
    expect(at("rolled_back").status).toBe("rolled_back");
    if (at("pending").status === "pending") expect(at("pending").validation).toBeNull();
    for (const status of ["validated", "rejected", "rolled_back"]) {
      const v = at(status).validation;
      expect(v?.status, status).toBe("completed");
      expect(v!.paired_cases).toBeGreaterThan(0);
      expect(v!.metrics.gold_at_5).toBeDefined();
      expect(seed.runs).toContain(v!.baseline_run_id);
      expect(seed.runs).toContain(v!.candidate_run_id);
    }
  });

  it("left production on the version it started on, after the rolled-back proposal's apply and rollback", async () => {
    const production = await get<{ version: { id: string; version: number }; events: { action: string; to_version_id: string; reason: string | null }[] }>(
      "/api/config/production?events=200",
    );
    // The server started on a fresh database: its first version, from the wrangler vars.
    expect(production.version.version).toBe(1);
    const rolledBack = await get<Proposal>(`/api/meta-monitoring/proposals/${seed.proposals.find((p) => p.status === "rolled_back")!.id}`);
    expect(rolledBack.base_version_id).toBe(production.version.id);
    const moves = production.events.filter((e) => e.reason?.includes(rolledBack.id));
    expect(moves.map((e) => [e.action, e.to_version_id])).toEqual([
      ["rollback", rolledBack.base_version_id],
      ["deploy", rolledBack.candidate_version_id],
    ]);
  });
});
