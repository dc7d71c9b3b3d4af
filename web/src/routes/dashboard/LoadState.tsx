/**
 * What a dashboard section shows besides its data: a spinner before the first load, and the API's
 * error message (the previous data stays on screen after a failed refresh, useAutoRefresh.ts).
 */
import { ApiRequestError, describeError } from "../../api/client";

/** The API's message with its field details ("Invalid request body: note must not be empty"), or describeError's text. */
export function errorText(e: unknown): string {
  const text = describeError(e);
  if (!(e instanceof ApiRequestError) || !Array.isArray(e.details)) return text;
  const details = e.details
    .map((d: unknown) => (d && typeof d === "object" && "message" in d && typeof d.message === "string" ? d.message : ""))
    .filter(Boolean);
  return details.length ? `${text}: ${details.join("; ")}` : text;
}

/** Props of {@link LoadState}. */
export interface LoadStateProps {
  /** Whether data is on screen. */
  hasData: boolean;
  loading: boolean;
  error: unknown;
  /** What is loading, e.g. "the alerts". */
  what: string;
}

/** The loading line or the error box; nothing when the data is there and fresh. */
export function LoadState({ hasData, loading, error, what }: LoadStateProps) {
  if (error)
    return (
      <p class="alert" role="alert">
        {hasData ? `Could not refresh ${what}: ` : `Could not load ${what}: `}
        {errorText(error)}
      </p>
    );
  if (!hasData && loading)
    return (
      <p class="muted">
        <span class="spinner" aria-hidden="true" /> Loading {what}…
      </p>
    );
  return null;
}
