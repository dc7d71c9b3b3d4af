/**
 * Evaluation runs of the quality loop (docs/evaluation-runs.md). A run asks the cases of one
 * dataset split (test/eval/cases.json, see ./datasets.ts) through the chat path
 * ({@link runChatTurn}, as `POST /api/chat` runs it, without the session's Durable Object) with
 * one configuration (the current variables plus the run's overrides), in batches of questions sent
 * through the `edge-rag-eval` queue. Each case is judged by the offline harness's judge
 * (worker/rag/eval/answers.ts) and stored; when every case is in, the run's metrics are computed
 * from the stored results with the harness's {@link aggregate}, the run is completed exactly once,
 * and the completion hooks run.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { graphModels } from "../agents/graph/select";
import { createWebSearch } from "../agents/web/tavily";
import { envWithOverrides, providers, readConfig } from "../config";
import { deployedEnv } from "../config-versions/deployed";
import { evaluateAlertRules } from "./alerts-evaluate";
import { database, type Database } from "../db/client";
import { chunks, type EvaluationResultRow, type EvaluationRunRow } from "../db/schema";
import { ApiError } from "../http/errors";
import { aggregate, judgeAnswer, observeTurn, type AnswerCase, type CaseJudgement, type ChatTurnBody } from "../rag/eval/answers";
import { percentile } from "../rag/eval/metrics";
import { runChatTurn } from "../services/chat";
import {
  allResults, corporaInKnowledgeBase, existingResultIds, finishRun, getRun, insertRun, markRunning, recordBatchResults,
  type NewEvaluationResult,
} from "../storage/evaluation-runs";
import { caseById, datasetCases, type CorpusName, type DatasetName } from "./datasets";

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
  dataset: DatasetName;
  /** One corpus; null or undefined = every corpus with pages in the knowledge base. */
  corpus?: CorpusName | null;
  /** Variables evaluated over the current configuration; {} (default) = the current configuration. */
  config_overrides?: Record<string, string | number>;
  /** The stored config version these overrides come from, when a caller evaluates one. */
  config_version_id?: string | null;
  trigger: RunTrigger;
  /** Questions per queue message, 1..{@link MAX_BATCH_SIZE}; default {@link DEFAULT_BATCH_SIZE}. */
  batch_size?: number;
  /** Only these cases (of the selected split and corpora), for small runs and tests. */
  case_ids?: string[];
  /** At most this many cases (the first ones of the selection), for small runs and tests. */
  limit?: number;
  /**
   * Epoch ms in the past at which the run reads as started (seeding history, back-filling): its
   * created, started and completed times, and the alerts it raises, are shifted by `as_of - now`.
   * The run itself runs now, with the configuration of now. Undefined = now.
   */
  as_of?: number;
}

/**
 * A run's metrics (docs/evaluation-runs.md). Shares are 0..1 and null when the group they are
 * computed over is empty. No `guardrail_rate`: the evaluation set has no hostile inputs yet.
 */
