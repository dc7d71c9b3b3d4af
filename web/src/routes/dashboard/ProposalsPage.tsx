/** `/dashboard/proposals`: placeholder, built by its own change. */
import { DashboardShell } from "./DashboardShell";

/** The page component (default export for the lazy route). */
export default function ProposalsPage() {
  return (
    <DashboardShell title="Proposals">
      <p class="muted">Not built yet.</p>
    </DashboardShell>
  );
}
