/**
 * Seeds the quality loop with a week of realistic history through the HTTP API only (never SQL):
 * `npm run seed:monitoring` and the browser tests' global setup. It writes
 * - evaluation runs of the `test` split over the OpenTelemetry corpus, spread over the last 7 days
 *   with `as_of` (awaited one after the other, because alert state depends on run order), some on
 *   the current configuration and some with deliberately bad retrieval overrides;
 * - one alert rule of its own ("Answered rate low", low and medium severities) beside the six
 *   default rules of migrations/0007_alerts.sql, so that the runs raise alerts of every severity,
 *   which fire and resolve; at the end two alerts are firing, one of them acknowledged;
 * - exactly four proposals: one pending, one validated (awaiting a decision), one rejected after
 *   validation, and one validated, approved, applied and rolled back (production ends on the
 *   version it started on). Production moves to an experiment version for one run of the story
 *   (the rejected proposal restores retrieval from it) and back.
 *
 * The figures of a run are deterministic for a given knowledge base and configuration (only
 * latency varies), so the seed first runs the whole case pool once per configuration and then
 * picks, for every later run, cases whose known outcomes give the metric levels the story needs
 * (e.g. gold@5 between the warning and the critical threshold of the gold@5 rule). The story
 * therefore holds on any knowledge base that contains the pool's gold pages; those it lacks are
 * ingested from ../shared/data first (`POST /api/ingest/jobs`, sources as the evaluation set names
 * them: `docs-opentelemetry/content/en/docs/…`).
 *
 * Plain TypeScript run by Node's type stripping: no enums, no parameter properties.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { mulberry32 } from "../../worker/monitoring/bootstrap.ts";
import { ANSWER_CORPORA } from "../../worker/rag/eval/answers.ts";
import type { AnswerCase } from "../../worker/rag/eval/answers.ts";
import { ingestDocuments } from "./ingest-client.ts";
import type { IngestDocument } from "./ingest-client.ts";

/** What {@link seedMonitoring} wrote (plain JSON). */
export interface SeedSummary {
  /** Every evaluation run the seed started (its own runs and the validation runs), oldest first. */
  runs: string[];
  /** The alerts the seed's runs opened or changed, newest first, in their final state. */
  alerts: { id: string; severity: string; status: string }[];
  /** The four proposals, in the order they were generated. */
  proposals: { id: string; status: string; type: string }[];
  /** Ids of the alert rules the seed created (none when they existed already). */
  rules_created: string[];
}

/** Options of {@link seedMonitoring}. */
export interface SeedOptions {
  /** Base URL of a running edge-rag server, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** The server's ADMIN_TOKEN (every quality-loop endpoint is the admin's). */
  adminToken: string;
  /** Progress lines (one per run, proposal and action); silent by default. */
  log?: (line: string) => void;
  /**
   * Folder holding `docs-opentelemetry/…`, from which missing gold pages of the case pool are
   * ingested; default `../shared/data` beside the repository.
   */
  dataRoot?: string;
}

/** The evaluation set's folder of the OpenTelemetry corpus, relative to ../shared/data. */
export const OTEL_FOLDER: string = ANSWER_CORPORA.otel;

/** `../shared/data` beside the repository. */
export const DEFAULT_DATA_ROOT = new URL("../../../shared/data/", import.meta.url).pathname;

/**
 * Answerable cases of the `test` split that the seed draws from: collector, Kubernetes, SDK
 * configuration and concepts questions whose gold pages lie in a few folders, a mix of questions
 * the offline pipeline answers well and of questions it refuses or misses the gold page for.
 */
export const SEED_ANSWERABLE_CASES: readonly string[] = [
  "otel-col-008", "otel-col-009", "otel-col-010", "otel-col-012", "otel-col-013", "otel-col-029",
  "otel-col-031", "otel-col-032", "otel-col-033", "otel-col-034", "otel-col-036",
  "otel-sdk-001", "otel-sdk-007", "otel-sdk-008", "otel-sdk-009", "otel-sdk-010", "otel-sdk-020",
  "otel-con-010", "otel-con-013", "otel-con-017", "otel-con-018", "otel-con-021", "otel-con-039",
];

