/**
 * Evaluation runs under `/api/meta-monitoring` (docs/evaluation-runs.md): start a run (admin) of
 * a split or of the thumbs-down replays, list runs, a run with its progress and metrics, its
 * per-case results (for replays with the earlier and the new answer), the latest metrics, and a
 * metric's trend over completed runs.
 */
import { Hono } from "hono";
import { z } from "zod";
import { database } from "../db/client";
import type { EvaluationReplayCaseRow, EvaluationResultRow, EvaluationRunRow } from "../db/schema";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";
import { caseById, CORPUS_NAMES, DATASET_NAMES } from "../monitoring/datasets";
import { METRIC_NAMES } from "../monitoring/alerts-metrics";
import { MAX_REPLAY_CASES } from "../monitoring/replays";
import { ConfigOverridesSchema, MAX_BATCH_SIZE, startEvaluationRun } from "../monitoring/runs";
import { FeedbackReasonSchema } from "../schemas";
import { completedRunsSince, getRun, latestCompletedRun, listResults, listRuns, replayCasesOf } from "../storage/evaluation-runs";
import { iso } from "../db/time";

/**
 * Body of `POST /api/meta-monitoring/control/evaluate`. `corpus` applies to the splits only;
 * `since` and `reasons` to `replays` only (422 otherwise). For replays, `case_ids` are feedback
 * ids and `limit` keeps the newest thumbs-down answers.
 */
export const EvaluateRequestSchema = z
  .object({
    dataset: z.enum(DATASET_NAMES),
    /** Splits only: one corpus of the evaluation set; absent or null = every corpus in the knowledge base. */
    corpus: z.enum(CORPUS_NAMES).nullable().optional(),
    config_overrides: ConfigOverridesSchema.optional(),
    batch_size: z.number().int().min(1).max(MAX_BATCH_SIZE).optional(),
    /** Only these cases of the selection (small runs). */
    case_ids: z.array(z.string().min(1).max(100)).min(1).max(500).optional(),
    /** At most this many cases of the selection. */
    limit: z.number().int().min(1).max(1000).optional(),
    /** Past time the run reads as started at (seeding history, back-filling), within the last 90 days. */
    as_of: z.iso.datetime({ offset: true }).optional(),
    /** Replays only: thumbs-down answers rated at or after this time (ISO 8601). */
    since: z.iso.datetime({ offset: true }).optional(),
    /** Replays only: thumbs-down answers with at least one of these reasons. */
    reasons: z.array(FeedbackReasonSchema).min(1).max(4).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.dataset === "replays") {
      if (b.corpus) ctx.addIssue({ code: "custom", path: ["corpus"], message: "corpus applies to the test and dev splits, not to replays" });
      if (b.limit !== undefined && b.limit > MAX_REPLAY_CASES) ctx.addIssue({ code: "custom", path: ["limit"], message: `a replays run asks at most ${MAX_REPLAY_CASES} questions` });
    } else {
      for (const key of ["since", "reasons"] as const) {
        if (b[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `${key} applies to the replays dataset only` });
      }
    }
  })
  .refine((b) => !b.as_of || (Date.parse(b.as_of) <= Date.now() && Date.parse(b.as_of) >= Date.now() - MAX_AS_OF_AGE_MS), {
    path: ["as_of"],
    message: "as_of must be in the past, at most 90 days ago",
  });

/** Oldest `as_of` of a run, ms before now. */
const MAX_AS_OF_AGE_MS = 90 * 24 * 3600_000;

const Page = { page: z.coerce.number().int().min(1).default(1), limit: z.coerce.number().int().min(1).max(100).default(20) };
const ListRunsQuerySchema = z.object({ status: z.enum(["queued", "running", "completed", "failed"]).optional(), ...Page });
const ResultsQuerySchema = z.object({ ...Page, failed_only: z.enum(["true", "false", "1", "0"]).optional() });
const TIMEFRAMES = { "24h": 24 * 3600_000, "7d": 7 * 24 * 3600_000, "30d": 30 * 24 * 3600_000 } as const;
const TrendsQuerySchema = z.object({ metric: z.enum(METRIC_NAMES), timeframe: z.enum(["24h", "7d", "30d"]).default("7d") });


