/**
 * The module of the route `/dashboard` (main.tsx). The page itself, OverviewView.tsx, is a
 * chunk of its own loaded from here: the entry's preload map then names this one small file for
 * the route instead of every chunk the page needs, so the initial /chat bundle does not grow
 * with the dashboard.
 */
import { lazy } from "preact-iso";

/** The page component (default export for the lazy route). */
export default lazy(() => import("./OverviewView"));
