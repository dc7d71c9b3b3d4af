/**
 * Rules that turn an evaluation run's metrics and failures into a proposal: a concrete change of
 * config tunables with a reason (docs/monitoring.md, "Proposals"). Pure: no I/O.
 */
import type { Tunables, TunableKey } from "../config-versions/tunables";

/** Types of proposal the rules make. */
export const PROPOSAL_TYPES = ["restore_retrieval_defaults", "raise_retrieval_recall", "lower_feedback_budget"] as const;
export type ProposalType = (typeof PROPOSAL_TYPES)[number];

/** A proposed change: key → { from, to }. */
export type ProposalChanges = Partial<Record<TunableKey, { from: string | number; to: string | number }>>;

/** What the rules propose. */
export interface ProposedChange {
  type: ProposalType;
  changes: ProposalChanges;
  reason: string;
}

/** The per-question failures of a run. */
export interface FailureSummary {
  /** Cases judged. */
  cases: number;
  /** Cases with at least one problem of the judge, or an error. */
  failing: number;
  /** Answerable cases without a gold page among the first 5 sources. */
  gold_missed: number;
}

/** Thresholds below (or above, for latency) which a rule proposes a change. */
export const RULE_THRESHOLDS = { gold_at_5: 0.85, answer_keyword_recall: 0.45, latency_p95_ms: 3000 } as const;

/** Retrieval tunables that the restore rule compares with the defaults. */
const RETRIEVAL_KEYS: readonly TunableKey[] = [
  "FUSION_LEXICAL_WEIGHT", "FUSION_VECTOR_WEIGHT", "FUSION_EXPANSION_WEIGHT", "PRF_CHUNKS", "PRF_TERMS", "PRF_BETA", "PRF_DIMENSIONS", "PRF_MAX_POSTINGS",
];

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(3));

/**
 * The change the rules propose for a run's metrics, or null when no rule applies. In order:
 * 1. gold_at_5 or answer_keyword_recall low and the retrieval tunables deviate from the defaults
 *    (the wrangler vars) → restore those keys (`restore_retrieval_defaults`);
 * 2. the same metrics low with default retrieval → raise FUSION_VECTOR_WEIGHT by 0.5 and
 *    PRF_TERMS by 8, within their ranges (`raise_retrieval_recall`);
 * 3. latency_p95_ms high → halve PRF_MAX_POSTINGS and lower PRF_CHUNKS by one (`lower_feedback_budget`).
 *
 * @param focus The metric to act on (e.g. a firing alert's); default: any of the above.
 */
export function proposeChanges(
  metrics: Record<string, number | null | undefined>,
  failures: FailureSummary,
  current: Tunables,
  defaults: Tunables,
  focus?: string,
): ProposedChange | null {
  const considered = (m: string) => !focus || focus === m;
  const low = (m: "gold_at_5" | "answer_keyword_recall") => considered(m) && typeof metrics[m] === "number" && metrics[m]! < RULE_THRESHOLDS[m];
  const failing = `${failures.failing} of ${failures.cases} cases failing, ${failures.gold_missed} without a gold page in the top 5`;
  const quality = (["gold_at_5", "answer_keyword_recall"] as const).filter(low);
  if (quality.length) {
    const cited = quality.map((m) => `${m} = ${fmt(metrics[m]!)} (below ${RULE_THRESHOLDS[m]})`).join(" and ");
    const deviating = RETRIEVAL_KEYS.filter((k) => String(current[k]) !== String(defaults[k]));
    if (deviating.length) {
      const changes: ProposalChanges = Object.fromEntries(deviating.map((k) => [k, { from: current[k], to: defaults[k] }]));
      return { type: "restore_retrieval_defaults", changes, reason: `${cited}; ${failing}. Retrieval deviates from the defaults in ${deviating.join(", ")}: restore them.` };
    }
    const changes: ProposalChanges = {};
    if (current.FUSION_VECTOR_WEIGHT < 10) changes.FUSION_VECTOR_WEIGHT = { from: current.FUSION_VECTOR_WEIGHT, to: Math.min(10, current.FUSION_VECTOR_WEIGHT + 0.5) };
    if (current.PRF_TERMS < 32) changes.PRF_TERMS = { from: current.PRF_TERMS, to: Math.min(32, current.PRF_TERMS + 8) };
    if (Object.keys(changes).length) return { type: "raise_retrieval_recall", changes, reason: `${cited}; ${failing}. Raise the vector weight and the feedback terms to find more gold pages.` };
  }
  const p95 = metrics.latency_p95_ms;
  if (considered("latency_p95_ms") && typeof p95 === "number" && p95 > RULE_THRESHOLDS.latency_p95_ms) {
    const changes: ProposalChanges = {};
    if (current.PRF_MAX_POSTINGS > 1000) changes.PRF_MAX_POSTINGS = { from: current.PRF_MAX_POSTINGS, to: Math.floor(current.PRF_MAX_POSTINGS / 2) };
    if (current.PRF_CHUNKS > 1) changes.PRF_CHUNKS = { from: current.PRF_CHUNKS, to: current.PRF_CHUNKS - 1 };
    if (Object.keys(changes).length) {
      return { type: "lower_feedback_budget", changes, reason: `latency_p95_ms = ${fmt(p95)} (above ${RULE_THRESHOLDS.latency_p95_ms}); ${failing}. Lower the feedback budget.` };
    }
  }
  return null;
}
