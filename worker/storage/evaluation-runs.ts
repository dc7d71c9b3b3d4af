/**
 * Evaluation runs and their per-case results in D1 (`migrations/0008_evaluation_runs.sql`). A
 * batch's results are upserted by (run_id, case_id) and the run's counters recounted from the
 * results in the same D1 batch, so a redelivered queue message never counts a case twice; the
 * run is completed by one conditional UPDATE, so two last batches cannot both complete it.
 */
import { and, asc, count, desc, eq, gte, inArray, isNotNull, lt, ne, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import {
  documents, evaluationReplayCases, evaluationResults, evaluationRuns, type EvaluationReplayCaseRow, type EvaluationResultRow, type EvaluationRunRow,
} from "../db/schema";
import { ANSWER_CORPORA } from "../rag/eval/answers";
import type { CorpusName } from "../monitoring/datasets";

/** Status of a run. */
export type RunStatus = EvaluationRunRow["status"];

/** A new run's row (counters start at 0). */
export type NewEvaluationRun = Omit<EvaluationRunRow, "done" | "failed" | "metrics" | "error" | "startedAt" | "completedAt" | "clockOffsetMs" | "replayFilter">
  & { clockOffsetMs?: number; replayFilter?: EvaluationRunRow["replayFilter"] };

/** A case's result as the consumer writes it (`faithfulness` and `changed` may be left out: null). */
export type NewEvaluationResult = Omit<EvaluationResultRow, "faithfulness" | "changed"> & Partial<Pick<EvaluationResultRow, "faithfulness" | "changed">>;

/** A replayed question of a new replays run (its `runId` is the run's). */
export type NewReplayCase = Omit<EvaluationReplayCaseRow, "runId">;

/**
 * Inserts a new run, with the questions of a replays run, in one D1 batch (both or neither):
 * every batch of the run then reads the same questions.
 */
export async function insertRun(db: Database, run: NewEvaluationRun, replayCases: readonly NewReplayCase[] = []): Promise<void> {
  const statements: BatchItem<"sqlite">[] = [db.insert(evaluationRuns).values({ ...run, done: 0, failed: 0 })];
  // D1 binds at most 100 parameters per statement: 10 columns × 9 rows per INSERT.
  for (let i = 0; i < replayCases.length; i += 9) {
    statements.push(db.insert(evaluationReplayCases).values(replayCases.slice(i, i + 9).map((c) => ({ ...c, runId: run.id }))));
  }
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
}

/** Ids per `IN (…)` list: D1 binds at most 100 parameters per statement. */
const IDS_PER_QUERY = 90;

/** The replayed questions of a run (all, or those of `caseIds`), by case id. */
export async function replayCasesOf(db: Database, runId: string, caseIds?: readonly string[]): Promise<Map<string, EvaluationReplayCaseRow>> {
  const select = (ids?: readonly string[]) =>
    db.select().from(evaluationReplayCases).where(and(eq(evaluationReplayCases.runId, runId), ids ? inArray(evaluationReplayCases.caseId, [...ids]) : undefined)).all();
  const rows: EvaluationReplayCaseRow[] = [];
  if (!caseIds) rows.push(...(await select()));
  else for (let i = 0; i < caseIds.length; i += IDS_PER_QUERY) rows.push(...(await select(caseIds.slice(i, i + IDS_PER_QUERY))));
  return new Map(rows.map((r) => [r.caseId, r]));
}

/**
 * The completed run before `run` that evaluated the same dataset and corpus as it (created
 * earlier, newest first), leaving out validation runs (they evaluate versions as overrides, not
 * what was deployed); undefined when there is none.
 */
export async function previousComparableRun(db: Database, run: EvaluationRunRow): Promise<EvaluationRunRow | undefined> {
  return db
    .select()
    .from(evaluationRuns)
    .where(and(
      eq(evaluationRuns.status, "completed"),
      eq(evaluationRuns.dataset, run.dataset),
      run.corpus === null ? sql`${evaluationRuns.corpus} IS NULL` : eq(evaluationRuns.corpus, run.corpus),
      ne(evaluationRuns.trigger, "validation"),
      lt(evaluationRuns.createdAt, run.createdAt),
    ))
    .orderBy(desc(evaluationRuns.createdAt), desc(evaluationRuns.id))
    .limit(1)
    .get();
}

/** The run, or undefined. */
export async function getRun(db: Database, id: string): Promise<EvaluationRunRow | undefined> {
  return db.select().from(evaluationRuns).where(eq(evaluationRuns.id, id)).get();
}

/** A page of runs, newest first, optionally of one status. */
export async function listRuns(db: Database, opts: { status?: RunStatus; page: number; limit: number }): Promise<{ items: EvaluationRunRow[]; total: number }> {
  const where = opts.status ? eq(evaluationRuns.status, opts.status) : undefined;
  const [items, totals] = await Promise.all([
    db.select().from(evaluationRuns).where(where).orderBy(desc(evaluationRuns.createdAt), desc(evaluationRuns.id)).limit(opts.limit).offset((opts.page - 1) * opts.limit).all(),
    db.select({ n: count() }).from(evaluationRuns).where(where).get(),
  ]);
  return { items, total: totals?.n ?? 0 };
}

/** Marks a queued run as running (first batch picked up); no-op otherwise. */
export async function markRunning(db: Database, id: string, now: number): Promise<void> {
  await db.update(evaluationRuns).set({ status: "running", startedAt: now }).where(and(eq(evaluationRuns.id, id), eq(evaluationRuns.status, "queued")));
}

/** Ids among `caseIds` that already have a result in the run (a redelivered batch skips them). */
export async function existingResultIds(db: Database, runId: string, caseIds: readonly string[]): Promise<Set<string>> {
  if (caseIds.length === 0) return new Set();
  const rows = await db
    .select({ id: evaluationResults.caseId })
    .from(evaluationResults)
    .where(and(eq(evaluationResults.runId, runId), inArray(evaluationResults.caseId, [...caseIds])))
    .all();
  return new Set(rows.map((r) => r.id));
}

/**
 * Writes a batch's results (upsert on (run_id, case_id)) and recounts the run's `done` (cases
 * judged) and `failed` (turns that errored) from its results, in one D1 batch (one transaction).
 */
export async function recordBatchResults(db: Database, runId: string, results: readonly NewEvaluationResult[]): Promise<void> {
  if (results.length === 0) return;
  const statements: BatchItem<"sqlite">[] = results.map((r) => {
    const { runId: _r, caseId: _c, ...rest } = r;
    return db.insert(evaluationResults).values(r).onConflictDoUpdate({ target: [evaluationResults.runId, evaluationResults.caseId], set: rest });
  });
  const counted = (failed: boolean) =>
    sql`(SELECT count(*) FROM ${evaluationResults} WHERE ${evaluationResults.runId} = ${runId} AND ${evaluationResults.error} IS ${sql.raw(failed ? "NOT NULL" : "NULL")})`;
  statements.push(db.update(evaluationRuns).set({ done: counted(false), failed: counted(true) }).where(eq(evaluationRuns.id, runId)));
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
}

/** Every result of a run, in case order of storage. */
export async function allResults(db: Database, runId: string): Promise<EvaluationResultRow[]> {
  return db.select().from(evaluationResults).where(eq(evaluationResults.runId, runId)).orderBy(asc(evaluationResults.batchIndex), asc(evaluationResults.caseId)).all();
}

/**
 * A page of a run's results by batch and case id. `failedOnly` keeps the cases that errored or
 * failed a check of the judge (a non-empty problem list).
 */
export async function listResults(db: Database, runId: string, opts: { page: number; limit: number; failedOnly: boolean }): Promise<{ items: EvaluationResultRow[]; total: number }> {
  const where = and(
    eq(evaluationResults.runId, runId),
    opts.failedOnly ? or(isNotNull(evaluationResults.error), sql`${evaluationResults.problems} != '[]'`) : undefined,
  );
  const [items, totals] = await Promise.all([
    db.select().from(evaluationResults).where(where).orderBy(asc(evaluationResults.batchIndex), asc(evaluationResults.caseId)).limit(opts.limit).offset((opts.page - 1) * opts.limit).all(),
    db.select({ n: count() }).from(evaluationResults).where(where).get(),
  ]);
  return { items, total: totals?.n ?? 0 };
}

/**
 * Finishes a run exactly once: one conditional UPDATE (`WHERE status NOT IN ('completed',
 * 'failed')`). Returns the finished row when this call finished it, undefined when it was
 * already finished.
 */
export async function finishRun(
  db: Database,
  id: string,
  outcome: { status: "completed" | "failed"; metrics: Record<string, number | null> | null; error: string | null; at: number },
): Promise<EvaluationRunRow | undefined> {
  const rows = await db
    .update(evaluationRuns)
    .set({ status: outcome.status, metrics: outcome.metrics, error: outcome.error, completedAt: outcome.at, startedAt: sql`coalesce(${evaluationRuns.startedAt}, ${outcome.at})` })
    .where(and(eq(evaluationRuns.id, id), sql`${evaluationRuns.status} NOT IN ('completed', 'failed')`))
    .returning()
    .all();
  return rows[0];
}

/** The most recently completed run, or undefined. */
export async function latestCompletedRun(db: Database): Promise<EvaluationRunRow | undefined> {
  return db.select().from(evaluationRuns).where(eq(evaluationRuns.status, "completed")).orderBy(desc(evaluationRuns.completedAt), desc(evaluationRuns.id)).limit(1).get();
}

/** Completed runs whose completion is at or after `sinceMs`, oldest first (at most 1000). */
export async function completedRunsSince(db: Database, sinceMs: number): Promise<EvaluationRunRow[]> {
  return db
    .select()
    .from(evaluationRuns)
    .where(and(eq(evaluationRuns.status, "completed"), gte(evaluationRuns.completedAt, sinceMs)))
    .orderBy(asc(evaluationRuns.completedAt), asc(evaluationRuns.id))
    .limit(1000)
    .all();
}

/** The evaluation set's corpora that have at least one page in the knowledge base. */
export async function corporaInKnowledgeBase(db: Database): Promise<CorpusName[]> {
  const present: CorpusName[] = [];
  for (const [name, folder] of Object.entries(ANSWER_CORPORA) as [CorpusName, string][]) {
    const row = await db
      .select({ id: documents.id })
      .from(documents)
      .where(and(gte(documents.source, `${folder}/`), sql`${documents.source} < ${`${folder}0`}`))
      .limit(1)
      .get();
    if (row) present.push(name);
  }
  return present;
}
