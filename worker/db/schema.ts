/**
 * drizzle-orm schema of the D1 tables created by `migrations/0001_init.sql`. The FTS5 tables of
 * `0002_fts.sql` are queried with raw SQL (see storage/lexical.ts). Timestamps are epoch ms.
 */
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { FeedbackReason } from "../schemas";

export const documents = sqliteTable(
  "documents",
  {
    id: text("id").primaryKey(),
    source: text("source").notNull().unique(),
    title: text("title").notNull(),
    contentType: text("content_type").notNull(),
    domain: text("domain"),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    content: text("content").notNull(),
    contentHash: text("content_hash").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    chunkCount: integer("chunk_count").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("documents_domain_idx").on(t.domain), index("documents_updated_idx").on(t.updatedAt)],
);

export const chunks = sqliteTable(
  "chunks",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    documentId: text("document_id").notNull().references(() => documents.id, { onDelete: "cascade" }),
    chunkIndex: integer("chunk_index").notNull(),
    title: text("title").notNull(),
    heading: text("heading").notNull(),
    content: text("content").notNull(),
    charCount: integer("char_count").notNull(),
    /** Prompt-injection reasons of the detector (worker/guardrails/injection.ts) as JSON, null when not flagged (migrations/0016). */
    injectionFlags: text("injection_flags", { mode: "json" }).$type<string[]>(),
  },
  (t) => [index("chunks_document_idx").on(t.documentId, t.chunkIndex)],
);

