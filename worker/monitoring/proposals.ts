/**
 * Proposals of the quality loop (docs/monitoring.md, "Proposals"): generated from a firing alert
 * or a completed run by the rules of ./proposals-rules.ts, each with a candidate config version
 * (created, not deployed); validated by ./validation.ts; approved or rejected, applied (the
 * candidate deployed) and rolled back (production back on the version it was on before) by an admin.
 */
import { eq } from "drizzle-orm";
import { TUNABLE_KEYS, TunablesSchema, type Tunables } from "../config-versions/tunables";
import { d1Of, type Database } from "../db/client";
import { configVersions, type EvaluationRunRow, type ProposalRow } from "../db/schema";
import { ApiError } from "../http/errors";
import { getAlert, listAlertRules, ruleSpec, type AlertView } from "../storage/alerts";
import { createVersion, deployVersion, ensureProduction, getProduction, getVersion } from "../storage/config-versions";
import { allResults, getRun, previousComparableRun } from "../storage/evaluation-runs";
import { getProposalRow, insertProposal, transitionProposal } from "../storage/proposals";
import { caseById } from "./datasets";
import { proposeChanges, type DeploymentContext, type FailureSummary, type RunSnapshot } from "./proposals-rules";

/** Production pointer moves read for the revert rule (newest first). */
const MOVES_READ = 100;

/** The per-question failures of a run's results (replayed questions have no gold: never "gold missed"). */
async function failuresOf(db: Database, runId: string): Promise<FailureSummary> {
  const results = await allResults(db, runId);
  return {
    cases: results.length,
    failing: results.filter((r) => r.error !== null || r.problems.length > 0).length,
    gold_missed: results.filter((r) => r.error === null && caseById(r.caseId)?.scenario === "answer" && !r.goldAt5).length,
  };
}

/** The tunable keys a run overrides. */
function tunableOverridesOf(run: EvaluationRunRow): Record<string, string | number> {
  return Object.fromEntries(Object.entries(run.configOverrides).filter(([k]) => (TUNABLE_KEYS as readonly string[]).includes(k)));
}

/** A run as the revert rule reads it, with its value of `metric`. */
function snapshot(run: EvaluationRunRow, metric: string): RunSnapshot {
  const value = run.metrics?.[metric];
  return {
    id: run.id, version_id: run.configVersionId, created_at: run.createdAt, value: typeof value === "number" && Number.isFinite(value) ? value : null,
    as_deployed: run.trigger !== "validation" && Object.keys(tunableOverridesOf(run)).length === 0,
  };
}

/**
 * What the revert rule reads for a firing alert, from D1: the run that opened it, the completed
 * run of the same dataset and corpus before that one, the production pointer's latest moves
 * (deployment events), and both runs' versions. Null when the alert is not firing or a piece is
 * missing (no previous run, a version unknown or deleted).
 */
