/**
 * Acknowledge (optional note) and Resolve (note required) of an open alert, in the drawer. While
 * an action runs both buttons are disabled; its outcome is announced (success in a status
 * message that takes the focus, since the form may be gone; an error in the API's words) and the
 * drawer and the list reload through `onDone`.
 */
import { useRef, useState } from "preact/hooks";
import { acknowledgeAlert, resolveAlert, type AlertDetail } from "./alertsApi";
import { formatDateTime } from "./format";
import { errorText } from "./LoadState";

/** Props of {@link AlertActions}. */
export interface AlertActionsProps {
  alert: AlertDetail;
  /** Reloads the alert and the list after an action (and after a failed one: the alert may have changed). */
  onDone: () => Promise<void>;
}

/** The two action forms, or why they are not offered. */
export function AlertActions({ alert, onDone }: AlertActionsProps) {
  const [ackNote, setAckNote] = useState("");
  const [resolveNote, setResolveNote] = useState("");
  const [busy, setBusy] = useState<"acknowledge" | "resolve" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const doneRef = useRef<HTMLParagraphElement>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);

  const run = async (kind: "acknowledge" | "resolve", action: () => Promise<unknown>, message: string) => {
    setBusy(kind);
    setError(null);
    setDone(null);
    try {
      await action();
      setDone(message);
      if (kind === "acknowledge") setAckNote("");
      else setResolveNote("");
      await onDone();
      doneRef.current?.focus();
    } catch (e) {
      setError(errorText(e));
      await onDone().catch(() => undefined);
      errorRef.current?.focus();
    } finally {
      setBusy(null);
    }
  };

  const open = alert.status !== "resolved";
  return (
    <section class="alert-actions" aria-labelledby="alert-actions-title">
      <h3 id="alert-actions-title">Actions</h3>
      {done && (
        <p class="success" role="status" tabIndex={-1} ref={doneRef}>
          {done}
        </p>
      )}
      {error && (
        <p class="alert" role="alert" tabIndex={-1} ref={errorRef}>
          {error}
        </p>
      )}
      {!open && <p class="muted">This alert is resolved: it can no longer be acknowledged or resolved. A new breach opens a new alert.</p>}
      {open && alert.acknowledged_at && (
        <p class="muted">
          Acknowledged by {alert.acknowledged_by ?? "the admin"} on {formatDateTime(alert.acknowledged_at)}: it sends no more notifications.
        </p>
      )}
      {open && !alert.acknowledged_at && (
        <form
          class="alert-action"
          onSubmit={(e) => {
            e.preventDefault();
            void run("acknowledge", () => acknowledgeAlert(alert.id, ackNote), "Alert acknowledged.");
          }}
        >
          <label for="ack-note">Acknowledgement note (optional)</label>
          <textarea id="ack-note" rows={2} maxLength={1000} value={ackNote} onInput={(e) => setAckNote(e.currentTarget.value)} />
          <button type="submit" disabled={busy !== null}>
            {busy === "acknowledge" ? "Acknowledging…" : "Acknowledge"}
          </button>
        </form>
      )}
      {open && (
        <form
          class="alert-action"
          onSubmit={(e) => {
            e.preventDefault();
            void run("resolve", () => resolveAlert(alert.id, resolveNote), "Alert resolved.");
          }}
        >
          <label for="resolve-note">Resolution note (required)</label>
          <textarea id="resolve-note" rows={2} maxLength={1000} required value={resolveNote} onInput={(e) => setResolveNote(e.currentTarget.value)} />
          <button type="submit" class="danger" disabled={busy !== null}>
            {busy === "resolve" ? "Resolving…" : "Resolve"}
          </button>
        </form>
      )}
    </section>
  );
}
