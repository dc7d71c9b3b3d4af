/**
 * Applying and rolling back proposals, in workerd with the real migrations: the validation's
 * baseline is the configuration the proposal's run measured (its overrides included), a rollback
 * returns production to the version it was on at apply time (not the proposal's base version), a
 * rollback after production moved on is refused, and the move of production and the proposal's
 * status are one transaction. The knowledge base is empty: the runs only need to complete.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../worker/db/client";
import { deployVersion } from "../../worker/storage/config-versions";
import { ADMIN, adminApi as api, waitFor, waitForRun } from "../support/api";

const CASES = ["otel-col-008", "otel-sdk-009", "otel-nc-001"];
/** Retrieval values away from the defaults, so that restore_retrieval_defaults proposes a change. */
const OVERRIDES = { FUSION_LEXICAL_WEIGHT: 0, PRF_TERMS: 32 };

async function production(): Promise<{ version: { id: string; version: number }; events: any[] }> {
  return (await api("GET", "/api/config/production", undefined, ADMIN)).body;
}

async function newVersion(values: Record<string, number>, description: string): Promise<string> {
  const r = await api("POST", "/api/config/versions", { values, description }, ADMIN);
  expect(r.status).toBe(201);
  return r.body.id;
}

async function deploy(versionId: string): Promise<void> {
  expect((await api("POST", "/api/config/deploy", { version_id: versionId, reason: "test" }, ADMIN)).status).toBe(200);
}

/** A completed run with `config_overrides`, a proposal from it, validated and approved. */
async function approvedProposal(overrides: Record<string, number>): Promise<any> {
  const started = await api("POST", "/api/meta-monitoring/control/evaluate", { dataset: "test", corpus: "otel", case_ids: CASES, config_overrides: overrides }, ADMIN);
  expect(started.status).toBe(202);
  const run = await waitForRun(started.body.id);
  expect(run.status).toBe("completed");
  const generated = await api("POST", "/api/meta-monitoring/control/generate-proposal", { run_id: run.id }, ADMIN);
  expect(generated.status).toBe(201);
  const validating = await api("POST", "/api/meta-monitoring/control/validate-proposal", { proposal_id: generated.body.id }, ADMIN);
  expect(validating.status).toBe(202);
  await Promise.all([waitForRun(validating.body.validation.baseline_run_id), waitForRun(validating.body.validation.candidate_run_id)]);
  await waitFor(async () => {
    const r = await api("GET", `/api/meta-monitoring/proposals/${generated.body.id}`, undefined, ADMIN);
    return r.body.status === "validated" ? r.body : undefined;
  }, 10_000, 100);
  const approved = await api("POST", `/api/meta-monitoring/proposals/${generated.body.id}/approve`, {}, ADMIN);
  expect(approved.body.status).toBe("approved");
  return { ...approved.body, validation: validating.body.validation, run };
}