export interface RunMetrics {
  /** Cases judged (turns that did not error). */
  cases: number;
  answerable: number;
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

/** After a run finishes: the alert rules see a completed run's metrics, then the registered hooks run. */
async function notifyRunCompleted(env: Env, run: EvaluationRunRow): Promise<void> {
  if (run.status === "completed") {
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
  const batchSize = Math.min(MAX_BATCH_SIZE, Math.max(1, opts.batch_size ?? DEFAULT_BATCH_SIZE));
  const batchCount = Math.ceil(cases.length / batchSize);
  const id = crypto.randomUUID();
  const now = Date.now();
  const clockOffsetMs = opts.as_of === undefined ? 0 : Math.min(0, opts.as_of - now);
  await insertRun(db, {
    id, dataset: opts.dataset, corpus: opts.corpus ?? null, configOverrides: overrides, configVersionId: opts.config_version_id ?? null,
    trigger: opts.trigger, status: "queued", caseIds: cases.map((c) => c.id), batchSize, total: cases.length, batchCount, createdAt: now + clockOffsetMs,
    clockOffsetMs,
  });
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

/** Asks one case through the chat path and judges it. Never throws: an error becomes the result's error. */
async function evaluateCase(env: Env, db: Database, run: EvaluationRunRow, batchIndex: number, c: AnswerCase, chunkText: (id: string) => Promise<string | undefined>): Promise<NewEvaluationResult> {
  const base = { runId: run.id, caseId: c.id, batchIndex, keywordsTotal: c.keywords.length };
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
    if (turn.outcome.type === "answer") {
      const a = turn.outcome.body;
      body = { has_sufficient_info: a.has_sufficient_info, response: a.response, sources: a.sources };
      llmCalls = a.trace.total_llm_calls;
    } else {
      body = { clarification_needed: true, clarification_question: turn.outcome.body.clarification_question };
      llmCalls = turn.pending?.total_llm_calls ?? 0;
    }
    const observation = await observeTurn(body, (_documentId, chunkId) => chunkText(chunkId));
    const j = judgeAnswer(c, observation);
    return {
      ...base, outcome: observation.outcome, answered: j.answered, refused: observation.outcome === "refusal",
      keywordsHit: Math.round(j.keywordRecall * c.keywords.length), goldAt5: j.goldAt5, citations: j.citations,
      citationsValid: j.validCitations, citationsGold: j.goldCitations, citationPrecision: j.citations ? j.goldCitations / j.citations : null,
      latencyMs, llmCalls, problems: j.problems, error: null, response: observation.response.slice(0, RESPONSE_EXCERPT_CHARS),
    };
  } catch (e) {
    return {
      ...base, outcome: null, answered: false, refused: false, keywordsHit: 0, goldAt5: false, citations: 0, citationsValid: 0, citationsGold: 0,
      citationPrecision: null, latencyMs: Date.now() - started, llmCalls: 0, problems: [], error: (e instanceof Error ? e.message : String(e)).slice(0, 1000), response: "",
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

/**
 * A run's metrics from its stored results (deterministic: the same results give the same
 * figures). Answer figures come from {@link aggregate} over the judged cases; errored turns are
 * counted in `errors` and left out of every other figure.
 */
export function computeRunMetrics(results: readonly EvaluationResultRow[]): RunMetrics {
  const judged = results.filter((r) => r.error === null && caseById(r.caseId));
  const cases = judged.map((r) => caseById(r.caseId)!);
  const m = aggregate(cases, judged.map((r, i) => judgementOf(r, cases[i])));
  const latencies = judged.map((r) => r.latencyMs).sort((a, b) => a - b);
  return {
    cases: m.cases, answerable: m.answerable, unanswerable: m.unanswerable, errors: results.length - judged.length,
    answer_keyword_recall: finite(m.keywordRecall), all_keywords: finite(m.allKeywords),
    citation_validity: judged.length ? finite(m.citationValidity) : null, citation_precision: finite(m.citationPrecision),
    gold_at_5: finite(m.goldAt5), answered_when_found: finite(m.answeredWhenFound), honest_refusal_rate: finite(m.honestRefusal),
    answered_rate: finite(m.answered), latency_p50_ms: finite(percentile(latencies, 50)), latency_p95_ms: finite(percentile(latencies, 95)),
    llm_calls_per_answer: judged.length ? judged.reduce((s, r) => s + r.llmCalls, 0) / judged.length : null,
  };
}

/** Completes the run when every case has a result: metrics computed, one completion, hooks run. */
async function completeIfDone(env: Env, db: Database, runId: string): Promise<void> {
  const run = await getRun(db, runId);
  if (!run || run.status === "completed" || run.status === "failed" || run.done + run.failed < run.total) return;
  const metrics = computeRunMetrics(await allResults(db, runId));
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
  const todo = ids.filter((id) => !existing.has(id)).map((id) => caseById(id)).filter((c): c is AnswerCase => !!c);
  const turnEnv = await runEnv(env, run);
  const texts = new Map<string, Promise<string | undefined>>();
  const chunkText = (id: string) => {
    let t = texts.get(id);
    if (!t) texts.set(id, (t = db.select({ content: chunks.content }).from(chunks).where(eq(chunks.id, id)).get().then((r) => r?.content)));
    return t;
  };
  const results: NewEvaluationResult[] = [];
  for (const c of todo) results.push(await evaluateCase(turnEnv, db, run, message.batch_index, c, chunkText));
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
