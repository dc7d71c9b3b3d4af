/**
 * Resilience of the agent clients against the scenarios of test/support/mock-openai.ts:
 * the structured LLM client (worker/agents/llm/structured.ts) under 429 / timeouts / 5xx /
 * malformed or wrong-shaped output / 4xx, the token budget helper, the shared retry helper, and
 * the Tavily web search client (worker/agents/web/tavily.ts).
 */
import { withTokenBudget } from "../../worker/rag/generation/prompt";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseRetryAfterMs, retryDelayMs, TransientError, withRetry } from "../../worker/agents/llm/retry";
import {
  createStructuredClient,
  LlmError,
  LlmOutputError,
  LlmRequestError,
  LlmUnavailableError,
} from "../../worker/agents/llm/structured";
import { createWebSearch, WebSearchError } from "../../worker/agents/web/tavily";
import { readConfig, structuredClientOptions } from "../../worker/config";

const Answer = z.object({ answer: z.literal("ok"), n: z.number().int() });

/** A sleep that records the requested waits instead of waiting. */
function recorder() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

function client(model: string, extra: { timeoutMs?: number; maxAttempts?: number } = {}) {
  const rec = recorder();
  const c = createStructuredClient({ apiKey: "sk-test-secret", baseURL: `${env.MOCK_OPENAI_URL}/resilience/v1`, model, sleep: rec.sleep, ...extra });
  return { c, waits: rec.waits };
}

