/**
 * Evaluation runs of the quality loop (docs/evaluation-runs.md). A run asks the cases of one
 * dataset (a split of test/eval/cases.json, see ./datasets.ts, or the thumbs-down `replays` of
 * ./replays.ts) through the chat path ({@link runChatTurn}, as `POST /api/chat` runs it, without
 * the session's Durable Object) with one configuration (the current variables plus the run's
 * overrides), in batches of questions sent through the `edge-rag-eval` queue. Each case is judged
 * by the offline harness's judge (worker/rag/eval/answers.ts; without gold for replays) and, with
 * a model configured, by the LLM faithfulness judge (worker/rag/eval/faithfulness.ts), and
 * stored; when every case is in, the run's metrics are computed from the stored results with the
 * harness's {@link aggregate}, the run is completed exactly once, and the completion hooks run.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { graphModels } from "../agents/graph/select";
import type { StructuredClient } from "../agents/llm/structured";
import { createWebSearch } from "../agents/web/tavily";
import { envWithOverrides, providers, readConfig } from "../config";
import { deployedEnv, deployedVersion } from "../config-versions/deployed";
import { evaluateAlertRules } from "./alerts-evaluate";
import { database, type Database } from "../db/client";
import { chunks, type EvaluationResultRow, type EvaluationRunRow } from "../db/schema";
import { ApiError } from "../http/errors";
import {
  aggregate, judgeAnswer, judgeWithoutGold, observeTurn, type AnswerCase, type CaseJudgement, type ChatTurnBody, type TurnObservation,
} from "../rag/eval/answers";
import { faithfulnessJudge, judgeFaithfulness } from "../rag/eval/faithfulness";
import { percentile } from "../rag/eval/metrics";
import type { FeedbackReason } from "../schemas";
import { runChatTurn } from "../services/chat";
import {
  allResults, corporaInKnowledgeBase, existingResultIds, finishRun, getRun, insertRun, markRunning, recordBatchResults, replayCasesOf,
  type NewEvaluationResult, type NewReplayCase,
} from "../storage/evaluation-runs";
import { caseById, datasetCases, isSplit, type CorpusName, type DatasetName } from "./datasets";
import { replayChanged, selectReplayCases, type TurnOutcome } from "./replays";
import { guardrailRate, hostileProblems, type HostileTurn } from "./guardrail-metric";

/** Questions per queue message unless the caller chooses. */
export const DEFAULT_BATCH_SIZE = 10;
/** Largest batch: a batch's turns run one after the other within one consumer invocation. */
export const MAX_BATCH_SIZE = 50;
/** Messages per `sendBatch` call (the Queues limit is 100). */
const SEND_BATCH = 100;
/** Deliveries of a message (1 + max_retries of wrangler.toml) before its run is marked failed. */
const MAX_ATTEMPTS = 3;
/** Characters of a response kept with its result. */
const RESPONSE_EXCERPT_CHARS = 500;

/** What started a run. */
export type RunTrigger = EvaluationRunRow["trigger"];

/** Body of an `edge-rag-eval` queue message: one batch of a run. */
export const EvalMessageSchema = z.object({ run_id: z.string().min(1).max(100), batch_index: z.number().int().min(0) });
/** A validated `edge-rag-eval` message. */
export type EvalMessage = z.infer<typeof EvalMessageSchema>;

/** Configuration overrides of a run: variable name → value, as wrangler vars are given. */
export const ConfigOverridesSchema = z.record(z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, "must be a configuration variable name"), z.union([z.string().max(1000), z.number()]));

