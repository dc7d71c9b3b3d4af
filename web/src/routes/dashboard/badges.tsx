/**
 * Text badges of the dashboard pages: an alert's severity and status, the loop's health, a
 * metric's standing against its thresholds. The word is always shown: colour is never the only cue.
 */
import type { AlertSeverity, AlertStatus } from "./alertsApi";
import { label } from "./format";
import { STANDING_LABEL, type Standing } from "./metricsApi";
import "./badges.css";

// .critical, .high, .ok and .resolved are the shared badges of dashboard.css; the others are badges.css.
const SEVERITY_CLASS: Record<AlertSeverity, string> = { critical: "critical", high: "high", medium: "sev-medium", low: "sev-low" };
const STATUS_CLASS: Record<AlertStatus, string> = { firing: "st-firing", pending: "st-pending", resolved: "resolved" };
const HEALTH_CLASS: Record<string, string> = { ok: "ok", degraded: "health-degraded", critical: "critical" };
const STANDING_CLASS: Record<Standing["level"], string> = { critical: "critical", warning: "breach-warning", ok: "ok", no_rule: "", no_value: "" };

/** "Critical", "High", … */
export function SeverityBadge({ severity }: { severity: AlertSeverity }) {
  return <span class={`badge ${SEVERITY_CLASS[severity]}`}>{label(severity)}</span>;
}

/** "Firing", "Pending", "Resolved". */
export function StatusBadge({ status }: { status: AlertStatus }) {
  return <span class={`badge ${STATUS_CLASS[status]}`}>{label(status)}</span>;
}

/** "OK", "Degraded", "Critical": the loop's health or one check's. */
export function HealthBadge({ status }: { status: string }) {
  return <span class={`badge ${HEALTH_CLASS[status] ?? ""}`}>{status === "ok" ? "OK" : label(status)}</span>;
}

/** "Critical breach", "Warning breach", "Within thresholds", … with a ⚠ before a breach. */
export function StandingBadge({ level }: { level: Standing["level"] }) {
  const breach = level === "critical" || level === "warning";
  return (
    <span class={`badge ${STANDING_CLASS[level]}`} data-standing={level}>
      {breach && <span aria-hidden="true">⚠ </span>}
      {STANDING_LABEL[level]}
    </span>
  );
}
