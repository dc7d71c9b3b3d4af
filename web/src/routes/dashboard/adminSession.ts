/**
 * The dashboard's admin session: `POST /api/admin/session` checks the admin token and sets an
 * HttpOnly cookie (the token is never stored by the page), `GET` tells whether this browser is
 * signed in, `DELETE` signs out. A signed-in admin account (auth.ts) opens the dashboard without
 * the token. A 401 from any dashboard call marks the session signed out.
 */
import { signal } from "@preact/signals";
import { api, call } from "../../api/client";
import { can, currentUser, reloadAuth, signOut as signOutOfAccount } from "../../auth";

/** "unknown" until the first check answers. */
export type AdminState = "unknown" | "signed-out" | "signed-in";

/** Whether this browser holds a valid admin session. */
export const adminState = signal<AdminState>("unknown");

/** Asks the server whether the session cookie is valid; sets {@link adminState}. */
export async function checkAdmin(): Promise<void> {
  // An admin account (or the admin token's cookie, which /api/auth/me reported): no token needed.
  if (can("admin")) {
    adminState.value = "signed-in";
    return;
  }
  const body = await call(api.api.admin.session.$get());
  adminState.value = body.admin ? "signed-in" : "signed-out";
}

/**
 * Signs in with the admin token.
 * @throws ApiRequestError 403 `forbidden` for a wrong token, 422 for an empty one.
 */
export async function signIn(token: string): Promise<void> {
  await call(api.api.admin.session.$post({ json: { token } }));
  adminState.value = "signed-in";
  void reloadAuth(); // the header shows the admin token
}

/** Signs out: a signed-in account signs out of the app (to /login), the admin token clears its cookie. */
export async function signOut(): Promise<void> {
  if (currentUser.value) return signOutOfAccount();
  await call(api.api.admin.session.$delete());
  adminState.value = "signed-out";
  await reloadAuth();
}
