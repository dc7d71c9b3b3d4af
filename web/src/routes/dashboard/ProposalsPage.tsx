/**
 * The module of the route `/dashboard/proposals` (main.tsx). The page itself, ProposalsView.tsx, is a
 * chunk of its own loaded from here, as OverviewPage.tsx explains.
 */
import { lazy } from "preact-iso";

/** The page component (default export for the lazy route). */
export default lazy(() => import("./ProposalsView"));