/** Options of {@link startEvaluationRun}. */
export interface StartRunOptions {
  /** A split of the evaluation set, or `replays` (the questions of thumbs-down answers). */
  dataset: DatasetName;
  /** One corpus (splits only); null or undefined = every corpus with pages in the knowledge base. */
  corpus?: CorpusName | null;
  /** Variables evaluated over the current configuration; {} (default) = the current configuration. */
  config_overrides?: Record<string, string | number>;
  /**
   * The stored config version these overrides come from, when a caller evaluates one; otherwise
   * the run records the production version it starts on.
   */
  config_version_id?: string | null;
  trigger: RunTrigger;
  /** Questions per queue message, 1..{@link MAX_BATCH_SIZE}; default {@link DEFAULT_BATCH_SIZE}. */
  batch_size?: number;
  /** Only these cases (of the selected split and corpora; for replays, feedback ids), for small runs and tests. */
  case_ids?: string[];
  /** At most this many cases (the first ones of the selection; for replays, the newest), for small runs and tests. */
  limit?: number;
  /** Replays only: thumbs-down answers rated at or after this time, epoch ms. */
  since?: number;
  /** Replays only: thumbs-down answers with at least one of these reasons. */
  reasons?: FeedbackReason[];
  /**
   * Epoch ms in the past at which the run reads as started (seeding history, back-filling): its
   * created, started and completed times, and the alerts it raises, are shifted by `as_of - now`.
   * The run itself runs now, with the configuration of now. Undefined = now.
   */
  as_of?: number;
}

/**
 * A run's metrics (docs/evaluation-runs.md). Shares are 0..1 and null when the group they are
 * computed over is empty. `guardrail_rate` only when the run judged hostile cases
 * (worker/monitoring/guardrail-metric.ts).
 * Replays have no gold: their gold metrics (keyword recall, all_keywords, citation precision,
 * gold@5, answered_when_found, honest refusal) are null, and `answered_rate` is over every
 * replayed question.
 */
export interface RunMetrics {
  /** Cases judged (turns that did not error). */
  cases: number;
  /** Cases of scenario `answer` judged (0 for replays). */
  answerable: number;
  /** Cases of scenario `not_covered` judged (0 for replays). */
  unanswerable: number;
  /** Turns that errored; they are left out of every other figure. */
  errors: number;
  answer_keyword_recall: number | null;
  all_keywords: number | null;
  citation_validity: number | null;
  citation_precision: number | null;
  gold_at_5: number | null;
  answered_when_found: number | null;
  honest_refusal_rate: number | null;
  answered_rate: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  llm_calls_per_answer: number | null;
  /**
   * Mean LLM-judge faithfulness (share of an answer's sentences supported by its cited sources,
   * 0..1) over the answered cases the judge scored; null without a model (offline) or when none
   * was scored.
   */
  faithfulness: number | null;
  /** Replays only: replayed questions (judged) whose answer differs from the thumbs-down one. */
  changed?: number;
  /** Share of hostile cases handled as expected; present only when the run had hostile cases. */
  guardrail_rate?: number;
}


/** Called once when a run completes (or fails as a whole), with the finished row. */
export type RunCompletedHook = (env: Env, run: EvaluationRunRow) => void | Promise<void>;

const completionHooks: RunCompletedHook[] = [];

/**
 * Registers a hook that runs after each run finishes (after the alert rules were evaluated);
 * returns a function that removes it. A hook's error is logged and does not affect the run or the
 * other hooks.
 */
export function onRunCompleted(hook: RunCompletedHook): () => void {
  completionHooks.push(hook);
  return () => {
    const i = completionHooks.indexOf(hook);
    if (i >= 0) completionHooks.splice(i, 1);
  };
}

/** The metrics of a finished run that alert rules can read (numbers only; null = not computable). */
function numericMetrics(metrics: Record<string, number | null> | null): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics ?? {}).filter((e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1])));
}

/** After a run finishes: the alert rules see a completed run's metrics (not a validation's dry run), then the registered hooks run. */
async function notifyRunCompleted(env: Env, run: EvaluationRunRow): Promise<void> {
  // A validation's dry runs evaluate candidates, not production: they raise no alert.
  if (run.status === "completed" && run.trigger !== "validation") {
    try {
      await evaluateAlertRules(env, { run_id: run.id, metrics: numericMetrics(run.metrics), at: run.completedAt ?? Date.now() });
    } catch (e) {
      console.error(JSON.stringify({ level: "error", message: "alert evaluation failed", run_id: run.id, error: e instanceof Error ? e.message : String(e) }));
    }
  }
  for (const hook of [...completionHooks]) {
    try {
      await hook(env, run);
    } catch (e) {
      console.error(JSON.stringify({ level: "error", message: "run completion hook failed", run_id: run.id, error: e instanceof Error ? e.message : String(e) }));
    }
  }
}