export const ingestJobs = sqliteTable("ingest_jobs", {
  id: text("id").primaryKey(),
  status: text("status", { enum: ["queued", "running", "completed", "failed"] }).notNull(),
  total: integer("total").notNull(),
  done: integer("done").notNull().default(0),
  failed: integer("failed").notNull().default(0),
  errors: text("errors", { mode: "json" }).$type<{ source: string; message: string }[]>().notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const ingestJobItems = sqliteTable(
  "ingest_job_items",
  {
    id: text("id").primaryKey(),
    jobId: text("job_id").notNull().references(() => ingestJobs.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    payload: text("payload").notNull(),
    status: text("status", { enum: ["pending", "done", "failed"] }).notNull().default("pending"),
    error: text("error"),
  },
  (t) => [index("ingest_job_items_job_idx").on(t.jobId, t.status)],
);

export type DocumentRow = typeof documents.$inferSelect;
export type ChunkRow = typeof chunks.$inferSelect;

/** Feedback on an assistant message (`migrations/0005_feedback.sql`); one row per (session, message). */
export const feedback = sqliteTable(
  "feedback",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id").notNull(),
    messageId: text("message_id").notNull(),
    rating: text("rating", { enum: ["up", "down"] }).notNull(),
    reasons: text("reasons", { mode: "json" }).$type<FeedbackReason[]>().notNull(),
    comment: text("comment"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("feedback_created_idx").on(t.createdAt)],
);
export type FeedbackRow = typeof feedback.$inferSelect;

/**
 * Immutable configuration versions (`migrations/0006_config_versions.sql`): `values` holds the
 * complete set of tunables (worker/config-versions/tunables.ts); `version` is 1, 2, … and unique.
 */
export const configVersions = sqliteTable("config_versions", {
  id: text("id").primaryKey(),
  version: integer("version").notNull().unique(),
  parentId: text("parent_id"),
  values: text("values", { mode: "json" }).$type<Record<string, string | number>>().notNull(),
  description: text("description").notNull().default(""),
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at").notNull(),
});
export type ConfigVersionRow = typeof configVersions.$inferSelect;

/** Named pointers to a config version; `production` is the one the Worker reads. */
export const deployments = sqliteTable("deployments", {
  name: text("name").primaryKey(),
  versionId: text("version_id").notNull(),
  updatedAt: integer("updated_at").notNull(),
  updatedBy: text("updated_by").notNull(),
});
export type DeploymentRow = typeof deployments.$inferSelect;

/** Append-only audit log of pointer moves, ordered by `seq`. */
export const deploymentEvents = sqliteTable(
  "deployment_events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    name: text("name").notNull(),
    fromVersionId: text("from_version_id"),
    toVersionId: text("to_version_id").notNull(),
    action: text("action", { enum: ["deploy", "rollback"] }).notNull(),
    actor: text("actor").notNull(),
    reason: text("reason").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("deployment_events_name_idx").on(t.name, t.seq)],
);
export type DeploymentEventRow = typeof deploymentEvents.$inferSelect;

/** An evaluation run of the quality loop (`migrations/0008_evaluation_runs.sql`, worker/monitoring/runs.ts). */
export const evaluationRuns = sqliteTable(
  "evaluation_runs",
  {
    id: text("id").primaryKey(),
    dataset: text("dataset", { enum: ["test", "dev", "replays"] }).notNull(),
    corpus: text("corpus"),
    configOverrides: text("config_overrides", { mode: "json" }).$type<Record<string, string | number>>().notNull(),
    configVersionId: text("config_version_id"),
    trigger: text("trigger", { enum: ["manual", "cron", "validation"] }).notNull(),
    status: text("status", { enum: ["queued", "running", "completed", "failed"] }).notNull(),
    caseIds: text("case_ids", { mode: "json" }).$type<string[]>().notNull(),
    batchSize: integer("batch_size").notNull(),
    total: integer("total").notNull(),
    done: integer("done").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    batchCount: integer("batch_count").notNull(),
    metrics: text("metrics", { mode: "json" }).$type<Record<string, number | null>>(),
    error: text("error"),
    createdAt: integer("created_at").notNull(),
    startedAt: integer("started_at"),
    completedAt: integer("completed_at"),
    /** Shift (ms, ≤ 0) of the run's recorded times for a run started with `as_of`; 0 otherwise. */
    clockOffsetMs: integer("clock_offset_ms").notNull().default(0),
    /** Replays runs: the thumbs-down filter they selected with (`migrations/0011`); null for the splits. */
    replayFilter: text("replay_filter", { mode: "json" }).$type<ReplayFilter>(),
  },
  (t) => [index("evaluation_runs_created_idx").on(t.createdAt), index("evaluation_runs_status_idx").on(t.status, t.completedAt)],
);
export type EvaluationRunRow = typeof evaluationRuns.$inferSelect;

/** One case's judgement in an evaluation run; one row per (run, case). */
export const evaluationResults = sqliteTable(
  "evaluation_results",
  {
    runId: text("run_id").notNull().references(() => evaluationRuns.id, { onDelete: "cascade" }),
    caseId: text("case_id").notNull(),
    batchIndex: integer("batch_index").notNull(),
    outcome: text("outcome", { enum: ["answer", "refusal", "clarification"] }),
    answered: integer("answered", { mode: "boolean" }).notNull().default(false),
    refused: integer("refused", { mode: "boolean" }).notNull().default(false),
    keywordsHit: integer("keywords_hit").notNull().default(0),
    keywordsTotal: integer("keywords_total").notNull().default(0),
    goldAt5: integer("gold_at_5", { mode: "boolean" }).notNull().default(false),
    citations: integer("citations").notNull().default(0),
    citationsValid: integer("citations_valid").notNull().default(0),
    citationsGold: integer("citations_gold").notNull().default(0),
    citationPrecision: real("citation_precision"),
    latencyMs: integer("latency_ms").notNull().default(0),
    llmCalls: integer("llm_calls").notNull().default(0),
    problems: text("problems", { mode: "json" }).$type<string[]>().notNull(),
    error: text("error"),
    response: text("response").notNull().default(""),
    /** Share (0..1) of the answer's sentences the LLM judge found supported by the cited sources; null when not judged. */
    faithfulness: real("faithfulness"),
    /** Replays: whether the new answer differs from the thumbs-down one; null for the splits. */
    changed: integer("changed", { mode: "boolean" }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.caseId] }), index("evaluation_results_batch_idx").on(t.runId, t.batchIndex)],
);
export type EvaluationResultRow = typeof evaluationResults.$inferSelect;

/** The thumbs-down filter of a replays run: rated at or after `since` (epoch ms), with any of `reasons`; null = no filter. */
export interface ReplayFilter {
  since: number | null;
  reasons: FeedbackReason[] | null;
}

/**
 * The questions a replays run asks again, chosen when it starts (`migrations/0011`): one row per
 * (run, case), `case_id` being the thumbs-down feedback's id.
 */