/** Unanswerable (`not_covered`) cases of the `test` split that the seed draws from. */
export const SEED_UNANSWERABLE_CASES: readonly string[] = ["otel-nc-001", "otel-nc-003", "otel-nc-005", "otel-nc-008", "otel-nc-010"];

/**
 * The deliberately bad retrieval overrides (as in test/integration/quality-loop.test.ts): no
 * lexical retrieval, and a query vector that drifts toward the feedback chunks.
 */
export const BAD_RETRIEVAL: Readonly<Record<string, number>> = {
  FUSION_LEXICAL_WEIGHT: 0, FUSION_EXPANSION_WEIGHT: 0, FUSION_VECTOR_WEIGHT: 1, PRF_CHUNKS: 10, PRF_BETA: 10, PRF_TERMS: 32,
};

/** Body of `POST /api/meta-monitoring/alert-rules`. */
export interface AlertRuleBody {
  name: string;
  metric: string;
  operator: "<" | "<=" | ">" | ">=";
  warning?: number | null;
  critical?: number | null;
  warning_severity?: Severity;
  critical_severity?: Severity;
  for_runs?: number;
  keep_firing_for_runs?: number;
}

/** The rule the seed adds, as a team adds its own: answered rate, with the two mildest severities. */
export const SEED_RULE: AlertRuleBody = {
  name: "Answered rate low", metric: "answered_rate", operator: "<", warning: 0.8, critical: 0.6,
  warning_severity: "low", critical_severity: "medium", for_runs: 1, keep_firing_for_runs: 1,
};

/** The note of the seed's acknowledgement of the firing gold@5 alert. */
export const SEED_ACK_NOTE = "Looking into it: questions lose their gold page in the top 5.";

/** Severity of an alert, most severe first. */
export type Severity = "critical" | "high" | "medium" | "low";

/** The metrics the seed predicts from per-case outcomes, with the rule each level refers to. */
const PREDICTED = ["gold_at_5", "answer_keyword_recall", "answered_rate", "honest_refusal_rate", "citation_validity"] as const;
type PredictedMetric = (typeof PREDICTED)[number];
/** The default rule (migrations/0007_alerts.sql) of each predicted metric; answered_rate is {@link SEED_RULE}'s. */
const DEFAULT_RULE_IDS: Partial<Record<PredictedMetric, string>> = {
  gold_at_5: "rule-gold-at-5", answer_keyword_recall: "rule-answer-keyword-recall", honest_refusal_rate: "rule-honest-refusal-rate", citation_validity: "rule-citation-validity",
};

/** Where a metric should land relative to its rule: not breaching, past the warning threshold only, or past the critical one. */
type Level = "ok" | "warning" | "critical";

/** One case's judged result, as `GET /runs/:id/results` gives it. */
interface CaseOutcome {
  answerable: boolean;
  gold: boolean;
  answered: boolean;
  refused: boolean;
  keywordRecall: number;
  citations: number;
  validCitations: number;
}

/** Per-case outcomes under one configuration. */
type OutcomeTable = Map<string, CaseOutcome>;

interface RuleView {
  id: string; name: string; metric: string; operator: "<" | "<=" | ">" | ">="; warning: number | null; critical: number | null;
  warning_severity: Severity; critical_severity: Severity; for_runs: number; keep_firing_for_runs: number; enabled: boolean;
}
interface RunView {
  id: string; status: string; trigger: string; total: number; done: number; failed: number; error: string | null;
  metrics: Record<string, number | null> | null; created_at: string; completed_at: string | null; config_version_id: string | null;
}
interface ResultView {
  case_id: string; answered: boolean; refused: boolean; keywords_hit: number; keywords_total: number; gold_at_5: boolean;
  citations: number; citations_valid: number; error: string | null;
}
interface AlertView {
  id: string; rule_id: string; metric: string; status: string; severity: string; value: number; threshold: number;
  first_run_id: string; last_run_id: string; acknowledged_at: string | null;
}
interface ProposalView {
  id: string; type: string; status: string; run_id: string; base_version_id: string; candidate_version_id: string; reason: string;
  changes: Record<string, { from: string | number; to: string | number }>;
  validation: { status?: string; error?: string; metrics?: Record<string, { baseline: number; candidate: number; delta: number } | null> } | null;
}
interface VersionView { id: string; version: number; values: Record<string, string | number> }