/** A run as the API shows it. */
export function runBody(r: EvaluationRunRow) {
  return {
    id: r.id, dataset: r.dataset, corpus: r.corpus, config_overrides: r.configOverrides, config_version_id: r.configVersionId, trigger: r.trigger,
    status: r.status, total: r.total, done: r.done, failed: r.failed, progress: r.total ? (r.done + r.failed) / r.total : 1,
    batch_count: r.batchCount, batch_size: r.batchSize, metrics: r.metrics, error: r.error,
    created_at: iso(r.createdAt), started_at: iso(r.startedAt), completed_at: iso(r.completedAt),
    /** True for a run started with `as_of`: its times are shifted into the past. */
    backfilled: r.clockOffsetMs !== 0,
    /** Replays: the thumbs-down filter (`since` ISO 8601 or null, `reasons` or null); null for the splits. */
    replay_filter: r.replayFilter ? { since: iso(r.replayFilter.since), reasons: r.replayFilter.reasons } : null,
  };
}

/**
 * A case's result as the API shows it: the question asked, the judgement, the LLM judge's
 * `faithfulness` (0..1, null when not judged) and the first 500 characters of the response.
 * For a replayed thumbs-down question (`replay`), also the earlier answer's excerpt and outcome,
 * the rating's reasons, comment, session, message and time, and `changed` (the new answer differs).
 */
export function resultBody(r: EvaluationResultRow, replay?: EvaluationReplayCaseRow) {
  return {
    case_id: r.caseId, question: replay?.question ?? caseById(r.caseId)?.query ?? null, batch_index: r.batchIndex, outcome: r.outcome, answered: r.answered,
    refused: r.refused, keywords_hit: r.keywordsHit, keywords_total: r.keywordsTotal, gold_at_5: r.goldAt5, citations: r.citations,
    citations_valid: r.citationsValid, citations_gold: r.citationsGold, citation_precision: r.citationPrecision, faithfulness: r.faithfulness,
    latency_ms: r.latencyMs, llm_calls: r.llmCalls, problems: r.problems, error: r.error, response: r.response,
    ...(replay
      ? {
        changed: r.changed,
        previous: {
          outcome: replay.previousOutcome, response: replay.previousResponse, reasons: replay.reasons, comment: replay.comment,
          rated_at: iso(replay.ratedAt), session_id: replay.sessionId, message_id: replay.messageId,
        },
      }
      : {}),
  };
}

export const monitoringRunsRoute = new Hono<AppEnv>()
  .post("/control/evaluate", validate("json", EvaluateRequestSchema), async (c) => {
    const { as_of, since, ...body } = c.req.valid("json");
    const run = await startEvaluationRun(c.env, {
      ...body, as_of: as_of === undefined ? undefined : Date.parse(as_of), since: since === undefined ? undefined : Date.parse(since), trigger: "manual",
    });
    return c.json(runBody(run), 202);
  })
  .get("/runs", validate("query", ListRunsQuerySchema), async (c) => {
    const { status, page, limit } = c.req.valid("query");
    const { items, total } = await listRuns(database(c.env.DB), { status, page, limit });
    return c.json({ runs: items.map(runBody), page, limit, total });
  })
  .get("/runs/:id", async (c) => {
    const run = await getRun(database(c.env.DB), c.req.param("id"));
    if (!run) throw new ApiError(404, "not_found", "Evaluation run not found");
    return c.json(runBody(run));
  })
  .get("/runs/:id/results", validate("query", ResultsQuerySchema), async (c) => {
    const db = database(c.env.DB);
    const run = await getRun(db, c.req.param("id"));
    if (!run) throw new ApiError(404, "not_found", "Evaluation run not found");
    const { page, limit, failed_only } = c.req.valid("query");
    const { items, total } = await listResults(db, run.id, { page, limit, failedOnly: failed_only === "true" || failed_only === "1" });
    const replays = run.dataset === "replays" ? await replayCasesOf(db, run.id, items.map((r) => r.caseId)) : new Map<string, EvaluationReplayCaseRow>();
    return c.json({ run_id: run.id, dataset: run.dataset, results: items.map((r) => resultBody(r, replays.get(r.caseId))), page, limit, total });
  })
  .get("/metrics/latest", async (c) => {
    const run = await latestCompletedRun(database(c.env.DB));
    if (!run) throw new ApiError(404, "not_found", "No completed evaluation run yet");
    return c.json({ run_id: run.id, completed_at: iso(run.completedAt), dataset: run.dataset, corpus: run.corpus, config_version_id: run.configVersionId, metrics: run.metrics });
  })
  .get("/metrics/trends", validate("query", TrendsQuerySchema), async (c) => {
    const { metric, timeframe } = c.req.valid("query");
    const runs = await completedRunsSince(database(c.env.DB), Date.now() - TIMEFRAMES[timeframe]);
    const points = runs.map((r) => ({ run_id: r.id, at: iso(r.completedAt), value: r.metrics?.[metric] ?? null }));
    return c.json({ metric, timeframe, points });
  });
