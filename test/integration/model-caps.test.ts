/**
 * Daily caps on model calls and tokens per session (docs/access.md, "Daily model caps"), with
 * AUTH_MODE=open (no user: only the session's caps apply) and the OpenAI-compatible mock server
 * (test/support/mock-openai.ts answers every call with usage 1 + 1 tokens).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "../support/api";
import { counter, deployModelProvider, secondsToMidnight, sessionVars } from "../support/model-caps";
import { connect } from "../support/socket";

const DOC = { source: "caps/collector.md", content: "# Collector\n\nThe Collector receives, processes and exports telemetry data.\n\n## Pipelines\n\nPipelines connect receivers, processors and exporters." };
const ask = (sessionId: string, query: string, headers: Record<string, string> = {}) => api("POST", "/api/chat", { session_id: sessionId, query }, headers);

describe("daily model caps per session", () => {
  it("counts nothing for offline turns, counts the mock's usage, and refuses turns over the session's cap until midnight", async () => {
    expect((await api("POST", "/api/documents", DOC)).status).toBe(201);

    // Offline (the default provider): no model calls, nothing counted, no cap, even a cap of 1.
    await sessionVars("caps-offline", { DAILY_MODEL_CALLS_PER_SESSION: "1", DAILY_MODEL_TOKENS_PER_SESSION: "1" });
    for (let i = 0; i < 2; i++) expect((await ask("caps-offline", "What does the Collector do?")).status).toBe(200);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM model_usage").first<{ n: number }>())!.n).toBe(0);

    await deployModelProvider();
    await sessionVars("caps-s1");
    const first = await ask("caps-s1", "What does the Collector do?");
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const calls = first.body.trace.total_llm_calls as number;
    expect(calls).toBeGreaterThanOrEqual(3);
    // Every mock response reports usage {prompt_tokens: 1, completion_tokens: 1}.
    expect(first.body.trace.total_llm_tokens).toBe(2 * calls);
    expect(await counter("session", "caps-s1")).toEqual({ calls, tokens: 2 * calls });

    // A cap of two turns' calls: the second turn runs, the third is refused.
    await sessionVars("caps-s1", { DAILY_MODEL_CALLS_PER_SESSION: String(2 * calls) });
    expect((await ask("caps-s1", "How do pipelines work?")).status).toBe(200);
    const used = await counter("session", "caps-s1");
    expect(used!.calls).toBeGreaterThanOrEqual(2 * calls);

    const refused = await ask("caps-s1", "What are exporters?");
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "quota_exceeded", details: { scope: "session", metric: "calls", limit: 2 * calls, used: used!.calls } });
    expect(refused.body.error.message).toMatch(/per session.*next UTC midnight/);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(Math.abs(retryAfter - secondsToMidnight())).toBeLessThanOrEqual(2);
    expect(refused.body.error.details.retry_after_s).toBe(retryAfter);

    // The same with Server-Sent Events, before the stream starts.
    const sse = await ask("caps-s1", "What are exporters?", { accept: "text/event-stream" });
    expect(sse.status).toBe(429);
    expect(sse.body.error.code).toBe("quota_exceeded");
    expect(sse.headers.get("retry-after")).toBeTruthy();

    // And over the WebSocket: an error frame with the same code.
    const socket = await connect("caps-s1");
    socket.send({ type: "question", query: "What are exporters?", turn_id: "t-refused" });
    const frame = await socket.next("error");
    expect(frame).toMatchObject({ code: "quota_exceeded", turn_id: "t-refused" });
    expect(frame.retry_after_s).toBeGreaterThan(0);
    socket.ws.close();

    // Nothing of the refused turns was stored, and they counted nothing.
    const history = await api("GET", "/api/chat/caps-s1");
    expect(history.body.messages.filter((m: { role: string }) => m.role === "user").map((m: { content: string }) => m.content)).toEqual(["What does the Collector do?", "How do pipelines work?"]);
    expect(await counter("session", "caps-s1")).toEqual(used);

    // Another session has its own counter; "0" means no cap.
    await sessionVars("caps-s2", { DAILY_MODEL_CALLS_PER_SESSION: "0", DAILY_MODEL_TOKENS_PER_SESSION: "0" });
    expect((await ask("caps-s2", "What does the Collector do?")).status).toBe(200);
    expect((await counter("session", "caps-s2"))!.calls).toBe(calls);
    // No user in AUTH_MODE=open: no user counters.
    expect((await env.DB.prepare("SELECT count(*) AS n FROM model_usage WHERE scope = 'user'").first<{ n: number }>())!.n).toBe(0);
  });
});
