/**
 * The one confirmation dialog of the client: deleting a document (knowledge explorer) and the
 * dashboard's actions (approve, reject, apply, roll back, deploy). Built on the native <dialog>
 * (showModal: the page behind is inert, Escape cancels), with an optional reason field that may be
 * required (kept in the audit record). Focus starts in the reason field when there is one, else on
 * Cancel, the safe choice; on cancel it returns to the opener. While the action runs the buttons
 * are disabled and the confirm button says so; the API's error is shown in the dialog, which
 * stays open.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { describeError } from "../api/client";
import "./confirm-dialog.css";

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  /** Heading, e.g. "Reject this proposal?", "Delete this document?". */
  title: string;
  /** What the action does. */
  children?: ComponentChildren;
  /** Label of the confirm button, e.g. "Delete". */
  confirmLabel: string;
  /** A reason field: its label, and whether it must be filled. */
  reason?: { label: string; required: boolean; hint?: string };
  /** Runs on confirm with the trimmed reason ("" when none); the dialog stays open with the error if it throws. */
  onConfirm: (reason: string) => Promise<void> | void;
  /** Closes without acting (Cancel, Escape). */
  onCancel: () => void;
  /** Style the confirm button as destructive. */
  danger?: boolean;
  /** Where focus goes after a confirmed close (the opener may be gone); default the opener. */
  focusAfterConfirm?: () => HTMLElement | null | undefined;
}

/** Rendered while open; unmount it to close. */
export function ConfirmDialog({ title, children, confirmLabel, reason, onConfirm, onCancel, danger = false, focusAfterConfirm }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const confirmed = useRef(false);
  const afterConfirm = useRef(focusAfterConfirm);
  afterConfirm.current = focusAfterConfirm;
  const titleId = useId();
  const descId = useId();
  const reasonId = useId();
  const reasonHelpId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    (reasonRef.current ?? cancelRef.current)?.focus();
    return () => {
      if (dialog.open) dialog.close();
      const target = confirmed.current && afterConfirm.current ? afterConfirm.current() : previous;
      if (target && target.isConnected) target.focus();
    };
  }, []);

  const confirm = async () => {
    const value = text.trim();
    if (reason?.required && !value) {
      setMissing(true);
      reasonRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      confirmed.current = true;
      await onConfirm(value);
    } catch (e) {
      confirmed.current = false;
      setError(describeError(e));
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      class="confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={descId}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void confirm();
        }}
        noValidate
      >
        <h2 id={titleId}>{title}</h2>
        <div id={descId} class="confirm-dialog-body">
          {children}
        </div>
        {reason && (
          <div class="confirm-dialog-field">
            <label for={reasonId}>
              {reason.label}
              {reason.required ? " (required)" : " (optional)"}
            </label>
            <textarea
              id={reasonId}
              ref={reasonRef}
              rows={3}
              maxLength={1000}
              value={text}
              required={reason.required}
              aria-required={reason.required ? "true" : undefined}
              aria-invalid={missing && !text.trim() ? "true" : undefined}
              aria-describedby={reason.hint || missing ? reasonHelpId : undefined}
              disabled={busy}
              onInput={(e) => setText(e.currentTarget.value)}
            />
            {(reason.hint || missing) && (
              <p id={reasonHelpId} class={missing && !text.trim() ? "field-error" : "muted small-note"}>
                {missing && !text.trim() ? "Enter a reason: it is kept in the audit record." : reason.hint}
              </p>
            )}
          </div>
        )}
        {error && (
          <p class="alert" role="alert">
            {error}
          </p>
        )}
        <div class="confirm-dialog-buttons">
          <button ref={cancelRef} type="button" class="ghost" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="submit" class={danger ? "danger" : undefined} disabled={busy} aria-busy={busy ? "true" : undefined}>
            {busy ? (
              <>
                <span class="spinner" aria-hidden="true" /> Working…
              </>
            ) : (
              confirmLabel
            )}
          </button>
        </div>
      </form>
    </dialog>
  );
}
