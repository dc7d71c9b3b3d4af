/**
 * Who is signed in, and what a 401 does (docs/access.md). The tokens live in HttpOnly cookies set
 * by the API (`edge_rag_access` Path=/, `edge_rag_refresh` Path=/api/auth): this page never reads
 * or stores them, every request just sends `credentials: "include"`.
 *
 * - {@link loadAuth} (once, at start): `GET /api/auth/me` tells the mode (`accounts` or `open`),
 *   the caller's kind, user and permissions. With accounts and no valid access cookie it tries
 *   the refresh cookie once; still anonymous, it sends the browser to `/login?next=…` (except on
 *   the sign-in page and the dashboard, which has its own admin-token sign-in).
 * - {@link authFetch} (the API client's fetch): on a 401 it refreshes the session once (one
 *   refresh at a time for every request that fails together) and retries the request; when the
 *   refresh fails it goes to the sign-in page (accounts mode).
 * - {@link signOut}: `POST /api/auth/logout` (and the dashboard's admin-token session), then /login.
 */
import { computed, signal } from "@preact/signals";
import { permissionsOf, type Permission, type Role } from "../../worker/auth/roles";

export type { Permission, Role };

/** How the server authenticates: `accounts` (sign-in required) or `open` (local development). */
export type AuthMode = "accounts" | "open";

/** Who the API says the caller is. */
export type PrincipalKind = "user" | "api_key" | "admin_token" | "anonymous";

/** The signed-in user. */
export interface SignedInUser {
  id: string;
  email: string;
  role: Role;
}

/** The answer of `GET /api/auth/me`. */
export interface MeBody {
  auth_mode: AuthMode;
  kind: PrincipalKind;
  user: { id: string; email: string | null; role: Role | null } | null;
  role: Role | null;
  permissions: Permission[];
}

/** What the client knows about the caller. */
export type AuthState =
  | { status: "loading" }
  | { status: "error"; message: string }
  | { status: "ready"; mode: AuthMode; kind: PrincipalKind; permissions: Permission[] };

/** The state of the start-up check (and of later checks). */
export const authState = signal<AuthState>({ status: "loading" });

/** The signed-in user, or null (anonymous, the admin token, or not known yet). */
export const currentUser = signal<SignedInUser | null>(null);

/** The server's mode, once known. */
export const authMode = computed<AuthMode | null>(() => (authState.value.status === "ready" ? authState.value.mode : null));

/** Whether the caller has a permission (false until known). In open mode anonymous may chat and write. */
export function can(permission: Permission): boolean {
  const s = authState.value;
  return s.status === "ready" && s.permissions.includes(permission);
}

/** Extra request headers (none: the credentials are cookies). */
export function authHeaders(): Record<string, string> {
  return {};
}

/** The path of the sign-in page. */
export const LOGIN_PATH = "/login";

/** Where the app goes when there is nowhere better. */
export const DEFAULT_PATH = "/chat";

function apiUrl(path: string): string {
  return new URL(path, __API_ORIGIN__ || location.origin).toString();
}

function apply(me: MeBody): void {
  currentUser.value = me.kind === "user" && me.user?.email && me.user.role ? { id: me.user.id, email: me.user.email, role: me.user.role } : null;
  authState.value = { status: "ready", mode: me.auth_mode, kind: me.kind, permissions: me.permissions };
}

