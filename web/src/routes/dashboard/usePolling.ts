/**
 * Polls while something is in progress (a run, a validation): calls `tick` at once and then
 * `intervalMs` after each call has settled (never two at a time), as long as `active` is true and
 * the component is mounted. A failed tick is reported to `tick`'s own error handling and polling
 * goes on.
 */
import { useEffect, useRef } from "preact/hooks";

/** Default pause between two polls, ms. */
export const POLL_MS = 1500;

/** Calls `tick` now and every `intervalMs` while `active`. */
export function usePolling(tick: () => Promise<void> | void, active: boolean, intervalMs = POLL_MS): void {
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const loop = async () => {
      try {
        await tickRef.current();
      } catch {
        // the tick shows its own error; keep polling
      }
      if (!stopped) timer = setTimeout(loop, intervalMs);
    };
    void loop();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active, intervalMs]);
}