/** A system prompt unique to one test, so the mock's per-key call counting starts afresh. */
const system = () => `Reply in JSON. Test ${crypto.randomUUID()}`;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("structured LLM client", () => {
  it("answers with validated JSON in one call", async () => {
    const { c, waits } = client("ok");
    expect(c.name).toBe("openai:ok");
    const r = await c.complete({ system: system(), user: "hi", schema: Answer });
    expect(r).toEqual({ value: { answer: "ok", n: 1 }, attempts: 1, llmCalls: 1, tokens: 2 });
    expect(waits).toEqual([]);
  });

  it("sends JSON mode, temperature 0 and max_tokens", async () => {
    const { c } = client("ok");
    const sys = system();
    await c.complete({ system: sys, user: "check the request", schema: Answer, maxTokens: 50 });
    const log = await (await fetch(`${env.MOCK_OPENAI_URL}/__requests`)).json<{ path: string; body: any }[]>();
    const sent = log.filter((r) => r.path === "/resilience/v1/chat/completions" && r.body.messages[0].content === sys);
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toMatchObject({
      model: "ok",
      temperature: 0,
      max_tokens: 50,
      response_format: { type: "json_object" },
      messages: [{ role: "system", content: sys }, { role: "user", content: "check the request" }],
    });
  });

  it("honours retry-after on HTTP 429", async () => {
    const { c, waits } = client("rate-limit-once");
    const r = await c.complete({ system: system(), user: "hi", schema: Answer });
    expect(r).toEqual({ value: { answer: "ok", n: 2 }, attempts: 1, llmCalls: 2, tokens: 2 });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(950);
    expect(waits[0]).toBeLessThanOrEqual(1050);
  });

  it("prefers retry-after-ms over retry-after", async () => {
    const { c, waits } = client("rate-limit-ms-once");
    const r = await c.complete({ system: system(), user: "hi", schema: Answer });
    expect(r.llmCalls).toBe(2);
    expect(waits).toEqual([250]);
  });

  it("retries timeouts up to 3 attempts in total", async () => {
    const { c, waits } = client("slow", { timeoutMs: 200 });
    const r = await c.complete({ system: system(), user: "hi", schema: Answer });
    expect(r).toEqual({ value: { answer: "ok", n: 3 }, attempts: 1, llmCalls: 3, tokens: 2 });
    expect(waits).toHaveLength(2);
    expect(waits[1]).toBeGreaterThan(waits[0] * 0.9); // exponential backoff (with jitter)
  });

  it("gives up with LlmUnavailableError when timeouts outlast maxAttempts", async () => {
    const { c } = client("slow", { timeoutMs: 200, maxAttempts: 2 });
    const error = await rejection(c.complete({ system: system(), user: "hi", schema: Answer }));
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect(error).toMatchObject({ kind: "unavailable", reason: "timeout", llmCalls: 2 });
  });

  it("takes the per-attempt timeout from OPENAI_TIMEOUT_MS, and rejects a value out of range", async () => {
    const configured = (extra: Record<string, string>) =>
      readConfig({ ...env, GENERATION_PROVIDER: "openai", OPENAI_BASE_URL: `${env.MOCK_OPENAI_URL}/resilience/v1`, OPENAI_CHAT_MODEL: "slow", ...extra } as unknown as Env);
    // 1 s is shorter than the slow model's first two answers (1.5 s each): two timeouts, then the answer.
    const short = recorder();
    const c = createStructuredClient({ ...structuredClientOptions(configured({ OPENAI_TIMEOUT_MS: "1000" }), "sk-test-secret"), sleep: short.sleep });
    expect(await c.complete({ system: system(), user: "hi", schema: Answer })).toMatchObject({ value: { answer: "ok", n: 3 }, llmCalls: 3 });
    expect(short.waits).toHaveLength(2);
    // Unset, the default (20 s) waits for the first answer.
    const unset = createStructuredClient({ ...structuredClientOptions(configured({}), "sk-test-secret"), sleep: recorder().sleep });
    expect(await unset.complete({ system: system(), user: "hi", schema: Answer })).toMatchObject({ value: { answer: "ok", n: 1 }, llmCalls: 1 });
    expect(() => configured({ OPENAI_TIMEOUT_MS: "50" })).toThrow(/OPENAI_TIMEOUT_MS/);
  });

  it("retries a 5xx", async () => {
    const { c, waits } = client("server-error-once");
    const r = await c.complete({ system: system(), user: "hi", schema: Answer });
    expect(r.llmCalls).toBe(2);
    expect(waits).toHaveLength(1);
  });

  it("recovers from malformed output with one retry using the simpler prompt", async () => {
    const { c } = client("malformed-once");
    const sys = system();
    const r = await c.complete({ system: sys, user: "hi", simplerUser: "Just the JSON please", schema: Answer });
    expect(r).toEqual({ value: { answer: "ok", n: 2 }, attempts: 2, llmCalls: 2, tokens: 4 });
    const log = await (await fetch(`${env.MOCK_OPENAI_URL}/__requests`)).json<{ path: string; body: any }[]>();
    const users = log.filter((x) => x.body.messages?.[0]?.content === sys).map((x) => x.body.messages[1].content);
    expect(users).toEqual(["hi", "Just the JSON please"]);
  });

  it("throws LlmOutputError after exactly 2 calls when the output is always malformed", async () => {
    const { c } = client("malformed-always");
    const sys = system();
    const error = await rejection(c.complete({ system: sys, user: "hi", schema: Answer }));
    expect(error).toBeInstanceOf(LlmOutputError);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ kind: "output", problem: "invalid_json", llmCalls: 2 });
    const log = await (await fetch(`${env.MOCK_OPENAI_URL}/__requests`)).json<{ path: string; body: any }[]>();
    const users = log.filter((x) => x.body.messages?.[0]?.content === sys).map((x) => x.body.messages[1].content);
    expect(users).toEqual(["hi", "hi\n\nAnswer with JSON only."]);
  });

  it("retries once when the JSON has the wrong shape", async () => {
    const { c } = client("schema-wrong-once");
    const r = await c.complete({ system: system(), user: "hi", schema: Answer });
    expect(r).toEqual({ value: { answer: "ok", n: 2 }, attempts: 2, llmCalls: 2, tokens: 4 });
  });

  it("reports schema issues when the shape is wrong on both prompts", async () => {
    const { c } = client("ok");
    const strict = z.object({ verdict: z.enum(["yes", "no"]) });
    const error = await rejection(c.complete({ system: system(), user: "hi", schema: strict }));
    expect(error).toBeInstanceOf(LlmOutputError);
    expect(error).toMatchObject({ problem: "schema", llmCalls: 2 });
    expect((error as LlmOutputError).issues[0]).toMatch(/^verdict: /);
  });

  it("throws LlmRequestError at once on other 4xx, with a safe message", async () => {
    for (const [model, status] of [["bad-request", 400], ["unauthorized", 401]] as const) {
      const { c, waits } = client(model);
      const error = await rejection(c.complete({ system: system(), user: "hi", schema: Answer }));
      expect(error).toBeInstanceOf(LlmRequestError);
      expect(error).toMatchObject({ kind: "request", status, llmCalls: 1 });
      expect(waits).toEqual([]);
      const text = `${(error as Error).message} ${JSON.stringify(error)}`;
      expect(text).not.toMatch(/sk-|secret|at .*\.ts|\n/);
      expect(JSON.parse(JSON.stringify(error))).toEqual({ name: "LlmRequestError", kind: "request", message: `LLM request rejected (HTTP ${status})`, status, llmCalls: 1 });
    }
  });

  it("rejects a client without key, URL or model", () => {
    expect(() => createStructuredClient({ apiKey: "", baseURL: "http://x", model: "m" })).toThrow(LlmRequestError);
  });
});

describe("withTokenBudget", () => {
  const s = (chars: number, id: number) => ({ id, content: "x".repeat(chars) });

  it("drops the lowest-ranked sources until the estimate fits", () => {
    const sources = [s(400, 1), s(400, 2), s(400, 3), s(400, 4)]; // 100 tokens each
    const { kept, dropped } = withTokenBudget(sources, 250);
    expect(kept.map((x) => x.id)).toEqual([1, 2]);
    expect(dropped.map((x) => x.id)).toEqual([3, 4]);
    expect(sources).toHaveLength(4);
    expect(withTokenBudget(sources, 400).dropped).toEqual([]);
  });

  it("keeps at least one source and accepts a custom estimate", () => {
    expect(withTokenBudget([s(4000, 1), s(4, 2)], 10).kept.map((x) => x.id)).toEqual([1]);
    expect(withTokenBudget([], 10)).toEqual({ kept: [], dropped: [] });
    const words = (t: string) => t.split(/\s+/).length;
    const { kept } = withTokenBudget([{ content: "a b c" }, { content: "d e" }, { content: "f" }], 5, words);
    expect(kept).toHaveLength(2);
  });
});

