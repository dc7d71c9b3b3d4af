/**
 * Every route × every kind of caller → the status the access policy gives (AUTH_MODE=accounts,
 * docs/access.md): anonymous gets 401 on everything but the public routes, a viewer may ask, an
 * editor also change the knowledge base, an admin everything; an API key is limited to its scopes.
 * A route a caller may use answers as it would (422 for the empty bodies sent here, 404 for
 * unknown ids, 426 for a WebSocket route without upgrade), never 401/403.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, api } from "../support/api";
import { createUser, type TestUser } from "../support/accounts";

type Caller = "anonymous" | "viewer" | "editor" | "admin" | "admin_token" | "chat_key";
type Needs = "public" | "chat" | "write" | "admin";

/** The table: method, path, body, what it needs. Written out here, not read from worker/auth/policy.ts. */
const ROUTES: [string, string, unknown, Needs][] = [
  ["GET", "/health", undefined, "public"],
  ["GET", "/api/auth/me", undefined, "public"],
  ["POST", "/api/auth/login", {}, "public"],
  ["POST", "/api/auth/refresh", { refresh_token: 42 }, "public"],
  ["POST", "/api/chat", {}, "chat"],
  ["GET", "/api/chat/table-session", undefined, "chat"],
  ["DELETE", "/api/chat/table-session", undefined, "chat"],
  ["GET", "/ws/chat/table-session", undefined, "chat"],
  ["POST", "/api/feedback", {}, "chat"],
  ["GET", "/api/feedback", undefined, "admin"],
  ["POST", "/api/rag/query", {}, "chat"],
  ["GET", "/api/documents", undefined, "chat"],
  ["GET", "/api/documents/facets", undefined, "chat"],
  ["GET", "/api/documents/nope", undefined, "chat"],
  ["GET", "/api/documents/nope/chunks", undefined, "chat"],
  ["POST", "/api/documents", {}, "write"],
  ["DELETE", "/api/documents/nope", undefined, "write"],
  ["POST", "/api/ingest/jobs", {}, "write"],
  ["GET", "/api/ingest/jobs/nope", undefined, "write"],
  ["GET", "/api/tasks", undefined, "chat"],
  ["POST", "/api/tasks", {}, "chat"],
  ["GET", "/api/tasks/nope", undefined, "chat"],
  ["GET", "/api/agents", undefined, "chat"],
  ["GET", "/v1/models", undefined, "chat"],
  ["POST", "/v1/chat/completions", {}, "chat"],
  ["GET", "/api/meta-monitoring/health", undefined, "admin"],
  ["GET", "/api/meta-monitoring/alerts", undefined, "admin"],
  ["GET", "/api/meta-monitoring/proposals", undefined, "admin"],
  ["POST", "/api/meta-monitoring/control/evaluate", { dataset: "nope" }, "admin"],
  ["POST", "/api/meta-monitoring/proposals/nope/approve", {}, "admin"],
  ["GET", "/api/config/versions", undefined, "admin"],
  ["GET", "/api/config/production", undefined, "admin"],
  ["POST", "/api/config/rollback", { version_id: 7 }, "admin"],
  ["GET", "/api/users", undefined, "admin"],
  ["POST", "/api/users", {}, "admin"],
  ["PATCH", "/api/users/nope", { role: "viewer" }, "admin"],
  ["DELETE", "/api/users/nope", undefined, "admin"],
  ["GET", "/api/debug/vector/stats", undefined, "admin"],
  // No route at all: 404 for everyone (an existing route missing from the policy would need admin).
  ["GET", "/api/no-such-route", undefined, "public"],
];

const GRANTS: Record<Caller, Needs[]> = {
  anonymous: ["public"],
  viewer: ["public", "chat"],
  editor: ["public", "chat", "write"],
  admin: ["public", "chat", "write", "admin"],
  admin_token: ["public", "chat", "write", "admin"],
  chat_key: ["public", "chat"],
};

let headers: Record<Caller, Record<string, string>>;

beforeAll(async () => {
  const [viewer, editor, admin]: TestUser[] = [await createUser("viewer"), await createUser("editor"), await createUser("admin")];
  // An editor's key limited to chat.
  const key = await api("POST", "/api/auth/api-keys", { name: "chat only", scopes: ["chat"] }, editor.auth);
  expect(key.status).toBe(201);
  headers = {
    anonymous: {}, viewer: viewer.auth, editor: editor.auth, admin: admin.auth, admin_token: ADMIN,
    chat_key: { authorization: `Bearer ${key.body.key}` },
  };
});

describe("access policy: route × caller", () => {
  for (const caller of Object.keys(GRANTS) as Caller[]) {
    it(`${caller}`, async () => {
      const wrong: string[] = [];
      for (const [method, path, body, needs] of ROUTES) {
        const r = await api(method, path, body, headers[caller]);
        const allowed = GRANTS[caller].includes(needs);
        const expected = allowed ? "not 401/403" : caller === "anonymous" ? "401" : "403";
        const ok = allowed ? r.status !== 401 && r.status !== 403 && r.status < 500 : r.status === Number(expected);
        if (!ok) wrong.push(`${method} ${path}: ${r.status} (expected ${expected}) ${JSON.stringify(r.body).slice(0, 160)}`);
        if (!allowed) expect(r.body.error?.code, `${method} ${path}`).toBe(caller === "anonymous" ? "unauthorized" : "forbidden");
      }
      expect(wrong).toEqual([]);
    });
  }

  it("answers 404 for a path with no route, for every caller", async () => {
    for (const h of [{}, ADMIN]) {
      const r = await api("POST", "/api/no/such/route", {}, h);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe("not_found");
    }
  });

  it("answers a bad credential with 401 even on a route that needs nothing more than chat", async () => {
    for (const auth of ["Bearer not-a-token", "Bearer a.b.c", "Bearer erk_unknown"]) {
      const r = await api("GET", "/api/documents", undefined, { authorization: auth });
      expect(r.status, auth).toBe(401);
      expect(r.body.error.code).toBe("unauthorized");
    }
    // A public route still answers, as anonymous.
    const me = await api("GET", "/api/auth/me", undefined, { authorization: "Bearer a.b.c" });
    expect(me.body).toMatchObject({ auth_mode: "accounts", kind: "anonymous", permissions: [] });
  });
});
