/**
 * The Proposals page's API calls over the typed client, the answer types inferred from the
 * Worker's routes (no copied types), the list's state in the URL, labels, and the reading of a
 * proposal's validation (stored as free JSON, see worker/monitoring/validation.ts).
 */
import type { InferResponseType } from "hono/client";
import { api, call } from "../../api/client";
import { isMetricName, METRICS, type MetricDirection } from "../../../../worker/monitoring/alerts-metrics";
import type { PairedInterval } from "../../../../worker/monitoring/bootstrap";
import type { ProposalType } from "../../../../worker/monitoring/proposals-rules";
import type { Flip } from "../../../../worker/monitoring/validation";
import type { ValueUnit } from "./valueFormat";

const mm = api.api["meta-monitoring"];

/** Proposals per page of the list. */
export const PROPOSALS_PAGE_SIZE = 20;

/** One page of `GET /api/meta-monitoring/proposals`. */
export type ProposalPage = InferResponseType<typeof mm.proposals.$get, 200>;
/** A proposal as the API shows it (list rows and the detail). */
export type Proposal = ProposalPage["proposals"][number];
/** Status of a proposal. */
export type ProposalStatus = Proposal["status"];
/** `GET /api/meta-monitoring/proposals/stats`. */
export type ProposalStats = InferResponseType<typeof mm.proposals.stats.$get, 200>;
/** `GET /api/meta-monitoring/runs/:id`. */
export type EvaluationRun = InferResponseType<(typeof mm.runs)[":id"]["$get"], 200>;

/** Every status, in the order of the lifecycle, with its label. */
export const STATUS_LABELS: Record<ProposalStatus, string> = {
  pending: "Pending",
  validated: "Validated",
  approved: "Approved",
  rejected: "Rejected",
  applied: "Applied",
  rolled_back: "Rolled back",
};
/** The statuses, in lifecycle order. */
export const PROPOSAL_STATUSES = Object.keys(STATUS_LABELS) as ProposalStatus[];

/** Every type the rules make (worker/monitoring/proposals-rules.ts), with its label. */
export const TYPE_LABELS: Record<ProposalType, string> = {
  revert_deployment: "Revert deployment",
  restore_retrieval_defaults: "Restore retrieval defaults",
  raise_retrieval_recall: "Raise retrieval recall",
  lower_feedback_budget: "Lower feedback budget",
};

/** The label of a type; an unknown type (from a later rule) is shown as it is. */
export function typeLabel(type: string): string {
  return (TYPE_LABELS as Record<string, string>)[type] ?? type;
}

/** True for one of the statuses. */
export function isProposalStatus(s: string): s is ProposalStatus {
  return (PROPOSAL_STATUSES as string[]).includes(s);
}

/** Filters and page of the list, as kept in the URL query string. */
export interface ProposalListQuery {
  status: ProposalStatus | "";
  type: string;
  page: number;
}

/** Reads the list's state from the query string (invalid values become the defaults). */
export function proposalQueryFrom(query: Record<string, string | undefined>): ProposalListQuery {
  const page = Number.parseInt(query.page ?? "", 10);
  const status = query.status ?? "";
  return {
    status: isProposalStatus(status) ? status : "",
    type: (query.type ?? "").slice(0, 64),
    page: Number.isFinite(page) && page >= 1 ? page : 1,
  };
}

/** The `/dashboard/proposals` URL of a list state (defaults left out). */
export function proposalsHref(state: ProposalListQuery): string {
  const params = new URLSearchParams();
  if (state.status) params.set("status", state.status);
  if (state.type) params.set("type", state.type);
  if (state.page > 1) params.set("page", String(state.page));
  const qs = params.toString();
  return qs ? `/dashboard/proposals?${qs}` : "/dashboard/proposals";
}

/** The detail page of a proposal. */
export function proposalHref(id: string): string {
  return `/dashboard/proposals/${encodeURIComponent(id)}`;
}

/** One page of proposals, with the counts by status and type (for the filters). */
export async function fetchProposalList(state: ProposalListQuery): Promise<{ page: ProposalPage; stats: ProposalStats }> {
  const query: { page: string; limit: string; status?: ProposalStatus; type?: string } = { page: String(state.page), limit: String(PROPOSALS_PAGE_SIZE) };
  if (state.status) query.status = state.status;
  if (state.type) query.type = state.type;
  const [page, stats] = await Promise.all([call(mm.proposals.$get({ query })), call(mm.proposals.stats.$get())]);
  return { page, stats };
}

/** One proposal with its validation (reading it finishes a validation whose runs are done). */
export function fetchProposal(id: string): Promise<Proposal> {
  return call(mm.proposals[":id"].$get({ param: { id } }));
}

/** An evaluation run with its progress. */
export function fetchRun(id: string): Promise<EvaluationRun> {
  return call(mm.runs[":id"].$get({ param: { id } }));
}

