/**
 * The frame of every dashboard page: the admin gate (sign-in form until this browser holds an
 * admin session), the dashboard's own navigation (Overview, Alerts, Proposals, Metrics,
 * Controls), the page title, and a "updated at / Refresh" bar fed by useAutoRefresh.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { describeError } from "../../api/client";
import { authMode, currentUser, loginHref } from "../../auth";
import { usePageTitle } from "../../components/usePageTitle";
import { adminState, checkAdmin, signIn, signOut } from "./adminSession";
import "./dashboard.css";

/** The dashboard's pages: label and path. */
export const DASHBOARD_PAGES: { label: string; href: string }[] = [
  { label: "Overview", href: "/dashboard" },
  { label: "Alerts", href: "/dashboard/alerts" },
  { label: "Proposals", href: "/dashboard/proposals" },
  { label: "Metrics", href: "/dashboard/metrics" },
  { label: "Controls", href: "/dashboard/controls" },
];

function SignIn() {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <form
      class="sign-in"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await signIn(token.trim());
          setToken("");
        } catch (err) {
          setError(describeError(err));
          input.current?.focus();
        } finally {
          setBusy(false);
        }
      }}
    >
      <h1>Quality dashboard</h1>
      {currentUser.value ? (
        <p class="notice" role="status">
          You are signed in as {currentUser.value.email} ({currentUser.value.role}); the dashboard is for admins. <a href={loginHref()}>Sign in as an admin</a>, or use the admin token.
        </p>
      ) : (
        authMode.value === "accounts" && (
          <p>
            <a href={loginHref()}>Sign in with an admin account</a>, or with the admin token:
          </p>
        )
      )}
      <p class="muted">
        The dashboard is for the admin. Sign in with the admin token (ADMIN_TOKEN: <code>.dev.vars</code> locally, a secret in production). It is kept
        in an HttpOnly cookie for 8 hours.
      </p>
      <label for="admin-token">Admin token</label>
      <input id="admin-token" ref={input} type="password" autocomplete="current-password" value={token} onInput={(e) => setToken(e.currentTarget.value)} required />
      {error && (
        <p class="alert" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || !token.trim()}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}

/** Props of {@link DashboardShell}. */
export interface DashboardShellProps {
  /** The page's heading and document title. */
  title: string;
  /** When the page's data was loaded (shown as "Updated hh:mm:ss"). */
  updatedAt?: Date | null;
  /** True while a refresh runs. */
  loading?: boolean;
  /** Reloads the page's data. */
  onRefresh?: () => void;
  children: ComponentChildren;
}

/** Renders the page for a signed-in admin, the sign-in form otherwise. */
export function DashboardShell({ title, updatedAt, loading, onRefresh, children }: DashboardShellProps) {
  const { path } = useLocation();
  const [checkError, setCheckError] = useState<string | null>(null);
  usePageTitle(title);
  useEffect(() => {
    if (adminState.value === "unknown") checkAdmin().catch((e) => setCheckError(describeError(e)));
  }, []);
  const state = adminState.value;
  if (state === "unknown")
    return <div class="page">{checkError ? <p class="alert" role="alert">{checkError}</p> : <p class="muted"><span class="spinner" aria-hidden="true" /> Checking the admin session…</p>}</div>;
  if (state === "signed-out")
    return (
      <div class="page narrow">
        <SignIn />
      </div>
    );
  return (
    <div class="page dashboard">
      <nav class="dashboard-nav" aria-label="Dashboard">
        <ul>
          {DASHBOARD_PAGES.map((p) => (
            <li key={p.href}>
              <a href={p.href} aria-current={path === p.href || (p.href !== "/dashboard" && path.startsWith(`${p.href}/`)) ? "page" : undefined}>
                {p.label}
              </a>
            </li>
          ))}
        </ul>
        <button type="button" class="ghost" onClick={() => void signOut()}>
          Sign out
        </button>
      </nav>
      <div class="dashboard-heading">
        <h1>{title}</h1>
        {onRefresh && (
          <p class="refresh-bar">
            <span class="muted" aria-live="polite">
              {loading ? "Refreshing…" : updatedAt ? `Updated ${updatedAt.toLocaleTimeString()}` : ""}
            </span>
            <button type="button" class="ghost" onClick={onRefresh} disabled={loading}>
              Refresh
            </button>
          </p>
        )}
      </div>
      {children}
    </div>
  );
}