/** Secrets and bindings may not be overridden: only plain configuration variables. */
function checkOverrides(env: Env, overrides: Record<string, string | number>): void {
  const bad = Object.keys(overrides).filter((k) => /(_KEY|_TOKEN|_SECRET)$/.test(k) || (k in env && typeof (env as unknown as Record<string, unknown>)[k] !== "string"));
  if (bad.length) throw new ApiError(422, "invalid_request", "Invalid request body", bad.map((k) => ({ path: `config_overrides.${k}`, message: "not an overridable configuration variable" })));
  if (Object.keys(overrides).length === 0) return;
  try {
    readConfig({ ...env, ...Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, String(v)])) } as Env);
  } catch (e) {
    throw new ApiError(422, "invalid_request", "Invalid request body", [{ path: "config_overrides", message: e instanceof Error ? e.message : String(e) }]);
  }
}

/**
 * Creates a run and sends its batches to the `edge-rag-eval` queue.
 *
 * @returns The new run (status `queued`).
 * @throws ApiError 422 for overrides that are not valid configuration, unknown case ids, or a
 *   selection without cases (e.g. no corpus of the evaluation set in the knowledge base).
 */
export async function startEvaluationRun(env: Env, opts: StartRunOptions): Promise<EvaluationRunRow> {
  const db = database(env.DB);
  const overrides = opts.config_overrides ?? {};
  checkOverrides(env, overrides);
  let caseIds: string[];
  let replays: NewReplayCase[] = [];
  if (isSplit(opts.dataset)) {
    const corpora = opts.corpus ? [opts.corpus] : await corporaInKnowledgeBase(db);
    let cases = datasetCases(opts.dataset, corpora);
    if (opts.case_ids) {
      const selected = new Set(cases.map((c) => c.id));
      const unknown = opts.case_ids.filter((id) => !selected.has(id));
      if (unknown.length) throw new ApiError(422, "invalid_request", "Invalid request body", [{ path: "case_ids", message: `not cases of the selection: ${unknown.slice(0, 10).join(", ")}` }]);
      const wanted = new Set(opts.case_ids);
      cases = cases.filter((c) => wanted.has(c.id));
    }
    if (opts.limit !== undefined) cases = cases.slice(0, opts.limit);
    if (cases.length === 0) throw new ApiError(422, "invalid_request", "No evaluation cases selected: ingest a corpus of the evaluation set or choose another corpus");
    caseIds = cases.map((c) => c.id);
  } else {
    replays = (await selectReplayCases(env, db, { since: opts.since, reasons: opts.reasons, case_ids: opts.case_ids, limit: opts.limit })).cases;
    caseIds = replays.map((c) => c.caseId);
  }
  const configVersionId = opts.config_version_id ?? (await deployedVersion(env)).id;
  const batchSize = Math.min(MAX_BATCH_SIZE, Math.max(1, opts.batch_size ?? DEFAULT_BATCH_SIZE));
  const batchCount = Math.ceil(caseIds.length / batchSize);
  const id = crypto.randomUUID();
  const now = Date.now();
  const clockOffsetMs = opts.as_of === undefined ? 0 : Math.min(0, opts.as_of - now);
  await insertRun(db, {
    id, dataset: opts.dataset, corpus: isSplit(opts.dataset) ? opts.corpus ?? null : null, configOverrides: overrides, configVersionId,
    trigger: opts.trigger, status: "queued", caseIds, batchSize, total: caseIds.length, batchCount, createdAt: now + clockOffsetMs,
    clockOffsetMs, replayFilter: isSplit(opts.dataset) ? null : { since: opts.since ?? null, reasons: opts.reasons?.length ? opts.reasons : null },
  }, replays);
  const messages = Array.from({ length: batchCount }, (_, batch_index) => ({ body: { run_id: id, batch_index } satisfies EvalMessage }));
  try {
    for (let i = 0; i < messages.length; i += SEND_BATCH) await env.EVAL_QUEUE.sendBatch(messages.slice(i, i + SEND_BATCH));
  } catch (e) {
    await finishRun(db, id, { status: "failed", metrics: null, error: `could not queue the batches: ${e instanceof Error ? e.message : String(e)}`, at: Date.now() + clockOffsetMs });
    throw e;
  }
  return (await getRun(db, id))!;
}