export const evaluationReplayCases = sqliteTable(
  "evaluation_replay_cases",
  {
    runId: text("run_id").notNull().references(() => evaluationRuns.id, { onDelete: "cascade" }),
    caseId: text("case_id").notNull(),
    sessionId: text("session_id").notNull(),
    messageId: text("message_id").notNull(),
    /** The user question before the rated answer (its resolved query when it had one). */
    question: text("question").notNull(),
    /** The first 500 characters of the rated answer. */
    previousResponse: text("previous_response").notNull(),
    previousOutcome: text("previous_outcome", { enum: ["answer", "refusal", "clarification"] }),
    reasons: text("reasons", { mode: "json" }).$type<FeedbackReason[]>().notNull(),
    comment: text("comment"),
    /** When the thumbs-down was given, epoch ms. */
    ratedAt: integer("rated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.caseId] })],
);
export type EvaluationReplayCaseRow = typeof evaluationReplayCases.$inferSelect;

/** Alert rules over evaluation metrics (`migrations/0007_alerts.sql`, worker/monitoring/alerts-state.ts). */
export const alertRules = sqliteTable("alert_rules", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  metric: text("metric").notNull(),
  operator: text("operator", { enum: ["<", "<=", ">", ">="] }).notNull(),
  warning: real("warning"),
  critical: real("critical"),
  warningSeverity: text("warning_severity", { enum: ["critical", "high", "medium", "low"] }).notNull().default("high"),
  criticalSeverity: text("critical_severity", { enum: ["critical", "high", "medium", "low"] }).notNull().default("critical"),
  forRuns: integer("for_runs").notNull().default(1),
  keepFiringForRuns: integer("keep_firing_for_runs").notNull().default(0),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  createdAt: integer("created_at").notNull(),
});
export type AlertRuleRow = typeof alertRules.$inferSelect;

/** Alerts raised by alert rules; at most one open (pending or firing) alert per rule. */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    ruleId: text("rule_id").notNull().references(() => alertRules.id),
    metric: text("metric").notNull(),
    status: text("status", { enum: ["pending", "firing", "resolved"] }).notNull(),
    severity: text("severity", { enum: ["critical", "high", "medium", "low"] }).notNull(),
    value: real("value").notNull(),
    threshold: real("threshold").notNull(),
    breachingRuns: integer("breaching_runs").notNull(),
    recoveringRuns: integer("recovering_runs").notNull().default(0),
    firstRunId: text("first_run_id").notNull(),
    lastRunId: text("last_run_id").notNull(),
    startedAt: integer("started_at").notNull(),
    firedAt: integer("fired_at"),
    resolvedAt: integer("resolved_at"),
    acknowledgedBy: text("acknowledged_by"),
    acknowledgedAt: integer("acknowledged_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("alerts_started_idx").on(t.startedAt), index("alerts_status_severity_idx").on(t.status, t.severity)],
);
export type AlertRow = typeof alerts.$inferSelect;

/** Append-only log of alert state transitions (and acknowledgements, with from = to status). */
export const alertTransitions = sqliteTable(
  "alert_transitions",
  {
    id: text("id").primaryKey(),
    alertId: text("alert_id").notNull().references(() => alerts.id),
    fromStatus: text("from_status", { enum: ["pending", "firing", "resolved"] }),
    toStatus: text("to_status", { enum: ["pending", "firing", "resolved"] }).notNull(),
    value: real("value"),
    runId: text("run_id"),
    note: text("note"),
    at: integer("at").notNull(),
  },
  (t) => [index("alert_transitions_alert_idx").on(t.alertId, t.at)],
);
export type AlertTransitionRow = typeof alertTransitions.$inferSelect;

/** Proposals of the quality loop (`migrations/0009_proposals.sql`, worker/monitoring/proposals.ts). */
export const proposals = sqliteTable(
  "proposals",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    status: text("status", { enum: ["pending", "validated", "approved", "rejected", "applied", "rolled_back"] }).notNull(),
    alertId: text("alert_id"),
    runId: text("run_id").notNull(),
    baseVersionId: text("base_version_id").notNull(),
    changes: text("changes", { mode: "json" }).$type<Record<string, { from: string | number; to: string | number }>>().notNull(),
    reason: text("reason").notNull(),
    candidateVersionId: text("candidate_version_id").notNull(),
    validation: text("validation", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: integer("created_at").notNull(),
    decidedBy: text("decided_by"),
    decidedAt: integer("decided_at"),
    decisionReason: text("decision_reason"),
    appliedAt: integer("applied_at"),
    /** The version production was on when the proposal was applied (migration 0013); null before. */
    appliedFromVersionId: text("applied_from_version_id"),
    rolledBackAt: integer("rolled_back_at"),
  },
  (t) => [index("proposals_created_idx").on(t.createdAt), index("proposals_status_idx").on(t.status, t.type)],
);
export type ProposalRow = typeof proposals.$inferSelect;
