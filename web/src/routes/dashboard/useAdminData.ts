/**
 * useAutoRefresh for data only the admin may read: nothing is requested until this browser holds
 * an admin session, and the data loads as soon as the sign-in form succeeds (no 401 first, no
 * waiting for the next 30 s tick).
 */
import { adminState } from "./adminSession";
import { useAutoRefresh, type AutoRefreshed } from "./useAutoRefresh";

/** `load` through useAutoRefresh while signed in as the admin; `data` stays undefined otherwise. */
export function useAdminData<T>(load: () => Promise<T>, deps: readonly unknown[] = []): AutoRefreshed<T> {
  const signedIn = adminState.value === "signed-in";
  return useAutoRefresh<T>(() => (signedIn ? load() : new Promise<T>(() => {})), [signedIn, ...deps]);
}
