/** `/dashboard/metrics`: placeholder, built by its own change. */
import { DashboardShell } from "./DashboardShell";

/** The page component (default export for the lazy route). */
export default function MetricsPage() {
  return (
    <DashboardShell title="Metrics">
      <p class="muted">Not built yet.</p>
    </DashboardShell>
  );
}
