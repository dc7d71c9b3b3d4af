/**
 * Validation of a proposal by dry run (docs/monitoring.md, "Validation"): two evaluation runs on
 * the same case ids, the baseline with the tunables the proposal's run measured and the candidate
 * with the candidate version's, both as run overrides (trigger "validation"); production is not touched.
 * When both are finished, the per-metric deltas (candidate − baseline) with a paired bootstrap
 * 95% interval (./bootstrap.ts) and the per-question flips are stored, and the proposal becomes
 * `validated`. Finished from the run completion hook, and lazily when a proposal is read.
 */
import { database, type Database } from "../db/client";
import type { EvaluationResultRow, ProposalRow } from "../db/schema";
import { ApiError } from "../http/errors";
import { getVersion } from "../storage/config-versions";
import { allResults, getRun } from "../storage/evaluation-runs";
import { getProposalRow, proposalsValidatedBy, setValidation } from "../storage/proposals";
import { pairedBootstrap, DEFAULT_RESAMPLES, DEFAULT_SEED, type PairedInterval } from "./bootstrap";
import { caseById, type CorpusName } from "./datasets";
import { onRunCompleted, startEvaluationRun } from "./runs";

/** What a case is, for the per-question values: answerable, unanswerable, or a replayed thumbs-down question (no gold). */
export type CaseKind = "answerable" | "unanswerable" | "replay";

/** The per-question values compared, and which kinds of case each is defined on. */
const PER_QUESTION: Record<string, { of: readonly CaseKind[]; value: (r: EvaluationResultRow) => number }> = {
  answer_keyword_recall: { of: ["answerable"], value: (r) => (r.keywordsTotal ? r.keywordsHit / r.keywordsTotal : 0) },
  gold_at_5: { of: ["answerable"], value: (r) => (r.goldAt5 ? 1 : 0) },
  answered_rate: { of: ["answerable", "replay"], value: (r) => (r.answered ? 1 : 0) },
  honest_refusal_rate: { of: ["unanswerable"], value: (r) => (r.refused ? 1 : 0) },
  latency_ms: { of: ["answerable", "unanswerable", "replay"], value: (r) => r.latencyMs },
};

/** The kind of a case of the evaluation set's splits (undefined for an unknown id). */
export function splitCaseKind(caseId: string): CaseKind | undefined {
  const c = caseById(caseId);
  return c ? (c.scenario === "not_covered" ? "unanswerable" : "answerable") : undefined;
}

/** A case that passed (no problem of the judge) in one run and failed in the other. */
export interface Flip {
  case_id: string;
  from: "pass" | "fail";
  to: "pass" | "fail";
  baseline_problems: string[];
  candidate_problems: string[];
}

/** The comparison of two runs' results on the same cases. */
export interface RunComparison {
  /** Cases judged in both runs. */
  paired_cases: number;
  metrics: Record<string, PairedInterval | null>;
  flips: Flip[];
}

/**
 * Compares two runs' results paired by case id (cases that errored in either run, and cases of
 * unknown kind, are left out): per-metric paired bootstrap intervals (B = 1000, fixed seed) and
 * the flips. Pure.
 *
 * @param kindOf The kind of a case: {@link splitCaseKind} (default) for the splits, `() => "replay"` for replays.
 */
export function compareResults(
  baseline: readonly EvaluationResultRow[], candidate: readonly EvaluationResultRow[], kindOf: (caseId: string) => CaseKind | undefined = splitCaseKind,
): RunComparison {
  const byCase = new Map(candidate.filter((r) => r.error === null).map((r) => [r.caseId, r]));
  const pairs = baseline.filter((r) => r.error === null && byCase.has(r.caseId) && kindOf(r.caseId)).map((b) => [b, byCase.get(b.caseId)!] as const);
  pairs.sort((x, y) => x[0].caseId.localeCompare(y[0].caseId));
  const metrics: Record<string, PairedInterval | null> = {};
  for (const [name, def] of Object.entries(PER_QUESTION)) {
    const selected = pairs.filter(([b]) => def.of.includes(kindOf(b.caseId)!));
    metrics[name] = pairedBootstrap(selected.map(([b]) => def.value(b)), selected.map(([, c]) => def.value(c)), { resamples: DEFAULT_RESAMPLES, seed: DEFAULT_SEED });
  }
  const flips: Flip[] = [];
  for (const [b, c] of pairs) {
    const was = b.problems.length === 0 ? "pass" : "fail";
    const is = c.problems.length === 0 ? "pass" : "fail";
    if (was !== is) flips.push({ case_id: b.caseId, from: was, to: is, baseline_problems: b.problems, candidate_problems: c.problems });
  }
  return { paired_cases: pairs.length, metrics, flips };
}

