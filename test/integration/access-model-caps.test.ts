/**
 * Daily caps on model calls per user across sessions, with AUTH_MODE=accounts (docs/access.md,
 * "Daily model caps"): the user id comes from the Worker, never from a client's header.
 */
import { describe, expect, it } from "vitest";
import { createUser } from "../support/accounts";
import { ADMIN, api } from "../support/api";
import { counter, deployModelProvider, sessionVars } from "../support/model-caps";
import { connect } from "../support/socket";

const DOC = { source: "caps/collector.md", content: "# Collector\n\nThe Collector receives, processes and exports telemetry data.\n\n## Pipelines\n\nPipelines connect receivers, processors and exporters." };

describe("daily model caps per user", () => {
  it("counts a user's turns in every session and refuses the user's turns over its cap, whatever session or header", async () => {
    expect((await api("POST", "/api/documents", DOC, ADMIN)).status).toBe(201);
    const ana = await createUser("viewer");
    const bob = await createUser("viewer");
    await deployModelProvider();

    await sessionVars("user-caps-a");
    const first = await api("POST", "/api/chat", { session_id: "user-caps-a", query: "What does the Collector do?" }, ana.auth);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const calls = first.body.trace.total_llm_calls as number;
    expect(calls).toBeGreaterThan(0);
    expect(await counter("user", ana.id)).toEqual({ calls, tokens: 2 * calls });
    expect(await counter("session", "user-caps-a")).toEqual({ calls, tokens: 2 * calls });

    // The user's cap is reached in session A; session B (no calls of its own yet) refuses the user.
    const caps = { DAILY_MODEL_CALLS_PER_USER: String(calls), DAILY_MODEL_CALLS_PER_SESSION: "0", DAILY_MODEL_TOKENS_PER_SESSION: "0" };
    await sessionVars("user-caps-b", caps);
    const refused = await api("POST", "/api/chat", { session_id: "user-caps-b", query: "How do pipelines work?" }, ana.auth);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "quota_exceeded", details: { scope: "user", metric: "calls", limit: calls, used: calls } });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await counter("session", "user-caps-b")).toBeUndefined();

    // A client's header cannot move the turn to another user's counter (the Worker replaces it).
    const socket = await connect("user-caps-b", { ...ana.auth, "x-edge-rag-user-id": bob.id });
    socket.send({ type: "question", query: "How do pipelines work?", turn_id: "t1" });
    expect(await socket.next("error")).toMatchObject({ code: "quota_exceeded", turn_id: "t1" });
    socket.ws.close();
    const spoofed = await api("POST", "/api/chat", { session_id: "user-caps-b", query: "How do pipelines work?" }, { ...ana.auth, "x-edge-rag-user-id": bob.id });
    expect(spoofed.status).toBe(429);

    // Another user is not affected by Ana's counter.
    await sessionVars("user-caps-c", caps);
    const other = await api("POST", "/api/chat", { session_id: "user-caps-c", query: "What does the Collector do?" }, bob.auth);
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    expect((await counter("user", bob.id))!.calls).toBe(calls);
    expect(await counter("user", ana.id)).toEqual({ calls, tokens: 2 * calls });
  });
});
