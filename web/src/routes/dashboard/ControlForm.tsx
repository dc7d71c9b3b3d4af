/**
 * The scaffold of the dashboard's control forms (run an evaluation, generate a proposal, validate
 * a proposal): a titled panel with its explanation, the form's fields, one submit button that is
 * disabled and relabelled while the request runs, the API's error under the form, and what the
 * request started or created after it.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { errorText } from "./LoadState";

/** Props of {@link ControlForm}. */
export interface ControlFormProps {
  /** Prefix of the element ids, e.g. "evaluate" gives the heading id "evaluate-title". */
  id: string;
  /** Heading of the panel, e.g. "Run an evaluation". */
  title: string;
  /** One sentence on what the form does, under the heading. */
  description: string;
  /** The submit button's label, and its label while the request runs. */
  submitLabel: string;
  busyLabel: string;
  /** Leads the API's error, e.g. "Could not start the evaluation:". */
  errorPrefix: string;
  /** False disables the submit button (nothing to submit yet). Default true. */
  canSubmit?: boolean;
  /** Sends the request; a throw is shown as the error. Returns without sending when the input is invalid. */
  onSubmit: () => Promise<void>;
  /** The form's fields. */
  children: ComponentChildren;
  /** What the request started or created, shown under the form. */
  outcome?: ComponentChildren;
}

/** The panel, the form and its outcome. */
export function ControlForm({ id, title, description, submitLabel, busyLabel, errorPrefix, canSubmit = true, onSubmit, children, outcome }: ControlFormProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = `${id}-title`;
  return (
    <section class="control-panel" aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      <p class="muted">{description}</p>
      <form
        class="control-form"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          if (!canSubmit) return;
          setBusy(true);
          setError(null);
          try {
            await onSubmit();
          } catch (err) {
            setError(errorText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        {children}
        <div class="field submit">
          <button type="submit" disabled={busy || !canSubmit} aria-busy={busy ? "true" : undefined}>
            {busy ? busyLabel : submitLabel}
          </button>
        </div>
      </form>
      {error && (
        <p class="alert" role="alert">
          {errorPrefix} {error}
        </p>
      )}
      {outcome}
    </section>
  );
}
