/** `/dashboard/controls`: placeholder, built by its own change. */
import { DashboardShell } from "./DashboardShell";

/** The page component (default export for the lazy route). */
export default function ControlsPage() {
  return (
    <DashboardShell title="Controls">
      <p class="muted">Not built yet.</p>
    </DashboardShell>
  );
}
