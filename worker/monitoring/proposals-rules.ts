/**
 * Rules that turn an evaluation run's metrics and failures into a proposal: a concrete change of
 * config tunables with a reason (docs/monitoring.md, "Proposals"). Pure: no I/O; what a rule
 * needs from D1 (runs, deployment events, versions) is gathered by ./proposals.ts.
 */
import { TUNABLE_KEYS, type Tunables, type TunableKey } from "../config-versions/tunables";
import { breachOf, type AlertRuleSpec, type AlertStatus } from "./alerts-state";

/** Types of proposal the rules make. */
export const PROPOSAL_TYPES = ["revert_deployment", "restore_retrieval_defaults", "raise_retrieval_recall", "lower_feedback_budget"] as const;
/** One of {@link PROPOSAL_TYPES}. */
export type ProposalType = (typeof PROPOSAL_TYPES)[number];

/** A proposed change: key → { from, to }. */
export type ProposalChanges = Partial<Record<TunableKey, { from: string | number; to: string | number }>>;

/** What the rules propose. */
export interface ProposedChange {
  type: ProposalType;
  changes: ProposalChanges;
  reason: string;
  /**
   * The version the changes apply to, when the rule chose it (revert_deployment: the deployed
   * version that made the metric worse); absent = the version of the run the proposal reads.
   */
  base_version_id?: string;
}

/** An evaluation run as the revert rule reads it. */
export interface RunSnapshot {
  id: string;
  /** The config version the run evaluated; null when unknown (runs from before it was recorded). */
  version_id: string | null;
  /** When the run started, epoch ms. */
  created_at: number;
  /** The run's value of the alert's metric; null when it did not report it. */
  value: number | null;
  /** True when the run evaluated its version as deployed: not a validation run, no tunable overrides. */
  as_deployed: boolean;
}

/** One move of the production pointer (a deploy or a rollback). */
export interface PointerMove {
  from_version_id: string | null;
  to_version_id: string;
  /** When the pointer moved, epoch ms. */
  at: number;
}

/** What the revert rule reads (gathered from D1 by ./proposals.ts). */
export interface DeploymentContext {
  /** The alert acted on: only a firing alert can propose a revert. */
  alert: { status: AlertStatus; metric: string };
  /** The alert's rule, to tell whether a value breached it. */
  rule: AlertRuleSpec;
  /** The run that opened the alert (its first run). */
  opening: RunSnapshot;
  /** The completed run of the same dataset before it (null when there is none). */
  previous: RunSnapshot | null;
  /** Moves of the production pointer, in any order (at least those between the two runs). */
  moves: readonly PointerMove[];
  /** The version production is on now. */
  production_version_id: string;
  /** Tunables of the versions involved, by id (at least the two runs' versions). */
  tunables: Readonly<Record<string, Tunables>>;
  /** Version numbers by id, for the reason (optional). */
  version_numbers?: Readonly<Record<string, number>>;
}

/** The tunables that differ between `from` and `to`, as changes from → to, in {@link TUNABLE_KEYS} order. */
export function tunablesDiff(from: Tunables, to: Tunables): ProposalChanges {
  return Object.fromEntries(TUNABLE_KEYS.filter((k) => String(from[k]) !== String(to[k])).map((k) => [k, { from: from[k], to: to[k] }]));
}

/**
 * The revert rule: when a firing alert's metric got worse right after a deploy, propose going
 * back to the version deployed before (`revert_deployment`). It applies when all hold:
 * - the alert is firing;
 * - the run that opened it and the previous comparable run both evaluated their versions as
 *   deployed, and on different versions;
 * - production moved from the previous run's version to the opening run's version after the
 *   previous run started and no later than the opening run started, and is still on it;
 * - the opening run's value breaches the rule and the previous run's value does not;
 * - the two versions' tunables differ.
 * The changes are the diff from the opening run's version back to the previous run's, so the
 * candidate has the previous version's tunables; `base_version_id` is the opening run's version.
 *
 * @returns The proposal, or null when the rule does not apply.
 */
export function proposeRevert(ctx: DeploymentContext): ProposedChange | null {
  const { alert, rule, opening, previous } = ctx;
  if (alert.status !== "firing" || !previous || !opening.as_deployed || !previous.as_deployed) return null;
  const bad = opening.version_id;
  const good = previous.version_id;
  if (!bad || !good || bad === good || ctx.production_version_id !== bad) return null;
  const move = ctx.moves
    .filter((m) => m.to_version_id === bad && m.from_version_id === good && m.at > previous.created_at && m.at <= opening.created_at)
    .sort((a, b) => b.at - a.at)[0];
  if (!move) return null;
  if (opening.value === null || previous.value === null) return null;
  const breach = breachOf(rule, opening.value);
  if (!breach || breachOf(rule, previous.value)) return null;
  const current = ctx.tunables[bad];
  const before = ctx.tunables[good];
  if (!current || !before) return null;
  const changes = tunablesDiff(current, before);
  if (Object.keys(changes).length === 0) return null;
  const v = (id: string) => (ctx.version_numbers?.[id] !== undefined ? `version ${ctx.version_numbers[id]}` : `version ${id}`);
  const reason =
    `${alert.metric} = ${fmt(opening.value)} (${rule.operator} ${breach.threshold}, ${breach.level}) on run ${opening.id}, which opened the alert on ${v(bad)}, ` +
    `deployed at ${new Date(move.at).toISOString()} after run ${previous.id} on ${v(good)}, where ${alert.metric} = ${fmt(previous.value)} did not breach. ` +
    `Revert to ${v(good)}: ${Object.keys(changes).join(", ")}.`;
  return { type: "revert_deployment", changes, reason, base_version_id: bad };
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
 * 0. with a deployment context (a firing alert): its metric got worse right after a deploy →
 *    revert to the version deployed before (`revert_deployment`, {@link proposeRevert});
 * 1. gold_at_5 or answer_keyword_recall low and the retrieval tunables deviate from the defaults
 *    (the wrangler vars) → restore those keys (`restore_retrieval_defaults`);
 * 2. the same metrics low with default retrieval → raise FUSION_VECTOR_WEIGHT by 0.5 and
 *    PRF_TERMS by 8, within their ranges (`raise_retrieval_recall`);
 * 3. latency_p95_ms high → halve PRF_MAX_POSTINGS and lower PRF_CHUNKS by one (`lower_feedback_budget`).
 *
 * @param focus The metric to act on (e.g. a firing alert's); default: any of the above.
 * @param deployment What the revert rule reads; null or undefined skips it.
 */
export function proposeChanges(
  metrics: Record<string, number | null | undefined>,
  failures: FailureSummary,
  current: Tunables,
  defaults: Tunables,
  focus?: string,
  deployment?: DeploymentContext | null,
): ProposedChange | null {
  const reverted = deployment ? proposeRevert(deployment) : null;
  if (reverted) return reverted;
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
