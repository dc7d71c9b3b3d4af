/**
 * Entry of the web client: routing (preact-iso, lazy routes) inside the layout. At start it asks
 * the API who is signed in (auth.ts `loadAuth`) while the current page's code loads; the pages
 * render once both are there. With AUTH_MODE=accounts and nobody signed in, the browser goes to
 * `/login?next=…` (the dashboard keeps its own admin-token sign-in).
 */
import { signal } from "@preact/signals";
import { render, type ComponentChildren } from "preact";
import { ErrorBoundary, lazy, LocationProvider, Route, Router, useLocation } from "preact-iso";
import { authState, LOGIN_PATH, loadAuth, loginHref } from "./auth";
import { Layout } from "./components/Layout";
import { NotFound } from "./routes/NotFound";
import "./styles.css";

const Chat = lazy(() => import("./routes/chat/ChatPage"));
const Knowledge = lazy(() => import("./routes/knowledge/KnowledgePage"));
const DocumentView = lazy(() => import("./routes/knowledge/DocumentPage"));
const Tasks = lazy(() => import("./routes/tasks/TasksPage"));
const Login = lazy(() => import("./routes/login/LoginPage"));
const DashboardOverview = lazy(() => import("./routes/dashboard/OverviewPage"));
const DashboardAlerts = lazy(() => import("./routes/dashboard/AlertsPage"));
const DashboardProposals = lazy(() => import("./routes/dashboard/ProposalsPage"));
const DashboardMetrics = lazy(() => import("./routes/dashboard/MetricsPage"));
const DashboardControls = lazy(() => import("./routes/dashboard/ControlsPage"));

/** The lazy page of a path, to load while the sign-in check runs (first match wins). */
const PRELOAD: [RegExp, { preload: () => Promise<unknown> }][] = [
  [/^\/(chat(\/|$)|$)/, Chat],
  [/^\/knowledge\/./, DocumentView],
  [/^\/knowledge\/?$/, Knowledge],
  [/^\/tasks(\/|$)/, Tasks],
  [/^\/login$/, Login],
  [/^\/dashboard\/alerts(\/|$)/, DashboardAlerts],
  [/^\/dashboard\/proposals(\/|$)/, DashboardProposals],
  [/^\/dashboard\/metrics$/, DashboardMetrics],
  [/^\/dashboard\/controls$/, DashboardControls],
  [/^\/dashboard\/?$/, DashboardOverview],
];

/** True once the sign-in check answered (or failed) and the first page's code is loaded. */
const booted = signal(false);

function start(): void {
  const page = PRELOAD.find(([re]) => re.test(location.pathname))?.[1];
  void Promise.allSettled([loadAuth(), page?.preload()]).then(() => (booted.value = true));
}

function Home() {
  // `/` opens the chat.
  if (typeof location !== "undefined") history.replaceState(null, "", "/chat");
  return <Chat />;
}

/**
 * Renders the pages once the caller is known: the sign-in page always, otherwise not while the
 * browser is on its way to it (accounts mode, nobody signed in), and a retry when the check failed.
 */
function AuthGate({ children }: { children: ComponentChildren }) {
  const { path } = useLocation();
  const s = authState.value;
  if (path === LOGIN_PATH || path.startsWith("/dashboard")) return <>{children}</>;
  if (s.status === "error")
    return (
      <div class="page narrow">
        <h1>Cannot reach the server</h1>
        <p class="alert" role="alert">
          Could not check who is signed in: {s.message}
        </p>
        <button
          type="button"
          onClick={() => {
            authState.value = { status: "loading" };
            void loadAuth();
          }}
        >
          Retry
        </button>
      </div>
    );
  if (s.status === "ready" && s.mode === "accounts" && s.kind === "anonymous")
    return (
      <div class="page narrow">
        <p role="status">
          Sign-in needed: <a href={loginHref()}>go to the sign-in page</a>.
        </p>
      </div>
    );
  return <>{children}</>;
}

export function App() {
  return (
    <LocationProvider>
      <Layout ready={booted.value}>
        <ErrorBoundary>
          <AuthGate>
            <Router>
              <Route path="/" component={Home} />
              <Route path="/login" component={Login} />
              <Route path="/chat" component={Chat} />
              <Route path="/chat/:session_id" component={Chat} />
              <Route path="/knowledge" component={Knowledge} />
              <Route path="/knowledge/:document_id" component={DocumentView} />
              <Route path="/tasks" component={Tasks} />
              <Route path="/tasks/:task_id" component={Tasks} />
              <Route path="/dashboard" component={DashboardOverview} />
              <Route path="/dashboard/alerts" component={DashboardAlerts} />
              <Route path="/dashboard/alerts/:alert_id" component={DashboardAlerts} />
              <Route path="/dashboard/proposals" component={DashboardProposals} />
              <Route path="/dashboard/proposals/:proposal_id" component={DashboardProposals} />
              <Route path="/dashboard/metrics" component={DashboardMetrics} />
              <Route path="/dashboard/controls" component={DashboardControls} />
              <Route default component={NotFound} />
            </Router>
          </AuthGate>
        </ErrorBoundary>
      </Layout>
    </LocationProvider>
  );
}

start();
render(<App />, document.getElementById("app")!);
