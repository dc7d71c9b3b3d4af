/**
 * Proposals of the quality loop (docs/monitoring.md, "Proposals"): generated from a firing alert
 * or a completed run by the rules of ./proposals-rules.ts, each with a candidate config version
 * (created, not deployed); validated by ./validation.ts; approved or rejected, applied (the
 * candidate deployed) and rolled back (the base version deployed again) by an admin.
 */
import { eq } from "drizzle-orm";
import { TUNABLE_KEYS, TunablesSchema, type Tunables } from "../config-versions/tunables";
import type { Database } from "../db/client";
import { configVersions, type ProposalRow } from "../db/schema";
import { ApiError } from "../http/errors";
import { getAlert } from "../storage/alerts";
import { createVersion, deployVersion, ensureProduction, getVersion } from "../storage/config-versions";
import { allResults, getRun } from "../storage/evaluation-runs";
import { getProposalRow, insertProposal, transitionProposal } from "../storage/proposals";
import { caseById } from "./datasets";
import { proposeChanges, type FailureSummary } from "./proposals-rules";

/** The per-question failures of a run's results. */
async function failuresOf(db: Database, runId: string): Promise<FailureSummary> {
  const results = await allResults(db, runId);
  return {
    cases: results.length,
    failing: results.filter((r) => r.error !== null || r.problems.length > 0).length,
    gold_missed: results.filter((r) => r.error === null && caseById(r.caseId)?.scenario !== "not_covered" && !r.goldAt5).length,
  };
}

/** The defaults: the tunables of version 1, made from the wrangler vars. */
async function defaultTunables(db: Database): Promise<Tunables> {
  const first = await db.select({ values: configVersions.values }).from(configVersions).where(eq(configVersions.version, 1)).get();
  if (!first) throw new Error("config version 1 is missing");
  return TunablesSchema.parse(first.values);
}

/**
 * Generates a proposal from a firing (or pending) alert, whose rule's metric it acts on and whose
 * latest run it reads, or from a completed run (any metric).
 *
 * @throws ApiError 404 for an unknown alert or run; 409 for a resolved alert, an unfinished run,
 *   or metrics for which no rule proposes a change.
 */
export async function generateProposal(env: Env, db: Database, input: { alert_id?: string; run_id?: string; actor: string }): Promise<ProposalRow> {
  let focus: string | undefined;
  let runId = input.run_id;
  if (input.alert_id) {
    const alert = await getAlert(db, input.alert_id);
    if (alert.status === "resolved") throw new ApiError(409, "conflict", `Alert ${alert.id} is resolved`);
    focus = alert.metric;
    runId ??= alert.last_run_id;
  }
  if (!runId) throw new ApiError(422, "invalid_request", "Invalid request body", [{ path: "", message: "alert_id or run_id is required" }]);
  const run = await getRun(db, runId);
  if (!run) throw new ApiError(404, "not_found", `No evaluation run ${runId}`);
  if (run.status !== "completed" || !run.metrics) throw new ApiError(409, "conflict", `Evaluation run ${runId} is ${run.status}; a proposal needs a completed run`);
  const production = await ensureProduction(db, env);
  const base = await getVersion(db, run.configVersionId ?? production.id);
  const tunableOverrides = Object.fromEntries(Object.entries(run.configOverrides).filter(([k]) => (TUNABLE_KEYS as readonly string[]).includes(k)));
  const current = TunablesSchema.parse({ ...base.values, ...tunableOverrides });
  const proposed = proposeChanges(run.metrics, await failuresOf(db, run.id), current, await defaultTunables(db), focus);
  if (!proposed) throw new ApiError(409, "conflict", `No rule proposes a change for the metrics of run ${run.id}${focus ? ` (${focus})` : ""}`);
  const id = crypto.randomUUID();
  const values = { ...tunableOverrides, ...Object.fromEntries(Object.entries(proposed.changes).map(([k, c]) => [k, c!.to])) };
  const candidate = await createVersion(db, { values, parentId: base.id, description: `proposal ${id} (${proposed.type}): ${proposed.reason}`.slice(0, 1000), actor: input.actor });
  const row: ProposalRow = {
    id, type: proposed.type, status: "pending", alertId: input.alert_id ?? null, runId: run.id, baseVersionId: base.id,
    changes: proposed.changes as ProposalRow["changes"], reason: proposed.reason, candidateVersionId: candidate.id, validation: null,
    createdAt: Date.now(), decidedBy: null, decidedAt: null, decisionReason: null, appliedAt: null, rolledBackAt: null,
  };
  await insertProposal(db, row);
  return row;
}

/** Approves a validated proposal. @throws ApiError 404, 409 for another status. */
export function approveProposal(db: Database, id: string, actor: string, reason?: string): Promise<ProposalRow> {
  return transitionProposal(db, id, ["validated"], { status: "approved", decidedBy: actor, decidedAt: Date.now(), decisionReason: reason ?? null });
}

/** Rejects a pending or validated proposal. @throws ApiError 404, 409 for another status. */
export function rejectProposal(db: Database, id: string, actor: string, reason: string): Promise<ProposalRow> {
  return transitionProposal(db, id, ["pending", "validated"], { status: "rejected", decidedBy: actor, decidedAt: Date.now(), decisionReason: reason });
}

/** Applies an approved proposal: deploys its candidate version. @throws ApiError 404, 409. */
export async function applyProposal(env: Env, db: Database, id: string, actor: string): Promise<ProposalRow> {
  const p = await getProposalRow(db, id);
  if (p.status !== "approved") throw new ApiError(409, "conflict", `Proposal ${id} is ${p.status}; only an approved proposal is applied`);
  await ensureProduction(db, env);
  await deployVersion(db, { versionId: p.candidateVersionId, actor, reason: `apply proposal ${id} (${p.type})`, action: "deploy" });
  return transitionProposal(db, id, ["approved"], { status: "applied", appliedAt: Date.now() });
}

/** Rolls an applied proposal back: deploys its base version again. @throws ApiError 404, 409. */
export async function rollbackProposal(env: Env, db: Database, id: string, actor: string, reason?: string): Promise<ProposalRow> {
  const p = await getProposalRow(db, id);
  if (p.status !== "applied") throw new ApiError(409, "conflict", `Proposal ${id} is ${p.status}; only an applied proposal is rolled back`);
  await ensureProduction(db, env);
  await deployVersion(db, { versionId: p.baseVersionId, actor, reason: `roll back proposal ${id} (${p.type})${reason ? `: ${reason}` : ""}`, action: "rollback" });
  return transitionProposal(db, id, ["applied"], { status: "rolled_back", rolledBackAt: Date.now() });
}