/** Calls the API as the admin; throws an Error with the method, path, status and the API's error body. */
type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * The API client of the seed. A GET that fails on the network (e.g. while `wrangler dev` reloads
 * the Worker) is tried up to 3 times; other methods are sent once.
 */
function apiClient(url: string, adminToken: string): Api {
  const base = url.replace(/\/+$/, "");
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(60_000),
        });
        text = await res.text();
      } catch (e) {
        if (method === "GET" && attempt < 3) {
          await sleep(1000 * attempt);
          continue;
        }
        throw new Error(`${method} ${path} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 2000)}`);
      return JSON.parse(text) as T;
    }
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The cases of test/eval/cases.json, by id. */
function loadCases(): Map<string, AnswerCase> {
  const file = new URL("../../test/eval/cases.json", import.meta.url).pathname;
  const cases = JSON.parse(readFileSync(file, "utf8")) as AnswerCase[];
  return new Map(cases.map((c) => [c.id, c]));
}

/** The gold pages of the seed's answerable cases (sources relative to ../shared/data), sorted. */
export function seedGoldPages(): string[] {
  const cases = loadCases();
  return [...new Set(SEED_ANSWERABLE_CASES.flatMap((id) => cases.get(id)?.gold_pages ?? []))].sort();
}

/** Sources of the knowledge base's documents under the evaluation set's OpenTelemetry folder. */
async function otelSources(api: Api): Promise<Set<string>> {
  const sources = new Set<string>();
  for (let page = 1; ; page++) {
    const body = await api<{ documents: { source: string }[]; total: number }>("GET", `/api/documents?limit=100&page=${page}&q=${encodeURIComponent(`${OTEL_FOLDER}/`)}`);
    for (const d of body.documents) if (d.source.startsWith(`${OTEL_FOLDER}/`)) sources.add(d.source);
    if (body.documents.length < 100 || page * 100 >= body.total) return sources;
  }
}

/**
 * Makes sure the knowledge base holds the gold pages of the seed's cases: the missing ones are
 * ingested from `dataRoot` (sources as the evaluation set names them, domain = first folder below
 * the corpus folder). Returns the gold pages the knowledge base holds.
 */
async function ensureGoldPages(api: Api, url: string, dataRoot: string, log: (line: string) => void): Promise<Set<string>> {
  const pages = seedGoldPages();
  const held = await otelSources(api);
  const missing = pages.filter((p) => !held.has(p));
  const readable = missing.filter((p) => existsSync(path.join(dataRoot, p)));
  if (readable.length) {
    const documents: IngestDocument[] = readable.map((source) => {
      const rel = source.slice(OTEL_FOLDER.length + 1);
      const content = readFileSync(path.join(dataRoot, source), "utf8");
      return { source, content, content_type: "markdown", ...(rel.includes("/") ? { metadata: { domain: rel.slice(0, rel.indexOf("/")) } } : {}) };
    });
    const result = await ingestDocuments({ documents, empty: [] }, { url, pollMs: 200, timeoutMs: 120_000 });
    if (result.failed) throw new Error(`${result.failed} gold page(s) failed to ingest: ${result.errors.map((e) => `${e.source}: ${e.message}`).join("; ")}`);
    for (const p of readable) held.add(p);
    log(`knowledge base: ingested ${result.done} missing gold page(s) of the seed's cases from ${dataRoot} in ${result.seconds.toFixed(1)} s`);
  }
  const present = new Set(pages.filter((p) => held.has(p)));
  if (present.size === 0) throw new Error(`The knowledge base holds none of the seed's gold pages, and they are missing under ${dataRoot} (e.g. ${pages[0]})`);
  log(`knowledge base: ${present.size} of the ${pages.length} gold pages of the seed's cases present`);
  return present;
}

