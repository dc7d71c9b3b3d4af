/**
 * The alerts' API calls over the typed client, their answer types inferred from the Worker's
 * routes, and the list's state (severity, status, page, page size) as kept in the URL.
 */
import type { InferResponseType } from "hono/client";
import { api, call } from "../../api/client";
import { ALERT_SEVERITIES, ALERT_STATUSES, type AlertSeverity, type AlertStatus } from "../../../../worker/monitoring/alerts-state";

export { ALERT_SEVERITIES, ALERT_STATUSES, type AlertSeverity, type AlertStatus };

const alerts = api.api["meta-monitoring"].alerts;

/** `GET /api/meta-monitoring/alerts`: a page of alerts with the total. */
export type AlertPage = InferResponseType<typeof alerts.$get, 200>;
/** One alert. */
export type Alert = AlertPage["alerts"][number];
/** `GET /api/meta-monitoring/alerts/:id`: one alert with its transition log. */
export type AlertDetail = InferResponseType<(typeof alerts)[":id"]["$get"], 200>;
/** One row of the transition log. */
export type AlertTransition = AlertDetail["transitions"][number];

/** Page sizes offered by the list. */
export const PAGE_SIZES = [5, 10, 20, 50] as const;
/** The API's default page size. */
export const DEFAULT_PAGE_SIZE = 20;

/** The list's filters and page, as kept in the URL query string. */
export interface AlertsQuery {
  severity: AlertSeverity | "";
  status: AlertStatus | "";
  page: number;
  limit: number;
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | "" {
  return (values as readonly string[]).includes(value ?? "") ? (value as T) : "";
}

/** The list's state from a query-string record (invalid values become defaults). */
export function alertsQueryFrom(query: Record<string, string | undefined>): AlertsQuery {
  const page = Number.parseInt(query.page ?? "", 10);
  const limit = Number.parseInt(query.limit ?? "", 10);
  return {
    severity: oneOf(ALERT_SEVERITIES, query.severity),
    status: oneOf(ALERT_STATUSES, query.status),
    page: Number.isFinite(page) && page >= 1 && page <= 10_000 ? page : 1,
    limit: Number.isFinite(limit) && limit >= 1 && limit <= 100 ? limit : DEFAULT_PAGE_SIZE,
  };
}

/** The URL of the list (`/dashboard/alerts?…`) or, with `alertId`, of one alert's drawer over it; defaults are left out. */
export function alertsHref(q: AlertsQuery, alertId?: string): string {
  const params = new URLSearchParams();
  if (q.severity) params.set("severity", q.severity);
  if (q.status) params.set("status", q.status);
  if (q.page > 1) params.set("page", String(q.page));
  if (q.limit !== DEFAULT_PAGE_SIZE) params.set("limit", String(q.limit));
  const path = alertId ? `/dashboard/alerts/${encodeURIComponent(alertId)}` : "/dashboard/alerts";
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** A page of alerts, newest first. */
export function fetchAlerts(q: AlertsQuery): Promise<AlertPage> {
  const query: { page: string; limit: string; severity?: AlertSeverity; status?: AlertStatus } = { page: String(q.page), limit: String(q.limit) };
  if (q.severity) query.severity = q.severity;
  if (q.status) query.status = q.status;
  return call(alerts.$get({ query }));
}

/** One alert with its transitions. @throws ApiRequestError 404 for an unknown id. */
export function fetchAlert(id: string): Promise<AlertDetail> {
  return call(alerts[":id"].$get({ param: { id } }));
}

/** Acknowledges an open alert, with an optional note. @throws ApiRequestError 409 for a resolved alert. */
export function acknowledgeAlert(id: string, note: string): Promise<unknown> {
  const text = note.trim();
  return call(alerts[":id"].acknowledge.$post({ param: { id }, json: text ? { note: text } : {} }));
}

/** Resolves an open alert by hand; the note is required. @throws ApiRequestError 409 for a resolved alert, 422 for an empty note. */
export function resolveAlert(id: string, note: string): Promise<unknown> {
  return call(alerts[":id"].resolve.$post({ param: { id }, json: { note } }));
}
