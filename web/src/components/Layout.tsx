/**
 * The shell: skip link, header with the navigation (NAV_ITEMS; a new page adds an entry and a
 * route in main.tsx), the signed-in user (email, role, Sign out; "Local mode" when the server
 * needs no sign-in), theme toggle, and the main landmark that each page renders into (once the
 * start-up check is done: `ready`).
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { authState, can, currentUser, LOGIN_PATH, loginHref, signOut } from "../auth";
import { nextTheme, theme } from "../state/theme";

/** Top-level pages in the navigation: label and path prefix. */
export const NAV_ITEMS: { label: string; href: string; admin?: boolean }[] = [
  { label: "Chat", href: "/chat" },
  { label: "Knowledge", href: "/knowledge" },
  { label: "Tasks", href: "/tasks" },
  { label: "Dashboard", href: "/dashboard", admin: true },
];

const THEME_LABEL = { system: "System theme", dark: "Dark theme", light: "Light theme" } as const;

/** Who is signed in, and Sign out / Sign in. */
function UserSlot() {
  const { path } = useLocation();
  const [busy, setBusy] = useState(false);
  const s = authState.value;
  if (s.status !== "ready") return null;
  const user = currentUser.value;
  const out = (
    <button
      type="button"
      class="ghost"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        void signOut();
      }}
    >
      {busy ? "Signing out…" : "Sign out"}
    </button>
  );
  if (user)
    return (
      <>
        <span class="user" data-role={user.role}>
          <span class="user-email">{user.email}</span> <span class="role-badge">{user.role}</span>
        </span>
        {out}
      </>
    );
  if (s.kind === "admin_token")
    return (
      <>
        <span class="user">
          Admin token <span class="role-badge">admin</span>
        </span>
        {out}
      </>
    );
  const signIn = path === LOGIN_PATH ? null : <a href={s.mode === "accounts" ? loginHref() : LOGIN_PATH}>Sign in</a>;
  if (s.mode === "open")
    return (
      <>
        <span class="user muted">Local mode (no sign-in)</span>
        {signIn}
      </>
    );
  return signIn;
}

export function Layout({ children, ready = true }: { children: ComponentChildren; ready?: boolean }) {
  const { path } = useLocation();
  const t = theme.value;
  const s = authState.value;
  // The dashboard is the admin's: hidden from signed-in users whose role cannot open it.
  const hideAdmin = s.status === "ready" && s.mode === "accounts" && s.kind === "user" && !can("admin");
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="app-header">
        <a class="brand" href="/chat" aria-label="edge-rag home">
          edge-rag
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV_ITEMS.filter((item) => !(item.admin && hideAdmin)).map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={path === item.href || path.startsWith(`${item.href}/`) ? "page" : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="header-tools">
          <UserSlot />
          <button type="button" class="ghost" onClick={() => (theme.value = nextTheme(t))} aria-label={`${THEME_LABEL[t]}; switch theme`}>
            {t === "dark" ? "☾" : t === "light" ? "☀" : "◐"}
            <span class="visually-hidden">{THEME_LABEL[t]}</span>
          </button>
        </div>
      </header>
      {ready ? (
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      ) : (
        <div class="page muted" role="status">
          <span class="spinner" aria-hidden="true" /> Loading…
        </div>
      )}
    </>
  );
}
