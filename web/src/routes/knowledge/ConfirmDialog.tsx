/**
 * A modal confirmation on the native <dialog> (showModal: the rest of the page is inert, focus
 * moves into the dialog, Escape cancels). Focus starts on Cancel, the safe choice; on cancel it
 * returns to the element that had it before. The confirm action may be async: the buttons are
 * disabled while it runs, and its error is shown in the dialog.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { describeError } from "../../api/client";

/** Props of ConfirmDialog. */
export interface ConfirmDialogProps {
  /** Heading of the dialog, e.g. "Delete this document?". */
  title: string;
  /** Explanation under the heading. */
  children?: ComponentChildren;
  /** Label of the confirm button, e.g. "Delete". */
  confirmLabel: string;
  /** Runs on confirm; the dialog stays open (with the error) if it throws. */
  onConfirm: () => Promise<void> | void;
  /** Closes without acting (Cancel, Escape). Focus returns to where it was. */
  onCancel: () => void;
  /** Style the confirm button as destructive. Default true. */
  danger?: boolean;
  /** Where focus goes once confirmed and closed (the opener may be gone, e.g. a deleted row's button); default: back to the opener. */
  focusAfterConfirm?: () => HTMLElement | null | undefined;
}

/** Rendered while open; unmount it to close. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, danger = true, focusAfterConfirm }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmed = useRef(false);
  const afterConfirm = useRef(focusAfterConfirm);
  afterConfirm.current = focusAfterConfirm;
  const titleId = useId();
  const descId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    cancelRef.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
      const target = confirmed.current && afterConfirm.current ? afterConfirm.current() : previous;
      if (target && target.isConnected) target.focus();
    };
  }, []);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      confirmed.current = true;
      await onConfirm();
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
        // Escape: close through the parent so its state stays the truth.
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div id={descId}>{children}</div>
      {error && (
        <p class="alert" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        <button ref={cancelRef} type="button" class="ghost" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" class={danger ? "danger" : undefined} onClick={confirm} disabled={busy}>
          {busy ? (
            <>
              <span class="spinner" aria-hidden="true" /> Working…
            </>
          ) : (
            confirmLabel
          )}
        </button>
      </div>
    </dialog>
  );
}