describe("proposal validation, apply and rollback", () => {
  it("validates against the configuration the run measured, overrides included", async () => {
    const p = await approvedProposal(OVERRIDES);
    expect(Object.keys(p.changes).sort()).toEqual(Object.keys(OVERRIDES).sort());
    const baseline = (await api("GET", `/api/meta-monitoring/runs/${p.validation.baseline_run_id}`, undefined, ADMIN)).body;
    const candidate = (await api("GET", `/api/meta-monitoring/runs/${p.validation.candidate_run_id}`, undefined, ADMIN)).body;
    // The baseline measures the overridden values, the candidate the proposed ones; nothing else differs.
    for (const [k, v] of Object.entries(OVERRIDES)) {
      expect(baseline.config_overrides[k], k).toBe(v);
      expect(candidate.config_overrides[k], k).toBe(p.changes[k].to);
    }
    const differing = Object.keys(candidate.config_overrides).filter((k) => String(candidate.config_overrides[k]) !== String(baseline.config_overrides[k]));
    expect(differing.sort()).toEqual(Object.keys(p.changes).sort());
    expect(baseline.config_version_id).toBe(p.base_version_id);
  }, 60_000);

  it("rolls back to the version production was on at apply time, not the base version", async () => {
    const p = await approvedProposal({ FUSION_LEXICAL_WEIGHT: 0.5 });
    // Production moves after the proposal was generated: the proposal's base is no longer deployed.
    const moved = await newVersion({ PRF_TERMS: 12 }, "a later deployment");
    await deploy(moved);
    const applied = await api("POST", `/api/meta-monitoring/proposals/${p.id}/apply`, {}, ADMIN);
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ status: "applied", applied_from_version_id: moved });
    expect((await production()).version.id).toBe(p.candidate_version_id);
    const rolled = await api("POST", `/api/meta-monitoring/proposals/${p.id}/rollback`, { reason: "worse" }, ADMIN);
    expect(rolled.status).toBe(200);
    expect(rolled.body.status).toBe("rolled_back");
    const after = await production();
    expect(after.version.id).toBe(moved);
    expect(after.version.id).not.toBe(p.base_version_id);
    expect(after.events[0]).toMatchObject({ action: "rollback", from_version_id: p.candidate_version_id, to_version_id: moved });
    expect(after.events[0].reason).toContain(p.id);
  }, 60_000);

  it("refuses a rollback once production moved on after the apply, and writes nothing", async () => {
    const p = await approvedProposal({ FUSION_LEXICAL_WEIGHT: 0.25 });
    expect((await api("POST", `/api/meta-monitoring/proposals/${p.id}/apply`, {}, ADMIN)).status).toBe(200);
    const later = await newVersion({ PRF_TERMS: 16 }, "deployed after the proposal");
    await deploy(later);
    const before = await production();
    const refused = await api("POST", `/api/meta-monitoring/proposals/${p.id}/rollback`, {}, ADMIN);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/moved since/);
    const after = await production();
    expect(after.version.id).toBe(later);
    expect(after.events.length).toBe(before.events.length);
    expect((await api("GET", `/api/meta-monitoring/proposals/${p.id}`, undefined, ADMIN)).body.status).toBe("applied");
  }, 60_000);

  it("moves production, its audit row and the linked writes together or not at all", async () => {
    const db = database(env.DB);
    const start = await production();
    const target = await newVersion({ PRF_TERMS: 24 }, "atomicity probe");
    const countEvents = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM deployment_events").first<{ n: number }>())!.n;
    const events = await countEvents();

    // A precondition that does not hold: nothing moves, no audit row.
    await expect(deployVersion(db, {
      versionId: target, actor: "test", reason: "precondition false", action: "deploy",
      linked: { precondition: { sql: "1 = ?", params: [0] }, then: () => [] },
    })).rejects.toMatchObject({ status: 409 });
    expect((await production()).version.id).toBe(start.version.id);
    expect(await countEvents()).toBe(events);

    // A linked write that fails (NOT NULL violated): the move and the audit row are undone with it.
    await expect(deployVersion(db, {
      versionId: target, actor: "test", reason: "linked write fails", action: "deploy",
      linked: {
        precondition: { sql: "1 = ?", params: [1] },
        then: (e) => [env.DB.prepare("UPDATE config_versions SET description = NULL WHERE id = ? AND EXISTS (SELECT 1 FROM deployment_events WHERE id = ?)").bind(target, e.id)],
      },
    })).rejects.toThrow();
    expect((await production()).version.id).toBe(start.version.id);
    expect(await countEvents()).toBe(events);

    // Both hold: the move, the audit row and the linked write.
    await deployVersion(db, {
      versionId: target, actor: "test", reason: "all hold", action: "deploy",
      linked: {
        precondition: { sql: "1 = ?", params: [1] },
        then: (e) => [env.DB.prepare("UPDATE config_versions SET description = 'linked' WHERE id = ? AND EXISTS (SELECT 1 FROM deployment_events WHERE id = ?)").bind(target, e.id)],
      },
    });
    expect((await production()).version.id).toBe(target);
    expect(await countEvents()).toBe(events + 1);
    expect((await env.DB.prepare("SELECT description FROM config_versions WHERE id = ?").bind(target).first<{ description: string }>())!.description).toBe("linked");
  });
});
