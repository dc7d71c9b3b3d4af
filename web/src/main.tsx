/** Entry of the web client: routing (preact-iso, lazy routes) inside the layout. */
import { render } from "preact";
import { ErrorBoundary, lazy, LocationProvider, Route, Router } from "preact-iso";
import { Layout } from "./components/Layout";
import { NotFound } from "./routes/NotFound";
import "./styles.css";

const Chat = lazy(() => import("./routes/chat/ChatPage"));
const Knowledge = lazy(() => import("./routes/knowledge/KnowledgePage"));
const DocumentView = lazy(() => import("./routes/knowledge/DocumentPage"));
const Tasks = lazy(() => import("./routes/tasks/TasksPage"));
const DashboardOverview = lazy(() => import("./routes/dashboard/OverviewPage"));
const DashboardAlerts = lazy(() => import("./routes/dashboard/AlertsPage"));
const DashboardProposals = lazy(() => import("./routes/dashboard/ProposalsPage"));
const DashboardMetrics = lazy(() => import("./routes/dashboard/MetricsPage"));
const DashboardControls = lazy(() => import("./routes/dashboard/ControlsPage"));

function Home() {
  // `/` opens the chat.
  if (typeof location !== "undefined") history.replaceState(null, "", "/chat");
  return <Chat />;
}

export function App() {
  return (
    <LocationProvider>
      <Layout>
        <ErrorBoundary>
          <Router>
            <Route path="/" component={Home} />
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
        </ErrorBoundary>
      </Layout>
    </LocationProvider>
  );
}

render(<App />, document.getElementById("app")!);