async function deploymentContext(db: Database, alert: AlertView): Promise<DeploymentContext | null> {
  if (alert.status !== "firing") return null;
  const opening = await getRun(db, alert.first_run_id);
  if (!opening || opening.status !== "completed" || !opening.configVersionId) return null;
  const previous = await previousComparableRun(db, opening);
  if (!previous?.configVersionId) return null;
  const rule = (await listAlertRules(db)).find((r) => r.id === alert.rule_id);
  if (!rule) return null;
  const production = await getProduction(db, MOVES_READ);
  const versions = await Promise.all([opening.configVersionId, previous.configVersionId].map((id) => getVersion(db, id).catch(() => null)));
  if (versions.some((v) => v === null)) return null;
  return {
    alert: { status: alert.status, metric: alert.metric }, rule: ruleSpec(rule), opening: snapshot(opening, alert.metric), previous: snapshot(previous, alert.metric),
    moves: production.events.map((e) => ({ from_version_id: e.from_version_id, to_version_id: e.to_version_id, at: Date.parse(e.created_at) })),
    production_version_id: production.version.id,
    tunables: Object.fromEntries(versions.map((v) => [v!.id, TunablesSchema.parse(v!.values)])),
    version_numbers: Object.fromEntries(versions.map((v) => [v!.id, v!.version])),
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
 * latest run it reads, or from a completed run (any metric). For a firing alert, the revert rule
 * is tried first with what it reads from D1 (the run that opened the alert, the run before it,
 * the production pointer's moves); its candidate has the previous version's tunables.
 *
 * @throws ApiError 404 for an unknown alert or run; 409 for a resolved alert, an unfinished run,
 *   or metrics for which no rule proposes a change.
 */
export async function generateProposal(env: Env, db: Database, input: { alert_id?: string; run_id?: string; actor: string }): Promise<ProposalRow> {
  let focus: string | undefined;
  let runId = input.run_id;
  let deployment: DeploymentContext | null = null;
  if (input.alert_id) {
    const alert = await getAlert(db, input.alert_id);
    if (alert.status === "resolved") throw new ApiError(409, "conflict", `Alert ${alert.id} is resolved`);
    focus = alert.metric;
    runId ??= alert.last_run_id;
    await ensureProduction(db, env);
    deployment = await deploymentContext(db, alert);
  }
  if (!runId) throw new ApiError(422, "invalid_request", "Invalid request body", [{ path: "", message: "alert_id or run_id is required" }]);
  const run = await getRun(db, runId);
  if (!run) throw new ApiError(404, "not_found", `No evaluation run ${runId}`);
  if (run.status !== "completed" || !run.metrics) throw new ApiError(409, "conflict", `Evaluation run ${runId} is ${run.status}; a proposal needs a completed run`);
  const production = await ensureProduction(db, env);
  let base = await getVersion(db, run.configVersionId ?? production.id);
  let tunableOverrides = tunableOverridesOf(run);
  const current = TunablesSchema.parse({ ...base.values, ...tunableOverrides });
  const proposed = proposeChanges(run.metrics, await failuresOf(db, run.id), current, await defaultTunables(db), focus, deployment);
  if (!proposed) throw new ApiError(409, "conflict", `No rule proposes a change for the metrics of run ${run.id}${focus ? ` (${focus})` : ""}`);
  if (proposed.base_version_id) {
    // The rule chose the version to change (revert: the deployed one), as deployed: without the run's overrides.
    if (proposed.base_version_id !== base.id) base = await getVersion(db, proposed.base_version_id);
    tunableOverrides = {};
  }
  const id = crypto.randomUUID();
  const values = { ...tunableOverrides, ...Object.fromEntries(Object.entries(proposed.changes).map(([k, c]) => [k, c!.to])) };
  const candidate = await createVersion(db, { values, parentId: base.id, description: `proposal ${id} (${proposed.type}): ${proposed.reason}`.slice(0, 1000), actor: input.actor });
  const row: ProposalRow = {
    id, type: proposed.type, status: "pending", alertId: input.alert_id ?? null, runId: run.id, baseVersionId: base.id,
    changes: proposed.changes as ProposalRow["changes"], reason: proposed.reason, candidateVersionId: candidate.id, validation: null,
    createdAt: Date.now(), decidedBy: null, decidedAt: null, decisionReason: null, appliedAt: null, appliedFromVersionId: null, rolledBackAt: null,
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

/** The statement of a proposal's move from `from` to `set` that runs only when the deployment event `eventId` exists (see {@link deployVersion}'s `linked`). */
function proposalMove(db: Database, id: string, from: ProposalRow["status"], set: string, params: unknown[], eventId: string): D1PreparedStatement {
  return d1Of(db)
    .prepare(`UPDATE proposals SET ${set} WHERE id = ? AND status = ? AND EXISTS (SELECT 1 FROM deployment_events WHERE id = ?)`)
    .bind(...params, id, from, eventId);
}

/**
 * Applies an approved proposal: deploys its candidate version and marks the proposal applied
 * (recording the version production was on), both in one D1 transaction.
 *
 * @throws ApiError 404 unknown proposal; 409 when it is not approved, or production moved or the
 *   proposal was decided concurrently (nothing is written then).
 */
export async function applyProposal(env: Env, db: Database, id: string, actor: string): Promise<ProposalRow> {
  const p = await getProposalRow(db, id);
  if (p.status !== "approved") throw new ApiError(409, "conflict", `Proposal ${id} is ${p.status}; only an approved proposal is applied`);
  await ensureProduction(db, env);
  await deployVersion(db, {
    versionId: p.candidateVersionId, actor, reason: `apply proposal ${id} (${p.type})`, action: "deploy",
    linked: {
      precondition: { sql: "EXISTS (SELECT 1 FROM proposals WHERE id = ? AND status = 'approved')", params: [id] },
      then: (event) => [proposalMove(db, id, "approved", "status = 'applied', applied_at = ?, applied_from_version_id = ?", [event.createdAt, event.fromVersionId], event.id)],
    },
  });
  return getProposalRow(db, id);
}

/**
 * Rolls an applied proposal back: production returns to the version it was on when the proposal
 * was applied (the base version for proposals applied before that was recorded), and the
 * proposal becomes rolled_back, in one D1 transaction.
 *
 * @throws ApiError 404 unknown proposal; 409 when it is not applied, when production is no longer
 *   on the proposal's candidate version (it moved since; roll back with `POST /api/config/rollback`),
 *   or when either changed concurrently (nothing is written then).
 */
export async function rollbackProposal(env: Env, db: Database, id: string, actor: string, reason?: string): Promise<ProposalRow> {
  const p = await getProposalRow(db, id);
  if (p.status !== "applied") throw new ApiError(409, "conflict", `Proposal ${id} is ${p.status}; only an applied proposal is rolled back`);
  const production = await ensureProduction(db, env);
  if (production.id !== p.candidateVersionId) {
    throw new ApiError(409, "conflict", `Production has moved since proposal ${id} was applied (it is on version ${production.version}); roll back with POST /api/config/rollback`);
  }
  await deployVersion(db, {
    versionId: p.appliedFromVersionId ?? p.baseVersionId, actor, action: "rollback", expectedFromVersionId: p.candidateVersionId,
    reason: `roll back proposal ${id} (${p.type})${reason ? `: ${reason}` : ""}`,
    linked: {
      precondition: { sql: "EXISTS (SELECT 1 FROM proposals WHERE id = ? AND status = 'applied')", params: [id] },
      then: (event) => [proposalMove(db, id, "applied", "status = 'rolled_back', rolled_back_at = ?", [event.createdAt], event.id)],
    },
  });
  return getProposalRow(db, id);
}
