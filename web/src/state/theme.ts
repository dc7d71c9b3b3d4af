/** Light/dark theme: the system's unless the user chose one (kept in localStorage). */
import { effect, signal } from "@preact/signals";

export type Theme = "light" | "dark" | "system";
const KEY = "edge-rag.theme";

export const theme = signal<Theme>((localStorage.getItem(KEY) as Theme | null) ?? "system");

effect(() => {
  const t = theme.value;
  if (t === "system") {
    localStorage.removeItem(KEY);
    delete document.documentElement.dataset.theme;
  } else {
    localStorage.setItem(KEY, t);
    document.documentElement.dataset.theme = t;
  }
});

/** The next theme of the toggle: system → dark → light → system. */
export function nextTheme(t: Theme): Theme {
  return t === "system" ? "dark" : t === "dark" ? "light" : "system";
}
