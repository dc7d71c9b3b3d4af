/** `/dashboard/alerts`: placeholder, built by its own change. */
import { DashboardShell } from "./DashboardShell";

/** The page component (default export for the lazy route). */
export default function AlertsPage() {
  return (
    <DashboardShell title="Alerts">
      <p class="muted">Not built yet.</p>
    </DashboardShell>
  );
}
