/**
 * Fault: the model provider failing in the middle of the agent graph, through the whole chat path
 * (`POST /api/chat` → ChatSession → graph). llm-resilience.test.ts covers the clients against each
 * failure (429 with retry-after, 5xx, timeouts, malformed output) and providers.test.ts a provider
 * that fails from the first call; what they do not cover is a provider that answers the first
 * calls of a turn and then fails, with the turn stored by the session. Here the session's object
 * runs with an OpenAI-compatible provider (the local mock, test/support/mock-openai.ts), and the
 * test's fetch wrapper lets the first `ok` model calls of each turn through, then answers 429,
 * 500 or fails the connection (what a timeout becomes after the client gives up) for every later
 * call. Expected: the failing steps fall back to the offline ones, the user gets an answer (not
 * an error), and the conversation holds every turn once.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminApi, api } from "../support/api";

/** runInDurableObject on an untyped stub (its inferred types are too deep for tsc here). */
const inObject = runInDurableObject as unknown as <R>(stub: DurableObjectStub, fn: (instance: any, state: DurableObjectState) => R | Promise<R>) => Promise<R>;

type Failure = "429" | "500" | "network";
/** Plain state shared with the object (same isolate): calls seen this turn, and how later ones fail. */
const plan = { ok: 0, failure: "500" as Failure, calls: 0, failed: 0 };
const realFetch = globalThis.fetch;

beforeAll(async () => {
  for (const [source, content] of [
    ["provider/collector.md", "# Collector\n\nThe Collector receives, processes and exports telemetry data. It runs as an agent or as a gateway."],
    ["provider/baggage.md", "# Baggage\n\nBaggage is contextual information passed between spans and services as key-value pairs."],
  ]) {
    expect((await api("POST", "/api/documents", { source, content })).status).toBe(201);
  }
  // The production config version selects the provider and model (tunables); the key and URL are the session object's (below).
  const version = await adminApi("POST", "/api/config/versions", { values: { GENERATION_PROVIDER: "openai", OPENAI_CHAT_MODEL: "graph-json" }, description: "fault test: model provider" });
  expect(version.status, JSON.stringify(version.body)).toBe(201);
  const deployed = await adminApi("POST", "/api/config/deploy", { version_id: version.body.id, reason: "fault test: model provider" });
  expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(`${env.MOCK_OPENAI_URL}/v1/chat/completions`)) return realFetch(input, init);
    plan.calls++;
    if (plan.calls <= plan.ok) return realFetch(input, init);
    plan.failed++;
    if (plan.failure === "network") throw new TypeError("fetch failed: connection reset (fault test)");
    const status = plan.failure === "429" ? 429 : 500;
    return new Response(JSON.stringify({ error: { message: status === 429 ? "Rate limit reached" : "upstream exploded", type: "server_error" } }), {
      status, headers: { "content-type": "application/json", ...(status === 429 ? { "retry-after-ms": "5" } : {}) },
    });
  }) as typeof fetch;
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  await adminApi("POST", "/api/config/rollback", { reason: "fault test done" });
});

/** Points the session's object at the mock provider (graph steps and generation), as a deployment with OPENAI_* set. */
async function withModelProvider(sessionId: string) {
  const patched: Record<string, unknown> = { ...(env as unknown as Record<string, unknown>), OPENAI_API_KEY: "sk-fault-test", OPENAI_BASE_URL: `${env.MOCK_OPENAI_URL}/v1` };
  const ns = env.CHAT_SESSION as unknown as DurableObjectNamespace;
  await inObject(ns.get(ns.idFromName(sessionId)), (instance: object) => Object.assign(instance, { env: patched }) !== null);
}

describe("the model provider failing mid-graph", () => {
  for (const failure of ["429", "500", "network"] as const) {
    it(`${failure === "network" ? "connection failures (timeouts)" : `HTTP ${failure}`} after the first model call: every turn answered and stored once`, async () => {
      const id = `fault-provider-${failure}`;
      await withModelProvider(id);
      const questions = ["What does the Collector do?", "What is baggage?"];
      for (const [i, query] of questions.entries()) {
        Object.assign(plan, { ok: 1, failure, calls: 0, failed: 0 });
        const res = await api("POST", "/api/chat", { session_id: id, query });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(plan.calls).toBeGreaterThan(1); // the provider was called after it started failing
        expect(plan.failed).toBeGreaterThan(0);
        expect(res.body.response.length).toBeGreaterThan(0);
        expect(res.body.has_sufficient_info, `turn ${i}`).toBe(true);
        expect(res.body.response).toMatch(/\[1\]/); // the offline fallback still cites
        expect(res.body.trace.total_llm_calls).toBeGreaterThan(1);
      }
      const history = await api("GET", `/api/chat/${id}`);
      const messages = history.body.messages as { id: string; role: string; content: string }[];
      expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
      expect(messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual(questions);
      expect(new Set(messages.map((m) => m.id)).size).toBe(4);
    });
  }

  it("the provider recovering mid-conversation: later turns use it again", async () => {
    const id = "fault-provider-recovers";
    await withModelProvider(id);
    Object.assign(plan, { ok: 0, failure: "500", calls: 0, failed: 0 });
    expect((await api("POST", "/api/chat", { session_id: id, query: "What does the Collector do?" })).status).toBe(200);
    Object.assign(plan, { ok: 1000, calls: 0, failed: 0 });
    const ok = await api("POST", "/api/chat", { session_id: id, query: "What is baggage?" });
    expect(ok.status).toBe(200);
    expect(plan.failed).toBe(0);
    expect(ok.body.trace.quality).toEqual({ completeness: 0.9, accuracy: 1, clarity: 0.8, confidence: 0.92 }); // the mock's graph answers
    expect((await api("GET", `/api/chat/${id}`)).body.messages).toHaveLength(4);
  });
});