/** The metrics a set of cases gives, computed as the run's aggregate computes them (docs/evaluation-runs.md). */
function predict(table: OutcomeTable, ids: readonly string[]): Record<PredictedMetric, number | null> {
  const rows = ids.map((id) => table.get(id)).filter((r): r is CaseOutcome => !!r);
  const answerable = rows.filter((r) => r.answerable);
  const unanswerable = rows.filter((r) => !r.answerable);
  const share = (xs: CaseOutcome[], f: (r: CaseOutcome) => number) => (xs.length ? xs.reduce((s, r) => s + f(r), 0) / xs.length : null);
  const citations = rows.reduce((s, r) => s + r.citations, 0);
  return {
    gold_at_5: share(answerable, (r) => Number(r.gold)),
    answer_keyword_recall: share(answerable, (r) => r.keywordRecall),
    answered_rate: share(answerable, (r) => Number(r.answered)),
    honest_refusal_rate: share(unanswerable, (r) => Number(r.refused)),
    citation_validity: rows.length ? (citations ? rows.reduce((s, r) => s + r.validCitations, 0) / citations : 1) : null,
  };
}

/** The level a value reaches under a rule (critical threshold first, as the alert state machine checks). */
function levelOf(rule: RuleView, value: number): Level {
  const crosses = (t: number | null) => t !== null && (rule.operator === "<" ? value < t : rule.operator === "<=" ? value <= t : rule.operator === ">" ? value > t : value >= t);
  return crosses(rule.critical) ? "critical" : crosses(rule.warning) ? "warning" : "ok";
}

/** How far a value is from reaching `want` under the rule: 0 when it does; larger is farther. */
function miss(rule: RuleView, value: number | null, want: Level): number {
  if (value === null) return want === "ok" ? 0 : 1;
  const got = levelOf(rule, value);
  if (got === want) return 0;
  const thresholds = [rule.warning, rule.critical].filter((t): t is number => t !== null);
  return 0.1 + Math.min(...thresholds.map((t) => Math.abs(value - t)));
}

/** What a run of the story should show: the level of each predicted metric (default "ok"). */
type Levels = Partial<Record<PredictedMetric, Level>>;

/** Picks 6–8 cases (1–2 unanswerable) whose known outcomes reach the wanted levels, also under `also` when given. */
function pickCases(
  table: OutcomeTable, rules: Map<PredictedMetric, RuleView>, want: Levels, rng: () => number,
  also?: { table: OutcomeTable; want: Levels },
): { ids: string[]; misses: number } {
  const answerable = [...table.keys()].filter((id) => table.get(id)!.answerable);
  const unanswerable = [...table.keys()].filter((id) => !table.get(id)!.answerable);
  const sample = (xs: string[], n: number) => {
    const copy = [...xs];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, n);
  };
  const score = (t: OutcomeTable, ids: string[], levels: Levels) => {
    const m = predict(t, ids);
    let s = 0;
    for (const [metric, rule] of rules) s += miss(rule, m[metric], levels[metric] ?? "ok");
    return s;
  };
  let best = { ids: [] as string[], misses: Number.POSITIVE_INFINITY };
  for (let attempt = 0; attempt < 6000 && best.misses > 0; attempt++) {
    const size = 6 + Math.floor(rng() * 3);
    const nc = Math.min(unanswerable.length, 1 + Math.floor(rng() * 2));
    const ids = [...sample(unanswerable, nc), ...sample(answerable, size - nc)];
    const s = score(table, ids, want) + (also ? score(also.table, ids, also.want) : 0);
    if (s < best.misses) best = { ids, misses: s };
  }
  return best;
}

const fmt = (x: number | null | undefined, digits = 2) => (typeof x === "number" ? x.toFixed(digits) : "–");
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

/** One run of the story. */
interface Step {
  /** Days before now of `as_of`; null = now (no `as_of`). */
  days: number | null;
  /** "current" = the configuration as deployed; "bad" = {@link BAD_RETRIEVAL} as run overrides. */
  config: "current" | "bad";
  /** The whole case pool (the runs that learn the outcomes) or picked cases reaching these levels. */
  cases: "pool" | Levels;
  note: string;
}

