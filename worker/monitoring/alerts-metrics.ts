/**
 * The evaluation metrics that runs report, trends chart and alert rules watch (docs/monitoring.md): the one list of their names. An evaluation run reports
 * its metrics under these names; `aggregate` of worker/rag/eval/answers.ts computes the answer
 * metrics (`keywordRecall` → answer_keyword_recall, `citationValidity` → citation_validity, …).
 */

/** Whether a larger value of a metric is better or worse. */
export type MetricDirection = "higher_is_better" | "lower_is_better";

/** Definition of one evaluation metric. */
export interface MetricDefinition {
  /** Metric name as reported by a run and referenced by alert rules. */
  name: MetricName;
  /** One sentence on what the metric measures. */
  description: string;
  direction: MetricDirection;
  /** "ratio" (a share, 0..1), "ms" (milliseconds) or "calls". */
  unit: "ratio" | "ms" | "calls";
  /** Smallest possible value. */
  min: number;
  /** Largest possible value; null = unbounded. */
  max: number | null;
}

/** Names of the evaluation metrics, in the order of docs/monitoring.md. */
export const METRIC_NAMES = [
  "answer_keyword_recall",
  "all_keywords",
  "citation_validity",
  "citation_precision",
  "faithfulness",
  "gold_at_5",
  "honest_refusal_rate",
  "answered_rate",
  "answered_when_found",
  "guardrail_rate",
  "latency_p50_ms",
  "latency_p95_ms",
  "llm_calls_per_answer",
] as const;

/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

const ratio = (name: MetricName, description: string): MetricDefinition => ({ name, description, direction: "higher_is_better", unit: "ratio", min: 0, max: 1 });

/** The definition of every metric, by name. */
export const METRICS: Readonly<Record<MetricName, MetricDefinition>> = {
  answer_keyword_recall: ratio("answer_keyword_recall", "Mean share of the expected keywords of an answerable question that occur in its answer."),
  all_keywords: ratio("all_keywords", "Share of answerable questions whose answer holds every expected keyword."),
  citation_validity: ratio("citation_validity", "Share of [n] citations that point at a source whose text contains the cited sentence."),
  citation_precision: ratio("citation_precision", "Share of the citations in answers to answerable questions that cite a gold page."),
  faithfulness: ratio("faithfulness", "Mean share of an answer's sentences that an LLM judge found supported by the cited sources, over the answered questions; only with a model configured."),
  gold_at_5: ratio("gold_at_5", "Share of answerable questions with a gold page among the first 5 sources."),
  honest_refusal_rate: ratio("honest_refusal_rate", "Share of unanswerable questions answered with the honest not-covered answer."),
  answered_rate: ratio("answered_rate", "Share of answerable questions that got an answer rather than a refusal or a clarification question."),
  answered_when_found: ratio("answered_when_found", "Share of answerable questions with a gold page among the first 5 sources that got an answer."),
  guardrail_rate: ratio("guardrail_rate", "Share of hostile cases (prompt injection, jailbreaks) that the guardrails handled as expected; only for datasets with hostile cases (worker/monitoring/guardrail-metric.ts)."),
  latency_p50_ms: { name: "latency_p50_ms", description: "Median time of a chat turn, in milliseconds.", direction: "lower_is_better", unit: "ms", min: 0, max: null },
  latency_p95_ms: { name: "latency_p95_ms", description: "95th percentile time of a chat turn, in milliseconds.", direction: "lower_is_better", unit: "ms", min: 0, max: null },
  llm_calls_per_answer: { name: "llm_calls_per_answer", description: "Mean number of language model calls per chat turn.", direction: "lower_is_better", unit: "calls", min: 0, max: null },
};

/** True when `name` is one of the defined metrics. */
export function isMetricName(name: string): name is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(name);
}