describe("retry helper", () => {
  it("parses retry-after as seconds, HTTP date and retry-after-ms", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfterMs(new Headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(parseRetryAfterMs({ "Retry-After": "0.5" }, now)).toBe(500);
    expect(parseRetryAfterMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }), now)).toBe(3000);
    expect(parseRetryAfterMs(new Headers({ "retry-after": "Wed, 31 Dec 2025 00:00:00 GMT" }), now)).toBe(0);
    expect(parseRetryAfterMs(new Headers({ "retry-after-ms": "120", "retry-after": "9" }), now)).toBe(120);
    expect(parseRetryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
  });

  it("caps waits at 30 s and backs off exponentially", () => {
    expect(retryDelayMs(1, new TransientError("rate_limit", { retryAfterMs: 120_000 }))).toBe(30_000);
    const fixed = { random: () => 1 - Number.EPSILON };
    expect(retryDelayMs(1, new TransientError("timeout"), fixed)).toBe(500);
    expect(retryDelayMs(3, new TransientError("server"), fixed)).toBe(2000);
    expect(retryDelayMs(20, new TransientError("server"), fixed)).toBe(30_000);
  });

  it("rethrows non-transient errors at once and the last transient one when attempts run out", async () => {
    let calls = 0;
    const sleep = async () => {};
    await expect(withRetry(async () => { calls++; throw new Error("fatal"); }, { sleep })).rejects.toThrow("fatal");
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetry(async () => { calls++; throw new TransientError("network"); }, { sleep, maxAttempts: 3 })).rejects.toBeInstanceOf(TransientError);
    expect(calls).toBe(3);
  });
});

describe("Tavily web search", () => {
  const search = (key: string, extra: { timeoutMs?: number } = {}) => {
    const rec = recorder();
    const ws = createWebSearch({ TAVILY_API_KEY: key, TAVILY_BASE_URL: env.MOCK_OPENAI_URL }, { sleep: rec.sleep, ...extra });
    return { ws: ws!, waits: rec.waits };
  };

  it("returns validated results and sends the Tavily request", async () => {
    const { ws } = search("tvly-test");
    expect(ws.name).toBe("tavily");
    const query = `what does the collector do ${crypto.randomUUID()}`;
    const results = await ws.search(query, 3);
    expect(results).toHaveLength(2);
    expect(results[0]).toEqual({ title: "OpenTelemetry Collector", url: "https://opentelemetry.io/docs/collector/", content: expect.stringContaining("Collector"), score: 0.91 });
    for (const r of results) expect(Object.keys(r).sort()).toEqual(["content", "score", "title", "url"]);
    expect(await ws.search(query, 1)).toHaveLength(1);
    const log = await (await fetch(`${env.MOCK_OPENAI_URL}/__requests`)).json<{ path: string; body: any }[]>();
    const sent = log.filter((r) => r.path === "/search" && r.body.query === query)[0];
    expect(sent.body).toEqual({ query, max_results: 3, search_depth: "basic", include_answer: false });
  });

  it("is disabled (null) without a key", () => {
    expect(createWebSearch({})).toBeNull();
    expect(createWebSearch({ TAVILY_API_KEY: "  ", TAVILY_BASE_URL: env.MOCK_OPENAI_URL })).toBeNull();
  });

  it("throws a typed request error on 401, without retrying", async () => {
    const { ws, waits } = search("bad");
    const error = await rejection(ws.search("anything"));
    expect(error).toBeInstanceOf(WebSearchError);
    expect(error).toMatchObject({ kind: "request", status: 401, calls: 1, message: "web search rejected (HTTP 401)" });
    expect(waits).toEqual([]);
  });

  it("retries a 429 after retry-after", async () => {
    const { ws, waits } = search("tvly-test");
    const results = await ws.search(`rate limit me ${crypto.randomUUID()}`);
    expect(results).toHaveLength(2);
    expect(waits).toEqual([1000]);
  });

  it("retries a timeout", async () => {
    const { ws, waits } = search("tvly-test", { timeoutMs: 200 });
    const results = await ws.search(`slow search ${crypto.randomUUID()}`);
    expect(results).toHaveLength(2);
    expect(waits).toHaveLength(1);
  });

  it("rejects an empty query without a request", async () => {
    const { ws } = search("tvly-test");
    await expect(ws.search("   ")).rejects.toMatchObject({ name: "WebSearchError", kind: "request", calls: 0 });
  });
});
