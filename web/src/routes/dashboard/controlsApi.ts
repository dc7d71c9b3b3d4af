/**
 * The Controls page's API calls over the typed client (types inferred from the Worker's routes):
 * evaluation runs, proposal generation, firing alerts, config versions, the production pointer
 * with its audit events, deploy and rollback.
 */
import type { InferRequestType, InferResponseType } from "hono/client";
import { api, call } from "../../api/client";

const mm = api.api["meta-monitoring"];
const config = api.api.config;

/** Body of `POST /api/meta-monitoring/control/evaluate`. */
export type EvaluateRequest = InferRequestType<typeof mm.control.evaluate.$post>["json"];
/** The run that `POST /control/evaluate` answers (status queued). */
export type StartedRun = InferResponseType<typeof mm.control.evaluate.$post, 202>;
/** One page of `GET /runs`. */
export type RunPage = InferResponseType<typeof mm.runs.$get, 200>;
/** One run of the list. */
export type RunSummary = RunPage["runs"][number];
/** One page of `GET /alerts`. */
export type AlertPage = InferResponseType<typeof mm.alerts.$get, 200>;
/** One alert of the list. */
export type AlertSummary = AlertPage["alerts"][number];
/** One page of `GET /api/config/versions`. */
export type VersionPage = InferResponseType<typeof config.versions.$get, 200>;
/** One config version (with its complete tunables). */
export type ConfigVersion = VersionPage["versions"][number];
/** `GET /api/config/production`: the pointer, its version and its latest moves. */
export type Production = InferResponseType<typeof config.production.$get, 200>;
/** One move of the production pointer (the audit log). */
export type DeploymentEvent = Production["events"][number];

/** The splits of the evaluation set, with labels (every value of the request's `dataset`). */
export const DATASET_LABELS: Record<EvaluateRequest["dataset"], string> = {
  test: "test (held-out split)",
  dev: "dev (tuning split)",
  replays: "replays (questions of thumbs-down answers)",
};

/** The corpora a run can be limited to, with labels (every value of the request's `corpus`). */
export const CORPUS_LABELS: Record<NonNullable<EvaluateRequest["corpus"]>, string> = {
  otel: "OpenTelemetry (otel)",
  "react-en": "React, English (react-en)",
  "react-ko": "React, Korean (react-ko)",
};

/** Versions per page of the versions table. */
export const VERSIONS_PAGE_SIZE = 10;
/** Audit events shown. */
export const AUDIT_EVENTS = 20;

/** Starts an evaluation run. */
export function startEvaluation(body: EvaluateRequest): Promise<StartedRun> {
  return call(mm.control.evaluate.$post({ json: body }));
}

/** The newest runs (any status). */
export function fetchRuns(limit = 20, status?: RunSummary["status"]): Promise<RunPage> {
  return call(mm.runs.$get({ query: status ? { limit: String(limit), status } : { limit: String(limit) } }));
}

/** The firing alerts (newest first, up to 100). */
export function fetchFiringAlerts(): Promise<AlertPage> {
  return call(mm.alerts.$get({ query: { status: "firing", limit: "100" } }));
}

/** Generates a proposal from a firing alert or a completed run. */
export function generateProposal(source: { alert_id: string } | { run_id: string }) {
  return call(mm.control["generate-proposal"].$post({ json: source }));
}

/** The pending proposals (those a validation can start for), newest first. */
export function fetchPendingProposals() {
  return call(mm.proposals.$get({ query: { status: "pending", limit: "100" } }));
}

/** One page of config versions, newest first. */
export function fetchVersions(page: number, limit = VERSIONS_PAGE_SIZE): Promise<VersionPage> {
  return call(config.versions.$get({ query: { page: String(page), limit: String(limit) } }));
}

/** One config version. */
export function fetchVersion(id: string): Promise<ConfigVersion> {
  return call(config.versions[":id"].$get({ param: { id } }));
}

/** The production pointer with its latest moves. */
export function fetchProduction(): Promise<Production> {
  return call(config.production.$get({ query: { events: String(AUDIT_EVENTS) } }));
}

/** Moves production to a version. */
export function deployVersion(versionId: string, reason: string) {
  return call(config.deploy.$post({ json: { version_id: versionId, reason } }));
}

/** Moves production back to the version before its latest move. */
export function rollbackProduction(reason: string) {
  return call(config.rollback.$post({ json: { reason } }));
}