/** The decisions on a proposal; each answers the updated proposal. */
export const proposalActions = {
  approve: (id: string, reason?: string) => call(mm.proposals[":id"].approve.$post({ param: { id }, json: reason ? { reason } : {} })),
  reject: (id: string, reason: string) => call(mm.proposals[":id"].reject.$post({ param: { id }, json: { reason } })),
  apply: (id: string) => call(mm.proposals[":id"].apply.$post({ param: { id } })),
  rollback: (id: string, reason?: string) => call(mm.proposals[":id"].rollback.$post({ param: { id }, json: reason ? { reason } : {} })),
  validate: (id: string) => call(mm.control["validate-proposal"].$post({ json: { proposal_id: id } })),
};

/** How a metric of a validation reads: direction, unit, description. */
export interface MetricInfo {
  direction: MetricDirection | null;
  unit: ValueUnit;
  description: string;
}

/**
 * The definition of a validation's per-question value: the run metrics of
 * worker/monitoring/alerts-metrics.ts, plus latency_ms (per turn, lower is better).
 */
export function metricInfo(name: string): MetricInfo {
  if (isMetricName(name)) return METRICS[name];
  if (name === "latency_ms") return { direction: "lower_is_better", unit: "ms", description: "Time of a chat turn, in milliseconds." };
  return { direction: null, unit: "ratio", description: "" };
}

/** What a delta's interval says, direction-aware. */
export type Verdict = "better" | "worse" | "unclear" | "unchanged";

/** True when the interval lies entirely above or entirely below 0. */
export function excludesZero(d: PairedInterval): boolean {
  return d.ci_low > 0 || d.ci_high < 0;
}

/** Better or worse when the interval excludes 0, "unchanged" for a zero delta, else "unclear". */
export function verdictOf(d: PairedInterval, direction: MetricDirection | null): Verdict {
  if (excludesZero(d) && direction) {
    const up = d.delta > 0;
    return up === (direction === "higher_is_better") ? "better" : "worse";
  }
  return d.delta === 0 && d.ci_low === 0 && d.ci_high === 0 ? "unchanged" : "unclear";
}

/** A proposal's validation, read from its JSON. */
export type ValidationView =
  | { status: "running"; baselineRunId: string; candidateRunId: string; cases: number; startedAt: string | null; level: number }
  | { status: "failed"; error: string; baselineRunId: string | null; candidateRunId: string | null; completedAt: string | null }
  | {
      status: "completed";
      baselineRunId: string | null;
      candidateRunId: string | null;
      pairedCases: number;
      resamples: number | null;
      level: number;
      /** Per-question values in the stored order; null when no case defines it. */
      metrics: { name: string; delta: PairedInterval | null }[];
      flips: Flip[];
      completedAt: string | null;
    };

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function interval(v: unknown): PairedInterval | null {
  if (!v || typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  const [n, baseline, candidate, delta, lo, hi] = [o.n, o.baseline, o.candidate, o.delta, o.ci_low, o.ci_high].map(num);
  if (n === null || baseline === null || candidate === null || delta === null || lo === null || hi === null) return null;
  return { n, baseline, candidate, delta, ci_low: lo, ci_high: hi, level: num(o.level) ?? 0.95 };
}

function flip(v: unknown): Flip | null {
  if (!v || typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  const side = (x: unknown) => (x === "pass" || x === "fail" ? x : null);
  const from = side(o.from);
  const to = side(o.to);
  const caseId = str(o.case_id);
  if (!from || !to || !caseId) return null;
  const problems = (x: unknown) => (Array.isArray(x) ? x.filter((p): p is string => typeof p === "string") : []);
  return { case_id: caseId, from, to, baseline_problems: problems(o.baseline_problems), candidate_problems: problems(o.candidate_problems) };
}

/** The validation of a proposal in a typed form, or null when there is none (or it is unreadable). */
export function readValidation(v: Proposal["validation"]): ValidationView | null {
  if (!v || typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  const baselineRunId = str(o.baseline_run_id);
  const candidateRunId = str(o.candidate_run_id);
  const level = num(o.level) ?? 0.95;
  if (o.status === "running") {
    if (!baselineRunId || !candidateRunId) return null;
    return { status: "running", baselineRunId, candidateRunId, cases: Array.isArray(o.case_ids) ? o.case_ids.length : 0, startedAt: str(o.started_at), level };
  }
  if (o.status === "failed") return { status: "failed", error: str(o.error) ?? "An evaluation run of the validation failed.", baselineRunId, candidateRunId, completedAt: str(o.completed_at) };
  if (o.status !== "completed") return null;
  const metrics = o.metrics && typeof o.metrics === "object" ? Object.entries(o.metrics as Record<string, unknown>).map(([name, d]) => ({ name, delta: interval(d) })) : [];
  const flips = Array.isArray(o.flips) ? o.flips.map(flip).filter((f): f is Flip => f !== null) : [];
  return {
    status: "completed", baselineRunId, candidateRunId, pairedCases: num(o.paired_cases) ?? 0, resamples: num(o.resamples), level, metrics, flips,
    completedAt: str(o.completed_at),
  };
}
