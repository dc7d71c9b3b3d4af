/** The request log middleware: one JSON line per selected request, chosen by REQUEST_LOG. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../worker/app";
import { shouldLogRequest } from "../../worker/http/logger";

/** Calls the app with `REQUEST_LOG` set to `mode` (undefined: the wrangler.toml value), returning the log lines it wrote. */
async function logged(path: string, mode?: string): Promise<{ status: number; lines: Record<string, unknown>[] }> {
  const spy = vi.spyOn(console, "log");
  const bindings = mode === undefined ? env : ({ ...env, REQUEST_LOG: mode } as unknown as Env);
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://edge-rag.test${path}`), bindings, ctx);
  await res.text();
  await waitOnExecutionContext(ctx);
  const lines = spy.mock.calls.map((args) => JSON.parse(String(args[0])) as Record<string, unknown>);
  spy.mockRestore();
  return { status: res.status, lines };
}

afterEach(() => vi.restoreAllMocks());

describe("request log", () => {
  it("selects requests by mode and status", () => {
    expect([200, 399, 400, 404, 500].map((s) => shouldLogRequest("all", s))).toEqual([true, true, true, true, true]);
    expect([200, 399, 400, 404, 500].map((s) => shouldLogRequest("errors", s))).toEqual([false, false, true, true, true]);
    expect([200, 404, 500].map((s) => shouldLogRequest("off", s))).toEqual([false, false, false]);
  });

  it("logs only failed requests with the local configuration (errors)", async () => {
    expect(env.REQUEST_LOG).toBe("errors");
    const ok = await logged("/health");
    expect(ok).toEqual({ status: 200, lines: [] });
    const missing = await logged("/no/such/route");
    expect(missing.status).toBe(404);
    expect(missing.lines).toHaveLength(1);
    expect(missing.lines[0]).toMatchObject({ level: "info", method: "GET", path: "/no/such/route", status: 404, session_id: null, retrieved: null });
  });

  it("logs every request with all, and none with off", async () => {
    const ok = await logged("/health", "all");
    expect(ok.lines).toHaveLength(1);
    expect(ok.lines[0]).toMatchObject({ route: "/health", method: "GET", path: "/health", status: 200 });
    expect(ok.lines[0].duration_ms).toEqual(expect.any(Number));
    expect((await logged("/no/such/route", "off")).lines).toEqual([]);
  });

  it("keeps logging when the configuration is invalid", async () => {
    const bad = await logged("/health", "sometimes");
    expect(bad.status).toBe(500);
    expect(bad.lines.filter((l) => l.status === 500)).toHaveLength(1);
  });
});
