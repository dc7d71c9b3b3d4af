/**
 * The revert rule in workerd: a run on the deployed version is fine, a bad version is deployed,
 * the next run opens a firing gold@5 alert, and generate-proposal on that alert proposes
 * `revert_deployment`, whose candidate has the previous version's tunables (the diff from the bad
 * version back). From the run alone (no alert), the other rules apply instead.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, adminApi as api, waitForRun } from "../support/api";
import { ingestOtelTestPages } from "../support/answer-slice";

/** The cases and the bad version of test/integration/quality-loop.test.ts: the bad version loses 2 gold pages of 8. */
const CASES = ["otel-col-008", "otel-col-011", "otel-col-032", "otel-col-033", "otel-col-034", "otel-sdk-007", "otel-sdk-009", "otel-con-040", "otel-nc-001"];
const BAD = { FUSION_LEXICAL_WEIGHT: 0, FUSION_EXPANSION_WEIGHT: 0, FUSION_VECTOR_WEIGHT: 1, PRF_CHUNKS: 10, PRF_BETA: 10, PRF_TERMS: 32 };

async function run(): Promise<any> {
  const started = await api("POST", "/api/meta-monitoring/control/evaluate", { dataset: "test", corpus: "otel", case_ids: CASES, batch_size: 5 }, ADMIN);
  expect(started.status).toBe(202);
  return waitForRun(started.body.id);
}

beforeAll(async () => {
  await ingestOtelTestPages();
  await env.DB.prepare("UPDATE alert_rules SET for_runs = 1 WHERE id = 'rule-gold-at-5'").run();
}, 120_000);

describe("revert_deployment", () => {
  it("proposes reverting a deploy after which the alert's metric got worse", async () => {
    const good = (await api("GET", "/api/config/production")).body.version;
    const before = await run();
    expect(before).toMatchObject({ status: "completed", config_version_id: good.id });
    expect(before.metrics.gold_at_5).toBeGreaterThanOrEqual(0.85);

    const bad = (await api("POST", "/api/config/versions", { values: BAD, description: "vector-only retrieval" }, ADMIN)).body;
    expect((await api("POST", "/api/config/deploy", { version_id: bad.id, reason: "experiment" }, ADMIN)).status).toBe(200);
    const after = await run();
    expect(after).toMatchObject({ status: "completed", config_version_id: bad.id });
    expect(after.metrics.gold_at_5).toBeLessThan(0.85);
    const alert = (await api("GET", "/api/meta-monitoring/alerts?status=firing&limit=100")).body.alerts.find((a: any) => a.metric === "gold_at_5");
    expect(alert).toMatchObject({ first_run_id: after.id, last_run_id: after.id });

    const generated = await api("POST", "/api/meta-monitoring/control/generate-proposal", { alert_id: alert.id }, ADMIN);
    expect(generated.status).toBe(201);
    const proposal = generated.body;
    expect(proposal).toMatchObject({ type: "revert_deployment", status: "pending", alert_id: alert.id, run_id: after.id, base_version_id: bad.id });
    expect(proposal.changes).toEqual(Object.fromEntries(Object.entries(BAD).map(([k, v]) => [k, { from: v, to: good.values[k] }])));
    expect(proposal.reason).toContain(`on run ${after.id}, which opened the alert on version ${bad.version}`);
    expect(proposal.reason).toContain(`after run ${before.id} on version ${good.version}`);
    expect(proposal.reason).toMatch(/did not breach\. Revert to version 1: /);
    const candidate = (await api("GET", `/api/config/versions/${proposal.candidate_version_id}`)).body;
    expect(candidate).toMatchObject({ deployed: false, parent_id: bad.id, values: good.values });
    const listed = (await api("GET", "/api/meta-monitoring/proposals?type=revert_deployment")).body;
    expect(listed.proposals.map((p: any) => p.id)).toEqual([proposal.id]);

    // From the run alone the revert rule does not apply (it needs a firing alert): the restore rule does.
    const fromRun = await api("POST", "/api/meta-monitoring/control/generate-proposal", { run_id: after.id }, ADMIN);
    expect(fromRun.status).toBe(201);
    expect(fromRun.body.type).toBe("restore_retrieval_defaults");
  });
});
