/**
 * Data of a dashboard page, loaded on mount, whenever `deps` change, on demand, and every
 * {@link REFRESH_MS} while the tab is visible. The previous data stays on screen while a refresh
 * runs (no flicker, no layout jump); a failed refresh keeps it and reports the error beside it.
 * A 401 signs the dashboard out (adminSession.ts).
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiRequestError } from "../../api/client";
import { adminState } from "./adminSession";

/** Auto-refresh period of the dashboard pages, ms. */
export const REFRESH_MS = 30_000;

/** What a page renders from. */
export interface AutoRefreshed<T> {
  /** Last data loaded (kept during and after a failed refresh); undefined before the first load. */
  data: T | undefined;
  /** Error of the last load, or null. */
  error: unknown;
  /** True while a load runs. */
  loading: boolean;
  /** When `data` was loaded. */
  updatedAt: Date | null;
  /** Loads again now (e.g. after an action). */
  refresh: () => Promise<void>;
}

/** Runs `load` now, when `deps` change, on `refresh()`, and every 30 s; a late answer of an older load is dropped. */
export function useAutoRefresh<T>(load: () => Promise<T>, deps: readonly unknown[] = []): AutoRefreshed<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const next = await loadRef.current();
      if (mine !== generation.current) return;
      setData(next);
      setError(null);
      setUpdatedAt(new Date());
    } catch (e) {
      if (mine !== generation.current) return;
      if (e instanceof ApiRequestError && e.status === 401) adminState.value = "signed-out";
      setError(e);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void refresh();
    }, REFRESH_MS);
    return () => {
      clearInterval(timer);
      generation.current++;
    };
  }, deps);

  return { data, error, loading, updatedAt, refresh };
}
