/** The benchmark routes under /api/debug: hidden unless DEBUG_ROUTES is "on". */
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { handleError } from "../../worker/http/errors";
import { debugRoute } from "../../worker/routes/debug";
import { ADMIN, api } from "../support/api";

/** The debug routes with the app's error handler, on an env with DEBUG_ROUTES=on. */
const debugApp = new Hono().route("/api/debug", debugRoute).onError(handleError);
const on = { ...env, DEBUG_ROUTES: "on" };
const call = (method: string, path: string, body?: unknown) =>
  debugApp.request(path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }, on);

describe("debug routes", () => {
  it("answer 404 like unknown routes when DEBUG_ROUTES is off (the default)", async () => {
    // They are the admin's (worker/auth/policy.ts): 401 without it, 404 for it when off.
    expect((await api("GET", "/api/debug/vector/stats")).status).toBe(401);
    const stats = await api("GET", "/api/debug/vector/stats", undefined, ADMIN);
    expect(stats.status).toBe(404);
    expect(stats.body.error.code).toBe("not_found");
    expect((await api("POST", "/api/debug/vector/recall", { queries: ["x"] }, ADMIN)).status).toBe(404);
  });

  it("report the index's memory and its rankings against exact search when on", async () => {
    const pages = ["Otters float on kelp beds and crack urchins on their chests.", "Sea urchins graze kelp forests down to barren rock.", "Harbor seals haul out on sandbars at low tide."];
    for (const [i, text] of pages.entries()) {
      const res = await api("POST", "/api/documents", { content: `# Page ${i}\n\n${text}`, source: `debug/${i}.md` });
      expect(res.status).toBe(201);
    }
    const stats = (await (await call("GET", "/api/debug/vector/stats")).json()) as { rows: number; dims: number; totalBytes: number; typedArrayBytes: { codes: number } };
    expect(stats.rows).toBe(3);
    expect(stats.dims).toBe(512);
    expect(stats.typedArrayBytes.codes).toBe(512 * 1024);
    expect(stats.totalBytes).toBeGreaterThan(stats.typedArrayBytes.codes);

    const res = await call("POST", "/api/debug/vector/recall", { queries: ["kelp urchins", "seals at low tide"], top_k: 2 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { top_k: number; results: { query: string; index: string[]; int8: string[]; exact: string[]; index_ms: number }[] };
    expect(body.top_k).toBe(2);
    expect(body.results.map((r) => r.query)).toEqual(["kelp urchins", "seals at low tide"]);
    for (const r of body.results) {
      expect(r.exact).toHaveLength(2);
      expect(r.index).toEqual(r.exact);
      expect(r.int8).toHaveLength(2);
      expect(r.index_ms).toBeGreaterThanOrEqual(0);
    }
    const invalid = await call("POST", "/api/debug/vector/recall", { queries: [] });
    expect(invalid.status).toBe(422);
  });
});
