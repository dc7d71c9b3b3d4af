/**
 * What every route needs (docs/access.md, "Routes"): one row per method and path pattern, read
 * top to bottom, the first match wins. `public` needs nothing; a permission needs a principal that
 * has it (worker/auth/roles.ts). A request that matches no row needs `admin` when the app has a
 * route for it, so that a new route is closed until it is listed here (a path with no route at
 * all gets the 404 answer: worker/http/auth.ts). Patterns: `*` matches one path segment, a trailing `/**` any
 * rest (including nothing).
 */
import type { Permission } from "./roles";

/** What a route needs. */
export type Requirement = Permission | "public";

/** One row of the policy. */
export interface PolicyRow {
  method: "GET" | "POST" | "PATCH" | "DELETE" | "*";
  path: string;
  needs: Requirement;
}

export const POLICY: readonly PolicyRow[] = [
  { method: "GET", path: "/health", needs: "public" },
  // Signing in and out; the admin token's own sign-in checks the token itself.
  { method: "POST", path: "/api/auth/login", needs: "public" },
  { method: "POST", path: "/api/auth/refresh", needs: "public" },
  { method: "POST", path: "/api/auth/logout", needs: "public" },
  { method: "*", path: "/api/admin/session", needs: "public" },
  { method: "GET", path: "/api/auth/me", needs: "public" },
  { method: "*", path: "/api/auth/api-keys/**", needs: "chat" },
  // Asking: chat, sessions (owned), feedback, retrieval, tasks, the OpenAI-compatible API.
  { method: "*", path: "/api/chat/**", needs: "chat" },
  { method: "GET", path: "/ws/chat/*", needs: "chat" },
  { method: "GET", path: "/ws/tasks/*", needs: "chat" },
  { method: "*", path: "/api/feedback", needs: "chat" },
  { method: "POST", path: "/api/rag/query", needs: "chat" },
  { method: "*", path: "/api/tasks/**", needs: "chat" },
  { method: "GET", path: "/api/agents", needs: "chat" },
  { method: "*", path: "/v1/**", needs: "chat" },
  // The knowledge base: everyone who asks may read it, editors change it.
  { method: "GET", path: "/api/documents/**", needs: "chat" },
  { method: "POST", path: "/api/documents", needs: "write" },
  { method: "DELETE", path: "/api/documents/*", needs: "write" },
  { method: "*", path: "/api/ingest/**", needs: "write" },
  // The quality loop, config versions, users and debugging are the admin's.
  { method: "*", path: "/api/meta-monitoring/**", needs: "admin" },
  { method: "*", path: "/api/config/**", needs: "admin" },
  { method: "*", path: "/api/users/**", needs: "admin" },
  { method: "*", path: "/api/debug/**", needs: "admin" },
];

function matches(pattern: string, path: string): boolean {
  const p = pattern.split("/");
  const s = path.replace(/\/+$/, "").split("/");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === "**") return true;
    if (i >= s.length) return false;
    if (p[i] !== "*" && p[i] !== s[i]) return false;
    if (p[i] === "*" && s[i] === "") return false;
  }
  return p.length === s.length;
}

/** The first row of the policy that matches the request, or undefined. `HEAD` counts as `GET`. */
export function policyRowOf(method: string, path: string, policy: readonly PolicyRow[] = POLICY): PolicyRow | undefined {
  const m = method === "HEAD" ? "GET" : method;
  return policy.find((row) => (row.method === "*" || row.method === m) && matches(row.path, path));
}

/** What a request needs: the first matching row's requirement, else `admin`. */
export function requirementOf(method: string, path: string, policy: readonly PolicyRow[] = POLICY): Requirement {
  return policyRowOf(method, path, policy)?.needs ?? "admin";
}
