/**
 * The module of the route `/dashboard/controls` (main.tsx). The page itself, ControlsView.tsx, is a
 * chunk of its own loaded from here, as OverviewPage.tsx explains.
 */
import { lazy } from "preact-iso";

/** The page component (default export for the lazy route). */
export default lazy(() => import("./ControlsView"));
