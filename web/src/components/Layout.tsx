/**
 * The shell: skip link, header with the navigation (NAV_ITEMS; a new page adds an entry and a
 * route in main.tsx), theme toggle, signed-in user slot, and the
 * main landmark that each page renders into.
 */
import type { ComponentChildren } from "preact";
import { useLocation } from "preact-iso";
import { currentUser } from "../auth";
import { nextTheme, theme } from "../state/theme";

/** Top-level pages in the navigation: label and path prefix. */
export const NAV_ITEMS: { label: string; href: string }[] = [
  { label: "Chat", href: "/chat" },
  { label: "Knowledge", href: "/knowledge" },
  { label: "Tasks", href: "/tasks" },
  { label: "Dashboard", href: "/dashboard" },
];

const THEME_LABEL = { system: "System theme", dark: "Dark theme", light: "Light theme" } as const;

export function Layout({ children }: { children: ComponentChildren }) {
  const { path } = useLocation();
  const t = theme.value;
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="app-header">
        <a class="brand" href="/chat" aria-label="edge-rag home">
          edge-rag
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV_ITEMS.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={path === item.href || path.startsWith(`${item.href}/`) ? "page" : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="header-tools">
          {currentUser.value && <span class="user">{currentUser.value.name}</span>}
          <button type="button" class="ghost" onClick={() => (theme.value = nextTheme(t))} aria-label={`${THEME_LABEL[t]}; switch theme`}>
            {t === "dark" ? "☾" : t === "light" ? "☀" : "◐"}
            <span class="visually-hidden">{THEME_LABEL[t]}</span>
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
