/**
 * Parts of a dashboard page that load on their own: one failing call leaves the other parts on
 * screen with its own error, while a 401 still ends the admin session (useAutoRefresh.ts).
 */
import { ApiRequestError } from "../../api/client";
import { errorText } from "./LoadState";

/** A part's data, or the API's error (status 0 for a network failure). */
export type Part<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

/** Awaits `request` into a {@link Part}. @throws ApiRequestError 401 (the session ended). */
export async function settle<T>(request: Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await request };
  } catch (e) {
    if (e instanceof ApiRequestError && e.status === 401) throw e;
    return { ok: false, status: e instanceof ApiRequestError ? e.status : 0, message: errorText(e) };
  }
}