/**
 * The tunables of a validation's baseline: the candidate's with every changed key back at its
 * `from` value. That is the configuration the proposal's run measured (its base version with the
 * run's overrides, when it had any), so the two runs differ in exactly the proposed changes. Pure.
 */
export function baselineValues(candidate: Readonly<Record<string, string | number>>, changes: ProposalRow["changes"]): Record<string, string | number> {
  return { ...candidate, ...Object.fromEntries(Object.entries(changes).map(([k, c]) => [k, c.from])) };
}

/**
 * Starts the validation of a pending proposal: the baseline and candidate runs on the case ids of
 * the proposal's run (dataset and corpus of that run).
 *
 * @returns The updated proposal row.
 * @throws ApiError 409 when the proposal is not pending or a validation is already running.
 */
export async function startValidation(env: Env, db: Database, proposal: ProposalRow): Promise<ProposalRow> {
  if (proposal.status !== "pending") throw new ApiError(409, "conflict", `Proposal ${proposal.id} is ${proposal.status}; only a pending proposal is validated`);
  if ((proposal.validation as { status?: string } | null)?.status === "running") throw new ApiError(409, "conflict", "A validation of this proposal is already running");
  const run = await getRun(db, proposal.runId);
  if (!run) throw new ApiError(409, "conflict", `The run ${proposal.runId} of the proposal no longer exists`);
  const candidate = await getVersion(db, proposal.candidateVersionId);
  const common = { dataset: run.dataset, corpus: run.corpus as CorpusName | null, case_ids: run.caseIds, batch_size: run.batchSize, trigger: "validation" as const };
  const baselineRun = await startEvaluationRun(env, { ...common, config_overrides: baselineValues(candidate.values, proposal.changes), config_version_id: proposal.baseVersionId });
  const candidateRun = await startEvaluationRun(env, { ...common, config_overrides: { ...candidate.values }, config_version_id: candidate.id });
  const validation = {
    status: "running", baseline_run_id: baselineRun.id, candidate_run_id: candidateRun.id, case_ids: run.caseIds,
    resamples: DEFAULT_RESAMPLES, seed: DEFAULT_SEED, level: 0.95, started_at: new Date().toISOString(),
  };
  const updated = await setValidation(db, proposal.id, validation, undefined, "pending");
  if (!updated) throw new ApiError(409, "conflict", `Proposal ${proposal.id} changed during validation`);
  return updated;
}

/**
 * Finishes a running validation when both its runs are finished: stores the comparison and moves
 * the proposal to `validated` (or records the failure, the proposal staying pending). Idempotent.
 */
export async function finishValidation(env: Env, proposalId: string): Promise<ProposalRow> {
  const db = database(env.DB);
  const proposal = await getProposalRow(db, proposalId);
  const v = proposal.validation as { status?: string; baseline_run_id?: string; candidate_run_id?: string } | null;
  if (!v || v.status !== "running" || !v.baseline_run_id || !v.candidate_run_id) return proposal;
  const [b, c] = await Promise.all([getRun(db, v.baseline_run_id), getRun(db, v.candidate_run_id)]);
  const finished = (r: typeof b) => r && (r.status === "completed" || r.status === "failed");
  if (!finished(b) || !finished(c)) return proposal;
  if (b!.status === "failed" || c!.status === "failed") {
    return (await setValidation(db, proposal.id, { ...v, status: "failed", error: b!.error ?? c!.error, completed_at: new Date().toISOString() })) ?? proposal;
  }
  const comparison = compareResults(await allResults(db, b!.id), await allResults(db, c!.id), b!.dataset === "replays" ? () => "replay" : splitCaseKind);
  const metricDeltas: Record<string, unknown> = { ...comparison.metrics };
  const validation = {
    ...v, status: "completed", paired_cases: comparison.paired_cases, metrics: metricDeltas, flips: comparison.flips,
    baseline_metrics: b!.metrics, candidate_metrics: c!.metrics, completed_at: new Date().toISOString(),
  };
  return (await setValidation(db, proposal.id, validation, "validated", "pending")) ?? (await getProposalRow(db, proposal.id));
}

// Finish validations as soon as their runs complete.
onRunCompleted(async (env, run) => {
  if (run.trigger !== "validation") return;
  for (const p of await proposalsValidatedBy(database(env.DB), run.id)) await finishValidation(env, p.id);
});