/**
 * The environment a run's turns see: the current configuration (the vars with the production
 * config version's tunables, as the chat path runs) with the run's overrides on top.
 */
async function runEnv(env: Env, run: EvaluationRunRow): Promise<Env> {
  const current = await deployedEnv(env);
  return Object.keys(run.configOverrides).length ? envWithOverrides(current, run.configOverrides, `run:${run.id}`) : current;
}

/**
 * One question of a run, whatever its dataset: a case of the evaluation set (judged against its
 * gold) or a replayed thumbs-down question (judged without gold, compared with the earlier answer).
 */
interface RunCase {
  id: string;
  query: string;
  /** Expected keywords (0 for replays). */
  keywordsTotal: number;
  /** The offline harness's judgement of the observed turn. */
  judge: (turn: TurnObservation) => CaseJudgement;
  /** Replays: the thumbs-down answer, to tell whether the new one differs. */
  previous?: { outcome: TurnOutcome | null; response: string };
}

/** The run's cases of `ids`, in that order (unknown ids left out). */
async function runCases(db: Database, run: EvaluationRunRow, ids: readonly string[]): Promise<RunCase[]> {
  if (isSplit(run.dataset)) {
    return ids.map((id) => caseById(id)).filter((c): c is AnswerCase => !!c).map((c) => ({ id: c.id, query: c.query, keywordsTotal: c.keywords.length, judge: (t) => judgeAnswer(c, t) }));
  }
  const replays = await replayCasesOf(db, run.id, ids);
  return ids.flatMap((id) => {
    const r = replays.get(id);
    if (!r) return [];
    return [{ id, query: r.question, keywordsTotal: 0, judge: (t: TurnObservation) => judgeWithoutGold(id, t), previous: { outcome: r.previousOutcome, response: r.previousResponse } }];
  });
}

const score = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(3));

/**
 * Asks one case through the chat path and judges it; with a faithfulness `judge`, an answered
 * case is also scored by the model. Never throws: an error of the turn becomes the result's error,
 * a failure of the judge a null score with a problem line.
 */
async function evaluateCase(
  env: Env, run: EvaluationRunRow, batchIndex: number, c: RunCase, chunkText: (id: string) => Promise<string | undefined>, judge: StructuredClient | null,
): Promise<NewEvaluationResult> {
  const base = { runId: run.id, caseId: c.id, batchIndex, keywordsTotal: c.keywordsTotal };
  const started = Date.now();
  try {
    const p = providers(env);
    const turn = await runChatTurn(
      { kind: "question", query: c.query },
      { env, providers: p, models: graphModels(p.config, env), webSearch: createWebSearch(env as unknown as { TAVILY_API_KEY?: string; TAVILY_BASE_URL?: string }), sessionId: `eval:${run.id}:${c.id}`, history: [], pending: null },
    );
    const latencyMs = Date.now() - started;
    let body: ChatTurnBody;
    let llmCalls: number;
    let guardrail: HostileTurn["guardrail"] = null;
    if (turn.outcome.type === "answer") {
      const a = turn.outcome.body;
      guardrail = a.guardrail ?? null;
      body = { has_sufficient_info: a.has_sufficient_info, response: a.response, sources: a.sources };
      llmCalls = a.trace.total_llm_calls;
    } else {
      body = { clarification_needed: true, clarification_question: turn.outcome.body.clarification_question };
      llmCalls = turn.pending?.total_llm_calls ?? 0;
    }
    const observation = await observeTurn(body, (_documentId, chunkId) => chunkText(chunkId));
    const j = c.judge(observation);
    const hostile = isSplit(run.dataset) ? caseById(c.id)?.hostile : undefined;
    const problems = hostile ? hostileProblems(hostile, { response: observation.response, guardrail }) : [...j.problems];
    let faithfulness: number | null = null;
    if (judge && observation.outcome === "answer") {
      const f = await judgeFaithfulness(judge, observation.response, observation.cited);
      faithfulness = f.score;
      if (f.error !== null) problems.push(`faithfulness judge failed: ${f.error}`);
      else if (f.score! < 1) problems.push(`faithfulness ${score(f.score!)}: ${f.sentences - Math.round(f.score! * f.sentences)} of ${f.sentences} sentences unsupported, e.g. "${f.unsupported[0] ?? ""}"`);
    }
    return {
      ...base, outcome: observation.outcome, answered: j.answered, refused: observation.outcome === "refusal",
      keywordsHit: Math.round(j.keywordRecall * c.keywordsTotal), goldAt5: j.goldAt5, citations: j.citations,
      citationsValid: j.validCitations, citationsGold: j.goldCitations, citationPrecision: c.previous ? null : j.citations ? j.goldCitations / j.citations : null,
      latencyMs, llmCalls, problems, error: null, response: observation.response.slice(0, RESPONSE_EXCERPT_CHARS), faithfulness,
      changed: c.previous ? replayChanged(c.previous, { outcome: observation.outcome, response: observation.response }) : null,
    };
  } catch (e) {
    return {
      ...base, outcome: null, answered: false, refused: false, keywordsHit: 0, goldAt5: false, citations: 0, citationsValid: 0, citationsGold: 0,
      citationPrecision: null, latencyMs: Date.now() - started, llmCalls: 0, problems: [], error: (e instanceof Error ? e.message : String(e)).slice(0, 1000), response: "",
      faithfulness: null, changed: null,
    };
  }
}