async function fetchMe(): Promise<MeBody> {
  const res = await fetch(apiUrl("/api/auth/me"), { credentials: "include", headers: { accept: "application/json" } });
  if (!res.ok) {
    let message = `The server answered ${res.status} ${res.statusText}`.trim();
    try {
      message = ((await res.json()) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON
    }
    throw new Error(message);
  }
  return (await res.json()) as MeBody;
}

/** True on the sign-in page. */
function onLoginPage(): boolean {
  return location.pathname === LOGIN_PATH;
}

/** True on the dashboard, which signs in with the admin token or an admin account itself. */
function onDashboard(): boolean {
  return location.pathname === "/dashboard" || location.pathname.startsWith("/dashboard/");
}

/**
 * `next` if it is a path of this site ("/…", not "//…" nor "/\…", no control characters, not the
 * sign-in page itself), else {@link DEFAULT_PATH}.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || /[\u0000-\u001f\u007f]/.test(next)) return DEFAULT_PATH;
  try {
    const url = new URL(next, location.origin);
    if (url.origin !== location.origin || url.pathname === LOGIN_PATH) return DEFAULT_PATH;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return DEFAULT_PATH;
  }
}

/** `/login?next=<this page>`. */
export function loginHref(next = `${location.pathname}${location.search}${location.hash}`): string {
  const target = safeNext(next);
  return target === DEFAULT_PATH && next !== DEFAULT_PATH ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(target)}`;
}

/** Sends the browser to the sign-in page, back to this page afterwards (replacing the history entry). */
function goToLogin(): void {
  if (onLoginPage()) return;
  location.replace(loginHref());
}

/** Bumped by every successful refresh: a 401 to a request sent before it just retries. */
let generation = 0;
let refreshing: Promise<boolean> | null = null;

/**
 * `POST /api/auth/refresh` with the refresh cookie: the server sets new cookies. One at a time:
 * concurrent callers share the same attempt (the refresh token rotates, and presenting an already
 * exchanged one again revokes the whole family). Resolves whether it worked.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const res = await fetch(apiUrl("/api/auth/refresh"), {
        method: "POST",
        credentials: "include",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      if (!res.ok) return false;
      const body = (await res.json()) as { user?: { id: string; email: string; role: Role } };
      generation++;
      if (body.user) {
        currentUser.value = { id: body.user.id, email: body.user.email, role: body.user.role };
        const mode = authState.value.status === "ready" ? authState.value.mode : "accounts";
        authState.value = { status: "ready", mode, kind: "user", permissions: permissionsOf(body.user.role) };
      }
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** Whether a 401 is worth a refresh: accounts mode (or not known yet), or a user was signed in. */
function mayRefresh(): boolean {
  const s = authState.value;
  return s.status !== "ready" || s.mode === "accounts" || currentUser.value !== null;
}

/** The caller is signed out: forget the user; in accounts mode go to the sign-in page (not from the dashboard). */
function signedOut(): void {
  const s = authState.value;
  currentUser.value = null;
  if (s.status === "ready") authState.value = { ...s, kind: "anonymous", permissions: s.mode === "open" ? ["chat", "write"] : [] };
  if (s.status === "ready" && s.mode === "accounts" && !onDashboard()) goToLogin();
}

function pathOf(input: RequestInfo | URL): string {
  const raw = typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url;
  try {
    return new URL(raw, location.origin).pathname;
  } catch {
    return raw;
  }
}

/**
 * `fetch` with the session's recovery: a 401 (except from /api/auth/* and /api/admin/session,
 * which answer for themselves) refreshes the session once and retries the request; a second 401,
 * or a failed refresh, signs the page out. The request's body must be re-sendable (a string,
 * FormData, Blob: what the API client and the uploads send).
 */
export async function authFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const sentAt = generation;
  const res = await fetch(input, init);
  if (res.status !== 401) return res;
  const path = pathOf(input);
  if (path.startsWith("/api/auth/") || path.startsWith("/api/admin/session")) return res;
  if (!mayRefresh()) return res;
  // A refresh that finished after this request left already renewed the cookie: just retry.
  if (generation === sentAt && !(await refreshSession())) {
    signedOut();
    return res;
  }
  const again = await fetch(input, init);
  if (again.status === 401) signedOut();
  return again;
}

/**
 * After a WebSocket failed to open (the upgrade's 401 is invisible to the page): in accounts
 * mode, asks the API who the page is; anonymous, refreshes once. Resolves true when the session
 * was renewed (reconnect at once), false when the failure was not about the session. A failed
 * refresh signs the page out.
 */
export async function recoverSocketSession(): Promise<boolean> {
  if (authMode.value === "open" && currentUser.value === null) return false;
  const sentAt = generation;
  try {
    const me = await fetchMe();
    if (me.kind !== "anonymous") return false;
  } catch {
    return false; // the server is not reachable: an ordinary reconnection
  }
  if (generation !== sentAt) return true;
  if (await refreshSession()) return true;
  signedOut();
  return false;
}

/**
 * The start-up check: who is this (`GET /api/auth/me`); with accounts and no valid access
 * cookie, the refresh cookie is tried once; still anonymous, off to the sign-in page (except on
 * it and on the dashboard).
 */
export async function loadAuth(): Promise<void> {
  try {
    let me = await fetchMe();
    if (me.auth_mode === "accounts" && me.kind === "anonymous" && !onLoginPage() && (await refreshSession())) me = await fetchMe();
    apply(me);
    if (me.auth_mode === "accounts" && me.kind === "anonymous" && !onLoginPage() && !onDashboard()) goToLogin();
  } catch (e) {
    authState.value = { status: "error", message: e instanceof Error ? e.message : String(e) };
  }
}

/** Reads `GET /api/auth/me` again (e.g. after the dashboard's admin-token sign-in). */
export async function reloadAuth(): Promise<void> {
  try {
    apply(await fetchMe());
  } catch {
    // keep what is known
  }
}

/**
 * Signs out: `POST /api/auth/logout` (revokes every token of the user and clears the cookies) and,
 * for the admin token, `DELETE /api/admin/session`; then to the sign-in page. Errors are ignored:
 * the cookies are cleared either way.
 */
export async function signOut(): Promise<void> {
  const s = authState.value;
  const calls: Promise<unknown>[] = [];
  if (currentUser.value !== null || (s.status === "ready" && s.kind === "user")) {
    calls.push(fetch(apiUrl("/api/auth/logout"), { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: "{}" }));
  }
  if (s.status === "ready" && s.kind === "admin_token") calls.push(fetch(apiUrl("/api/admin/session"), { method: "DELETE", credentials: "include" }));
  await Promise.allSettled(calls);
  currentUser.value = null;
  location.assign(LOGIN_PATH);
}
