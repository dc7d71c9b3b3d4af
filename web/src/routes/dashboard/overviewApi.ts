/**
 * What the overview shows, loaded together: the loop's health, the latest metrics with the alert
 * rules, the five newest alerts and the proposals by status. Each part loads on its own, so one
 * failing call leaves the other sections on screen (a 401 still signs the dashboard out).
 */
import type { InferResponseType } from "hono/client";
import { api, call } from "../../api/client";
import { fetchAlerts, type AlertPage } from "./alertsApi";
import { fetchLatestMetrics, fetchRules, type AlertRules, type LatestMetrics } from "./metricsApi";
import { settle, type Part } from "./partial";

export type { Part };

const monitoring = api.api["meta-monitoring"];

/** `GET /api/meta-monitoring/health`: status, checks and the facts they were assessed on. */
export type LoopHealth = InferResponseType<typeof monitoring.health.$get, 200>;
/** `GET /api/meta-monitoring/proposals/stats`. */
export type ProposalStats = InferResponseType<typeof monitoring.proposals.stats.$get, 200>;

/** The overview's data. */
export interface Overview {
  health: Part<LoopHealth>;
  /** 404 before the first completed run. */
  latest: Part<LatestMetrics>;
  rules: Part<AlertRules>;
  recentAlerts: Part<AlertPage>;
  proposals: Part<ProposalStats>;
}

/** Number of alerts the overview lists. */
export const RECENT_ALERTS = 5;

/** Loads every part in parallel. @throws ApiRequestError 401 when the admin session ended. */
export async function loadOverview(): Promise<Overview> {
  const [health, latest, rules, recentAlerts, proposals] = await Promise.all([
    settle(call(monitoring.health.$get())),
    settle(fetchLatestMetrics()),
    settle(fetchRules()),
    settle(fetchAlerts({ severity: "", status: "", page: 1, limit: RECENT_ALERTS })),
    settle(call(monitoring.proposals.stats.$get())),
  ]);
  return { health, latest, rules, recentAlerts, proposals };
}