/**
 * Writes a week of quality-loop history to a running edge-rag server through its HTTP API (runs,
 * alerts, one alert rule, proposals and validations; see the module comment), and returns what it
 * wrote. Production is on the same config version at the end as at the start.
 *
 * @param options The server's URL and admin token, a progress logger, and where the gold pages lie.
 * @returns The run ids, the alerts of those runs in their final state, the four proposals and the
 *   rules created.
 * @throws Error with the API's error body when a call fails, or when a run fails or does not finish
 *   within 2 minutes.
 */
export async function seedMonitoring(options: SeedOptions): Promise<SeedSummary> {
  const log = options.log ?? (() => {});
  const api = apiClient(options.url, options.adminToken);
  const cases = loadCases();
  const started = performance.now();
  const summary: SeedSummary = { runs: [], alerts: [], proposals: [], rules_created: [] };

  // The case pool: answerable cases whose gold pages the knowledge base holds, and the unanswerable ones.
  const present = await ensureGoldPages(api, options.url, options.dataRoot ?? DEFAULT_DATA_ROOT, log);
  const pool = [
    ...SEED_UNANSWERABLE_CASES,
    ...SEED_ANSWERABLE_CASES.filter((id) => (cases.get(id)?.gold_pages ?? []).some((p) => present.has(p))),
  ];

  // The rules: the defaults, and the seed's own (created once).
  let rules = (await api<{ rules: RuleView[] }>("GET", "/api/meta-monitoring/alert-rules")).rules;
  let own = rules.find((r) => r.name === SEED_RULE.name);
  if (!own) {
    own = await api<RuleView>("POST", "/api/meta-monitoring/alert-rules", SEED_RULE);
    summary.rules_created.push(own.id);
    log(`rule created: ${own.name} (${own.id}): ${own.metric} ${own.operator} ${own.warning} ${own.warning_severity}, ${own.operator} ${own.critical} ${own.critical_severity}, for ${own.for_runs} run(s)`);
    rules = [...rules, own];
  }
  const ruleOf = new Map<PredictedMetric, RuleView>();
  for (const metric of PREDICTED) {
    const rule = metric === "answered_rate" ? own : rules.find((r) => r.id === DEFAULT_RULE_IDS[metric]);
    if (rule?.enabled && (rule.operator === "<" || rule.operator === "<=")) ruleOf.set(metric, rule);
  }
  const ruleName = new Map(rules.map((r) => [r.id, r.name]));

  const initial = (await api<{ version: VersionView }>("GET", "/api/config/production")).version;
  const tables: Record<Step["config"], OutcomeTable> = { current: new Map(), bad: new Map() };
  const rng = mulberry32(13);
  const knownAlerts = new Map<string, string>();

  /** Alerts changed by a run (its id is their last run), as one log line. */
  const alertChanges = async (runId: string): Promise<string> => {
    const { alerts } = await api<{ alerts: AlertView[] }>("GET", "/api/meta-monitoring/alerts?limit=100");
    const changed = alerts.filter((a) => a.last_run_id === runId);
    const parts = changed.map((a) => {
      const before = knownAlerts.get(a.id);
      knownAlerts.set(a.id, `${a.status} ${a.severity}`);
      return `${ruleName.get(a.rule_id) ?? a.metric} ${before && before !== `${a.status} ${a.severity}` ? `${before} → ` : before ? "" : "new "}${a.status} ${a.severity}`;
    });
    return parts.length ? parts.join("; ") : "none";
  };

  const waitRun = async (id: string): Promise<RunView> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const run = await api<RunView>("GET", `/api/meta-monitoring/runs/${id}`);
      if (run.status === "completed") return run;
      if (run.status === "failed") throw new Error(`Evaluation run ${id} failed: ${run.error ?? "no error recorded"}`);
      if (Date.now() > deadline) throw new Error(`Evaluation run ${id} did not finish within 2 minutes (status ${run.status}, ${run.done + run.failed}/${run.total})`);
      await sleep(150);
    }
  };

  const learn = async (config: Step["config"], runId: string) => {
    const { results } = await api<{ results: ResultView[] }>("GET", `/api/meta-monitoring/runs/${runId}/results?limit=100`);
    for (const r of results) {
      const c = cases.get(r.case_id);
      if (!c || r.error !== null) continue;
      tables[config].set(r.case_id, {
        answerable: c.scenario === "answer", gold: r.gold_at_5, answered: r.answered, refused: r.refused,
        keywordRecall: r.keywords_total ? r.keywords_hit / r.keywords_total : 0, citations: r.citations, validCitations: r.citations_valid,
      });
    }
  };

  let stepNo = 0;
  /** Runs of the story below (without the validation runs), for the progress lines. */
  const stepCount = 15;
  /** Runs one step of the story and waits for it; returns the completed run. */
  const run = async (step: Step, also?: { config: Step["config"]; want: Levels }): Promise<RunView> => {
    stepNo++;
    let caseIds: string[];
    let note = "";
    if (step.cases === "pool") caseIds = pool;
    else {
      const pick = pickCases(tables[step.config], ruleOf, step.cases, rng, also && { table: tables[also.config], want: also.want });
      caseIds = pick.ids;
      if (pick.misses > 0) note = "; no case mix of the pool reaches every wanted level on this knowledge base";
    }
    const predicted = step.cases === "pool" ? null : predict(tables[step.config], caseIds);
    const body = {
      dataset: "test", corpus: "otel", case_ids: caseIds, batch_size: step.cases === "pool" ? 50 : 10,
      ...(step.config === "bad" ? { config_overrides: BAD_RETRIEVAL } : {}),
      ...(step.days === null ? {} : { as_of: daysAgo(step.days) }),
    };
    const queued = await api<RunView>("POST", "/api/meta-monitoring/control/evaluate", body);
    summary.runs.push(queued.id);
    const done = await waitRun(queued.id);
    await learn(step.config, done.id);
    const m = done.metrics ?? {};
    // The figures are deterministic for a knowledge base and configuration: say so when a run differs.
    const off = predicted ? PREDICTED.filter((k) => predicted[k] !== null && typeof m[k] === "number" && Math.abs(predicted[k]! - m[k]!) > 1e-9) : [];
    if (off.length) note += `; differs from the earlier outcomes of its cases in ${off.map((k) => `${k} ${fmt(m[k])} (expected ${fmt(predicted![k])})`).join(", ")}`;
    const when = step.days === null ? "now" : `${step.days.toFixed(1)} days ago`;
    log(
      `run ${String(stepNo).padStart(2)}/${stepCount} ${when.padEnd(14)} ${step.config === "bad" ? "bad overrides" : "current config"} ${String(done.total).padStart(2)} cases: ` +
        `gold@5 ${fmt(m.gold_at_5)}, keyword recall ${fmt(m.answer_keyword_recall)}, answered ${fmt(m.answered_rate)}, honest refusal ${fmt(m.honest_refusal_rate)} ` +
        `(${done.id}; ${step.note}${note}); alerts: ${await alertChanges(done.id)}`,
    );
    return done;
  };

  /** Generates a proposal from the first source that a rule applies to (409 = no rule applies: next). */
  const generate = async (sources: ({ alert_id: string } | { run_id: string })[]): Promise<ProposalView> => {
    let last: unknown;
    for (const source of sources) {
      try {
        return await api<ProposalView>("POST", "/api/meta-monitoring/control/generate-proposal", source);
      } catch (e) {
        if (!(e instanceof Error && / answered 409:/.test(e.message))) throw e;
        last = e;
      }
    }
    throw last instanceof Error ? last : new Error("No source to generate a proposal from");
  };
  const describe = (p: ProposalView) => `${p.type} {${Object.entries(p.changes).map(([k, c]) => `${k}: ${c.from} → ${c.to}`).join(", ")}}`;
  const openAlert = async (ruleId: string | undefined): Promise<AlertView | undefined> => {
    if (!ruleId) return undefined;
    const { alerts } = await api<{ alerts: AlertView[] }>("GET", "/api/meta-monitoring/alerts?limit=100");
    return alerts.find((a) => a.rule_id === ruleId && a.status !== "resolved");
  };
  const goldRule = ruleOf.get("gold_at_5")?.id;
  const proposals: ProposalView[] = [];
  const proposalFrom = async (label: string, sources: ({ alert_id: string } | { run_id: string })[]) => {
    const p = await generate(sources);
    proposals.push(p);
    log(`proposal ${p.id} generated (${label}): ${describe(p)}; ${p.reason}`);
    return p;
  };

  let production = initial.id;
  try {
    // Days 7–6: the whole pool on the current configuration and with the bad overrides (an
    // experiment), which teaches the seed every case's outcome; then two healthy runs clear the
    // alerts those two runs raised.
    const full = await run({ days: 6.9, config: "current", cases: "pool", note: "weekly run of the whole slice" });
    await run({ days: 6.5, config: "bad", cases: "pool", note: "experiment: vector-only retrieval" });
    await run({ days: 6.1, config: "current", cases: {}, note: "back to the current configuration" });
    await run({ days: 5.7, config: "current", cases: {}, note: "healthy" });
    // Days 5–4: the experiment again: gold@5 sinks below the warning, then the critical threshold;
    // answers get refused.
    await run({ days: 5.2, config: "bad", cases: { gold_at_5: "warning" }, note: "bad retrieval overrides" });
    await run({ days: 4.8, config: "bad", cases: { gold_at_5: "critical", answered_rate: "warning" }, note: "bad retrieval overrides" });
    // Day 4.4: the experiment deployed to production as a config version; the gold@5 alert's
    // proposal restores the default retrieval (its base is the deployed version), then production
    // is rolled back to the version it started on.
    const experiment = await api<VersionView>("POST", "/api/config/versions", { values: BAD_RETRIEVAL, description: "Experiment: vector-only retrieval with strong query feedback" });
    await api("POST", "/api/config/deploy", { version_id: experiment.id, reason: "seed: try vector-only retrieval in production" });
    production = experiment.id;
    log(`config version ${experiment.version} (${experiment.id}) deployed: the experiment`);
    const deployedRun = await run(
      { days: 4.4, config: "bad", cases: { gold_at_5: "critical", answer_keyword_recall: "warning" }, note: "experiment deployed as a config version" },
      { config: "current", want: {} },
    );
    const goldAlert = await openAlert(goldRule);
    const restore = await proposalFrom("from the gold@5 alert of the deployed experiment", [...(goldAlert ? [{ alert_id: goldAlert.id }] : []), { run_id: deployedRun.id }]);
    await api("POST", "/api/config/rollback", { version_id: initial.id, reason: "seed: end the experiment, gold@5 dropped" });
    production = initial.id;
    log(`config version ${initial.version} (${initial.id}) deployed again: experiment rolled back`);
    // Days 4–0.5: healthy runs, a run with many refusals, a run with gold@5 just below the warning.
    await run({ days: 3.9, config: "current", cases: {}, note: "healthy" });
    const refusals = await run({ days: 3.3, config: "current", cases: { answered_rate: "critical", answer_keyword_recall: "warning" }, note: "questions the pipeline refuses" });
    await run({ days: 2.6, config: "current", cases: {}, note: "healthy" });
    const dip = await run({ days: 1.9, config: "current", cases: { gold_at_5: "warning" }, note: "gold@5 dips" });
    const dipAlert = await openAlert(goldRule);
    const raise1 = await proposalFrom("from the run with many refusals", [{ run_id: refusals.id }, { run_id: dip.id }, { run_id: full.id }]);
    const raise2 = await proposalFrom("from the gold@5 dip", [...(dipAlert ? [{ alert_id: dipAlert.id }] : []), { run_id: dip.id }, { run_id: full.id }]);
    await run({ days: 1.2, config: "current", cases: {}, note: "healthy" });
    await run({ days: 0.5, config: "current", cases: {}, note: "healthy" });

    // Today: the three validations (dry runs of baseline and candidate), one after the other.
    const dryRun = new Map<string, string>();
    for (const p of [restore, raise1, raise2]) {
      const started = await api<ProposalView & { validation: { baseline_run_id: string; candidate_run_id: string } }>(
        "POST", "/api/meta-monitoring/control/validate-proposal", { proposal_id: p.id },
      );
      summary.runs.push(started.validation.baseline_run_id, started.validation.candidate_run_id);
      const deadline = Date.now() + 180_000;
      let v: ProposalView;
      for (;;) {
        v = await api<ProposalView>("GET", `/api/meta-monitoring/proposals/${p.id}`);
        if (v.status === "validated") break;
        if (v.validation?.status === "failed") throw new Error(`Validation of proposal ${p.id} failed: ${v.validation.error ?? "no error recorded"}`);
        if (Date.now() > deadline) throw new Error(`Validation of proposal ${p.id} did not finish within 3 minutes`);
        await sleep(200);
      }
      const d = v.validation?.metrics ?? {};
      const delta = (k: string) => (d[k] ? `${fmt(d[k]!.baseline)} → ${fmt(d[k]!.candidate)}` : "–");
      dryRun.set(p.id, `gold@5 ${delta("gold_at_5")}, keyword recall ${delta("answer_keyword_recall")}, answered ${delta("answered_rate")}`);
      log(`proposal ${p.id} validated: ${dryRun.get(p.id)}`);
    }
    // The decisions quote the dry runs, so that they read true on any knowledge base. The restore
    // proposal's base is the experiment, which production already left: rejected. The proposal
    // from the refusals waits for a decision; the one from the dip (base: the version production
    // started on) is approved, applied and rolled back.
    await api("POST", `/api/meta-monitoring/proposals/${restore.id}/reject`, {
      reason: `Dry run: ${dryRun.get(restore.id)}. Production went back to version ${initial.version} by hand before a decision: nothing left to restore.`,
    });
    log(`proposal ${restore.id} rejected`);
    log(`proposal ${raise1.id} left validated, waiting for a decision`);
    await api("POST", `/api/meta-monitoring/proposals/${raise2.id}/approve`, { reason: `Dry run: ${dryRun.get(raise2.id)}. Try it in production.` });
    await api("POST", `/api/meta-monitoring/proposals/${raise2.id}/apply`, {});
    production = raise2.candidate_version_id;
    log(`proposal ${raise2.id} approved and applied: production on its candidate version ${raise2.candidate_version_id}`);
    await api("POST", `/api/meta-monitoring/proposals/${raise2.id}/rollback`, { reason: "No improvement in production; back to the previous version." });
    production = raise2.base_version_id;
    log(`proposal ${raise2.id} rolled back: production on ${raise2.base_version_id} again`);

    // Now: two runs on hard questions fire the gold@5 alert (critical) and the answered-rate alert
    // (low); the gold@5 alert gets a pending proposal and is acknowledged, the answered-rate alert
    // is left firing for someone to look at.
    await run({ days: null, config: "current", cases: { gold_at_5: "critical", answered_rate: "warning" }, note: "hard questions" });
    const last = await run({ days: null, config: "current", cases: { gold_at_5: "critical" }, note: "hard questions" });
    const firing = await openAlert(goldRule);
    await proposalFrom("from today's gold@5 alert", [...(firing ? [{ alert_id: firing.id }] : []), { run_id: last.id }, { run_id: full.id }]);
    if (firing) {
      await api("POST", `/api/meta-monitoring/alerts/${firing.id}/acknowledge`, { note: SEED_ACK_NOTE });
      log(`alert ${firing.id} (${ruleName.get(firing.rule_id)}, ${firing.severity}) acknowledged`);
    }
  } finally {
    // Whatever failed, production ends on the version it started on.
    if (production !== initial.id) {
      await api("POST", "/api/config/deploy", { version_id: initial.id, reason: "seed: restore the version production started on" }).catch(() => undefined);
    }
  }

  // The final state of what was written.
  const runIds = new Set(summary.runs);
  const alerts: AlertView[] = [];
  for (let page = 1; ; page++) {
    const body = await api<{ alerts: AlertView[]; total: number }>("GET", `/api/meta-monitoring/alerts?limit=100&page=${page}`);
    alerts.push(...body.alerts);
    if (body.alerts.length === 0 || alerts.length >= body.total) break;
  }
  summary.alerts = alerts.filter((a) => runIds.has(a.first_run_id) || runIds.has(a.last_run_id)).map((a) => ({ id: a.id, severity: a.severity, status: a.status }));
  for (const p of proposals) {
    const now = await api<ProposalView>("GET", `/api/meta-monitoring/proposals/${p.id}`);
    summary.proposals.push({ id: now.id, status: now.status, type: now.type });
  }
  log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return summary;
}
