/**
 * Formatting shared by the dashboard pages: dates, metric values in their unit, a rule's
 * threshold ("< 0.35"), and labels of statuses and severities. The metric definitions come from
 * the Worker (worker/monitoring/alerts-metrics.ts), not a copy.
 */
import { isMetricName, METRICS } from "../../../../worker/monitoring/alerts-metrics";

let dateTime: Intl.DateTimeFormat | undefined;
let shortDateTime: Intl.DateTimeFormat | undefined;

/** "7 Dec 2026, 14:05" (or the raw text when it is not a date, "—" for null). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  dateTime ??= new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
  return dateTime.format(d);
}

/** "7 Dec, 14:05": for dense tables and chart tooltips. */
export function formatShortDateTime(iso: string | number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  shortDateTime ??= new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  return shortDateTime.format(d);
}

/** A number with at most `digits` decimals, without trailing zeros ("0.333", "1"). */
function trimmed(v: number, digits: number): string {
  return String(Number(v.toFixed(digits)));
}

/** A metric's value in its unit: "0.333" (ratio), "118 ms", "2.5 calls"; "—" when missing. */
export function formatMetricValue(metric: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const unit = isMetricName(metric) ? METRICS[metric].unit : "ratio";
  if (unit === "ms") return `${Math.round(value)} ms`;
  if (unit === "calls") return `${trimmed(value, 2)} ${value === 1 ? "call" : "calls"}`;
  return trimmed(value, 3);
}

/** A value for an axis tick (no unit: the axis is labelled). */
export function formatTick(metric: string, value: number): string {
  const unit = isMetricName(metric) ? METRICS[metric].unit : "ratio";
  return unit === "ms" ? String(Math.round(value)) : trimmed(value, 2);
}

/** A threshold with its operator: "< 0.35", "> 3000 ms"; "—" when there is none. */
export function formatThreshold(metric: string, operator: string | undefined, threshold: number | null | undefined): string {
  if (threshold === null || threshold === undefined) return "—";
  return `${operator ?? ""} ${formatMetricValue(metric, threshold)}`.trim();
}

/** "Higher is better" / "Lower is better" for a known metric, "" otherwise. */
export function directionLabel(metric: string): string {
  if (!isMetricName(metric)) return "";
  return METRICS[metric].direction === "higher_is_better" ? "Higher is better" : "Lower is better";
}

/** "rolled_back" → "Rolled back", "firing" → "Firing". */
export function label(word: string): string {
  const text = word.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
