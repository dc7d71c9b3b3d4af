/** The access policy table and the route matcher (worker/auth/policy.ts, worker/http/auth.ts). */
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { policyRowOf, requirementOf } from "../../worker/auth/policy";
import { routeMatcher } from "../../worker/http/auth";

describe("access policy", () => {
  it("matches one segment with *, any rest with /**, HEAD as GET", () => {
    expect(requirementOf("GET", "/api/chat/abc")).toBe("chat");
    expect(requirementOf("GET", "/api/chat")).toBe("chat");
    expect(requirementOf("DELETE", "/api/documents/abc")).toBe("write");
    expect(requirementOf("DELETE", "/api/documents/abc/chunks")).toBe("admin");
    expect(requirementOf("HEAD", "/health")).toBe("public");
    expect(requirementOf("GET", "/ws/chat/")).toBe("admin");
    expect(requirementOf("PATCH", "/api/users/u1")).toBe("admin");
    expect(policyRowOf("GET", "/api/unlisted")).toBeUndefined();
  });

  it("lists every route of the app: none relies on the admin default by accident", () => {
    const routes = app.routes.filter((r) => r.method !== "ALL");
    expect(routes.length).toBeGreaterThan(50);
    const unlisted = routes
      .map((r) => ({ method: r.method, path: r.path.replace(/:[A-Za-z_]+/g, "x").replace(/\/\*$/, "/x") }))
      .filter((r) => !policyRowOf(r.method, r.path))
      .map((r) => `${r.method} ${r.path}`);
    expect(unlisted).toEqual([]);
  });

  it("tells an existing route from a missing one", () => {
    const exists = routeMatcher([
      { method: "GET", path: "/api/documents/:id" },
      { method: "ALL", path: "/api/*" },
      { method: "GET", path: "/v1/*" },
    ]);
    expect(exists("GET", "/api/documents/abc")).toBe(true);
    expect(exists("HEAD", "/api/documents/abc")).toBe(true);
    expect(exists("GET", "/api/documents/abc/")).toBe(true);
    expect(exists("POST", "/api/documents/abc")).toBe(false);
    expect(exists("GET", "/api/documents/abc/chunks")).toBe(false);
    expect(exists("GET", "/api/other")).toBe(false);
    expect(exists("GET", "/v1/models")).toBe(true);
  });
});
