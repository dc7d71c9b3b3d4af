/**
 * One alert in a drawer over the list (`/dashboard/alerts/:alert_id`): a modal native <dialog>
 * (the page behind is inert, Escape closes), focus on its heading when it opens and back on the
 * element that opened it (or the alert's row link) when it closes. Shows the alert's facts, the
 * actions and the transition log; reloads every 30 s and after an action.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import { fetchAlert, type AlertDetail } from "./alertsApi";
import { AlertActions } from "./AlertActions";
import { SeverityBadge, StatusBadge } from "./badges";
import { formatDateTime, formatMetricValue, formatThreshold } from "./format";
import { LoadState } from "./LoadState";
import type { AlertRule } from "./metricsApi";
import { TransitionLog } from "./TransitionLog";
import { useAdminData } from "./useAdminData";

/** Props of {@link AlertDrawer}. */
export interface AlertDrawerProps {
  id: string;
  /** The rules (for the alert's rule name and operator); empty while unknown. */
  rules: readonly AlertRule[];
  /** Closes the drawer (the page routes back to the list). */
  onClose: () => void;
  /** Reloads the list after an action. */
  onChanged: () => Promise<void>;
  /** Where focus goes on close when the opener is gone (opened from a link elsewhere, or a reload). */
  fallbackFocus: () => HTMLElement | null;
}

function Facts({ alert, rule }: { alert: AlertDetail; rule: AlertRule | undefined }) {
  const rows: [string, ComponentChildren][] = [
    ["Rule", rule ? rule.name : alert.rule_id],
    ["Value", formatMetricValue(alert.metric, alert.value)],
    ["Threshold", formatThreshold(alert.metric, rule?.operator, alert.threshold)],
    ["Breaching runs", String(alert.breaching_runs)],
    ["Started", formatDateTime(alert.started_at)],
    ["Fired", formatDateTime(alert.fired_at)],
    ["Resolved", formatDateTime(alert.resolved_at)],
    ["Acknowledged", alert.acknowledged_at ? `${formatDateTime(alert.acknowledged_at)} by ${alert.acknowledged_by ?? "—"}` : "No"],
    ["Last run", alert.last_run_id ? <code>{alert.last_run_id}</code> : "—"],
    ["Alert id", <code>{alert.id}</code>],
  ];
  return (
    <dl class="alert-facts">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Rendered while the URL names an alert; unmount it to close. */
export function AlertDrawer({ id, rules, onClose, onChanged, fallbackFocus }: AlertDrawerProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const fallback = useRef(fallbackFocus);
  fallback.current = fallbackFocus;
  const titleId = useId();
  const detail = useAdminData(() => fetchAlert(id), [id]);
  const alert = detail.data;

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const active = document.activeElement;
    const opener = active instanceof HTMLElement && active !== document.body && !dialog.contains(active) ? active : null;
    if (!dialog.open) dialog.showModal();
    headingRef.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
      const target = opener?.isConnected ? opener : fallback.current();
      target?.focus();
    };
  }, []);

  const rule = alert ? rules.find((r) => r.id === alert.rule_id) : undefined;
  return (
    <dialog
      ref={dialogRef}
      class="alert-drawer"
      aria-labelledby={titleId}
      aria-busy={detail.loading ? "true" : "false"}
      data-alert-id={id}
      onCancel={(e) => {
        // Escape: close through the URL, so the page's state stays the truth.
        e.preventDefault();
        onClose();
      }}
    >
      <div class="drawer-head">
        <h2 id={titleId} ref={headingRef} tabIndex={-1}>
          Alert{alert ? <> on <code>{alert.metric}</code></> : ""}
        </h2>
        <button type="button" class="ghost" onClick={onClose}>
          Close<span class="visually-hidden"> the alert</span>
        </button>
      </div>
      <LoadState hasData={Boolean(alert)} loading={detail.loading} error={detail.error} what="the alert" />
      {alert && (
        <>
          <p class="drawer-badges">
            <SeverityBadge severity={alert.severity} /> <StatusBadge status={alert.status} />
            {alert.acknowledged_at && <span class="badge">Acknowledged</span>}
          </p>
          <Facts alert={alert} rule={rule} />
          <AlertActions
            alert={alert}
            onDone={async () => {
              await Promise.all([detail.refresh(), onChanged()]);
            }}
          />
          <h3>Transition log</h3>
          <TransitionLog metric={alert.metric} transitions={alert.transitions} />
        </>
      )}
    </dialog>
  );
}