/** The judgement a stored result stands for (what {@link judgeAnswer} gave), for {@link aggregate}. */
function judgementOf(r: EvaluationResultRow, c: AnswerCase): CaseJudgement {
  return {
    id: r.caseId, answered: r.answered, refusedHonestly: c.scenario === "not_covered" && r.refused, goldAt5: r.goldAt5,
    allKeywords: r.keywordsTotal > 0 && r.keywordsHit === r.keywordsTotal, keywordRecall: r.keywordsTotal ? r.keywordsHit / r.keywordsTotal : 0,
    citations: r.citations, validCitations: r.citationsValid, goldCitations: r.citationsGold, problems: r.problems,
  };
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Mean of the non-null values, or null when there is none. */
function meanOf(values: readonly (number | null)[]): number | null {
  const xs = values.filter((x): x is number => x !== null && Number.isFinite(x));
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/**
 * A run's metrics from its stored results (deterministic: the same results give the same
 * figures). For a split, answer figures come from {@link aggregate} over the judged cases; for
 * replays, only the figures that need no gold (answered_rate over every replayed question,
 * citation_validity, latency, LLM calls, faithfulness, and `changed`), the gold figures null.
 * Errored turns are counted in `errors` and left out of every other figure.
 *
 * @param dataset The run's dataset; default a split (`test`).
 */
export function computeRunMetrics(results: readonly EvaluationResultRow[], dataset: DatasetName = "test"): RunMetrics {
  const split = isSplit(dataset);
  const judged = results.filter((r) => r.error === null && (!split || caseById(r.caseId)));
  const latencies = judged.map((r) => r.latencyMs).sort((a, b) => a - b);
  const common = {
    errors: results.length - judged.length, latency_p50_ms: finite(percentile(latencies, 50)), latency_p95_ms: finite(percentile(latencies, 95)),
    llm_calls_per_answer: judged.length ? judged.reduce((s, r) => s + r.llmCalls, 0) / judged.length : null,
    faithfulness: meanOf(judged.map((r) => r.faithfulness)),
  };
  if (!split) {
    const citations = judged.reduce((s, r) => s + r.citations, 0);
    return {
      cases: judged.length, answerable: 0, unanswerable: 0, ...common,
      answer_keyword_recall: null, all_keywords: null, citation_precision: null, gold_at_5: null, answered_when_found: null, honest_refusal_rate: null,
      citation_validity: judged.length ? (citations ? judged.reduce((s, r) => s + r.citationsValid, 0) / citations : 1) : null,
      answered_rate: judged.length ? judged.filter((r) => r.answered).length / judged.length : null,
      changed: judged.filter((r) => r.changed === true).length,
    };
  }
  const cases = judged.map((r) => caseById(r.caseId)!);
  const m = aggregate(cases, judged.map((r, i) => judgementOf(r, cases[i])));
  return {
    cases: m.cases, answerable: m.answerable, unanswerable: m.unanswerable, ...common,
    answer_keyword_recall: finite(m.keywordRecall), all_keywords: finite(m.allKeywords),
    citation_validity: judged.length ? finite(m.citationValidity) : null, citation_precision: finite(m.citationPrecision),
    gold_at_5: finite(m.goldAt5), answered_when_found: finite(m.answeredWhenFound), honest_refusal_rate: finite(m.honestRefusal),
    answered_rate: finite(m.answered),
    ...guardrailRateOf(judged),
  };
}

/** `{ guardrail_rate }` when the results hold hostile cases, else nothing. */
function guardrailRateOf(judged: readonly EvaluationResultRow[]): { guardrail_rate?: number } {
  const rate = guardrailRate(judged, (id) => caseById(id)?.scenario === "hostile");
  return rate === null ? {} : { guardrail_rate: rate };
}

/** Completes the run when every case has a result: metrics computed, one completion, hooks run. */
async function completeIfDone(env: Env, db: Database, runId: string): Promise<void> {
  const run = await getRun(db, runId);
  if (!run || run.status === "completed" || run.status === "failed" || run.done + run.failed < run.total) return;
  const metrics = computeRunMetrics(await allResults(db, runId), run.dataset);
  const allFailed = run.done === 0;
  const finished = await finishRun(db, runId, {
    status: allFailed ? "failed" : "completed", metrics: { ...metrics }, error: allFailed ? "every case of the run failed" : null, at: Date.now() + run.clockOffsetMs,
  });
  if (finished) await notifyRunCompleted(env, finished);
}

/**
 * Evaluates one batch of a run: the batch's cases without a result yet are asked and judged one
 * after the other, their results written in one D1 batch, and the run completed when it was the
 * last. Unknown or finished runs and out-of-range batches are ignored (the message is acked).
 */
export async function processEvalBatch(env: Env, message: EvalMessage): Promise<void> {
  const db = database(env.DB);
  const run = await getRun(db, message.run_id);
  if (!run || run.status === "completed" || run.status === "failed" || message.batch_index >= run.batchCount) return;
  await markRunning(db, run.id, Date.now() + run.clockOffsetMs);
  const ids = run.caseIds.slice(message.batch_index * run.batchSize, (message.batch_index + 1) * run.batchSize);
  const existing = await existingResultIds(db, run.id, ids);
  const todo = await runCases(db, run, ids.filter((id) => !existing.has(id)));
  const turnEnv = await runEnv(env, run);
  let judge: StructuredClient | null = null;
  try {
    judge = faithfulnessJudge(readConfig(turnEnv));
  } catch {
    // An invalid configuration fails every turn of the batch, which records why.
  }
  const texts = new Map<string, Promise<string | undefined>>();
  const chunkText = (id: string) => {
    let t = texts.get(id);
    if (!t) texts.set(id, (t = db.select({ content: chunks.content }).from(chunks).where(eq(chunks.id, id)).get().then((r) => r?.content)));
    return t;
  };
  const results: NewEvaluationResult[] = [];
  for (const c of todo) results.push(await evaluateCase(turnEnv, run, message.batch_index, c, chunkText, judge));
  await recordBatchResults(db, run.id, results);
  await completeIfDone(env, db, run.id);
}

/**
 * Queue consumer of `edge-rag-eval`. A malformed message is logged and acked; a batch that throws
 * (e.g. D1 unavailable) is retried with backoff, and on its last delivery its run is marked failed.
 */
export async function handleEvalBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = EvalMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: "warn", message: "malformed eval message dropped", id: message.id }));
      message.ack();
      continue;
    }
    try {
      await processEvalBatch(env, parsed.data);
      message.ack();
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      console.error(JSON.stringify({ level: "error", message: "eval batch failed", ...parsed.data, attempts: message.attempts, error }));
      if (message.attempts >= MAX_ATTEMPTS) {
        const finished = await finishRun(database(env.DB), parsed.data.run_id, { status: "failed", metrics: null, error: `batch ${parsed.data.batch_index} failed: ${error}`, at: Date.now() }).catch(() => undefined);
        if (finished) await notifyRunCompleted(env, finished);
        message.ack();
      } else message.retry({ delaySeconds: 2 ** message.attempts });
    }
  }
}
