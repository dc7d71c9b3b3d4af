/**
 * `/login`: sign in with email and password (`POST /api/auth/login`, docs/access.md). The server
 * sets the HttpOnly cookies; the tokens in the answer's body are for machine clients and are
 * ignored here (nothing is stored by the page). Afterwards the browser goes back to `next` (a
 * path of this site only, auth.ts `safeNext`). Errors show the API's message; a 429 also keeps
 * the button disabled until its retry time.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, ApiRequestError, call, describeError } from "../../api/client";
import { authMode, authState, currentUser, safeNext } from "../../auth";
import { usePageTitle } from "../../components/usePageTitle";
import "./login.css";

/** "45 s", "2 min". */
function formatWait(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

/** The page component (default export for the lazy route). */
export default function LoginPage() {
  const { query } = useLocation();
  const next = safeNext(query.next);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [blockedUntil, setBlockedUntil] = useState(0);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  usePageTitle("Sign in");
  useEffect(() => emailRef.current?.focus(), []);
  // Re-enables the button when a 429's retry time has passed.
  useEffect(() => {
    if (!blockedUntil) return;
    const timer = setTimeout(() => setBlockedUntil(0), Math.max(0, blockedUntil - Date.now()));
    return () => clearTimeout(timer);
  }, [blockedUntil]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // The answer's tokens are deliberately not read: the HttpOnly cookies carry the session.
      await call(api.api.auth.login.$post({ json: { email: email.trim(), password } }));
      setPassword("");
      // A full load: every page state starts over as the new user.
      location.assign(next);
      return;
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 429) {
        const wait = err.retryAfter ?? 60;
        setBlockedUntil(Date.now() + wait * 1000);
        setError(`Too many sign-in attempts. Try again in ${formatWait(wait)}.`);
      } else if (err instanceof ApiRequestError && err.status === 422) {
        setError("Enter a valid email address and your password.");
      } else {
        setError(describeError(err));
      }
      setPassword("");
      (err instanceof ApiRequestError && err.status === 401 ? passwordRef : emailRef).current?.focus();
    }
    setBusy(false);
  };

  const user = currentUser.value;
  const mode = authMode.value;
  return (
    <div class="page narrow">
      <form class="login-form" onSubmit={submit} aria-labelledby="login-title" noValidate>
        <h1 id="login-title">Sign in</h1>
        {mode === "open" && <p class="notice">This server runs in local mode: no sign-in is needed. An account (e.g. an admin) may still sign in.</p>}
        {user && (
          <p class="notice">
            Signed in as {user.email} ({user.role}). <a href={next}>Continue</a>
          </p>
        )}
        {authState.value.status === "error" && (
          <p class="alert" role="alert">
            Could not reach the server: {(authState.value as { message: string }).message}
          </p>
        )}
        <label for="login-email">Email</label>
        <input
          id="login-email"
          ref={emailRef}
          type="email"
          name="email"
          autocomplete="username"
          inputMode="email"
          spellcheck={false}
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
          required
          aria-describedby={error ? "login-error" : undefined}
        />
        <label for="login-password">Password</label>
        <input
          id="login-password"
          ref={passwordRef}
          type="password"
          name="password"
          autocomplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          required
          aria-describedby={error ? "login-error" : undefined}
        />
        {error && (
          <p class="alert" role="alert" id="login-error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || blockedUntil > 0 || !email.trim() || !password}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p class="muted login-hint">
          The dashboard also accepts the admin token: <a href="/dashboard">open the dashboard</a>.
        </p>
      </form>
    </div>
  );
}
