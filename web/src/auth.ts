/**
 * Auth hook point. Accounts come with the access issue: the session token will live in an
 * HttpOnly cookie set by the API (never readable here), so requests only need
 * `credentials: "include"` (api/client.ts). This module holds who is signed in, for the layout,
 * and what a 401 does.
 */
import { signal } from "@preact/signals";

/** The signed-in user, or null (anonymous: the default until accounts exist). */
export const currentUser = signal<{ id: string; name: string; role: string } | null>(null);

/** Extra request headers (none: the token is a cookie). */
export function authHeaders(): Record<string, string> {
  return {};
}

/** Called on a 401 answer: forgets the user (a sign-in page will be shown from here). */
export function onUnauthorized(): void {
  currentUser.value = null;
}
