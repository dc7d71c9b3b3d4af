/**
 * The OpenAI-compatible providers against a local HTTP server speaking the OpenAI wire format
 * (test/support/mock-openai.ts), and the chat fallback when a model provider fails.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { providers, readConfig } from "../../worker/config";
import { OpenAIEmbedder } from "../../worker/rag/embedding/openai";
import { OpenAIGenerator } from "../../worker/rag/generation/openai";
import { runChatTurn } from "../../worker/services/chat";
import { api } from "../support/api";

const base = () => `${env.MOCK_OPENAI_URL}/v1`;
const sources = [
  { index: 1, title: "Collector", source: "collector.md", heading: "Collector", content: "The Collector receives and exports telemetry. It runs as an agent or a gateway.", score: 0.03 },
];

describe("OpenAI-compatible providers", () => {
  it("embeds in input order with the configured dimensions", async () => {
    const embedder = new OpenAIEmbedder({ apiKey: "test", baseURL: base(), model: "embed-test", dimensions: 16, batchSize: 2 });
    const vectors = await embedder.embed(["a", "b", "c"]);
    expect(vectors.map((v) => v.length)).toEqual([16, 16, 16]);
    const [again] = await embedder.embed(["b"]);
    expect(Array.from(again)).toEqual(Array.from(vectors[1]));
    const log = await (await fetch(`${env.MOCK_OPENAI_URL}/__requests`)).json<{ path: string; body: any }[]>();
    const embedCalls = log.filter((r) => r.path === "/v1/embeddings");
    expect(embedCalls[0].body).toMatchObject({ model: "embed-test", input: ["a", "b"], dimensions: 16 });
  });

  it("generates a grounded, cited answer and detects NOT_COVERED", async () => {
    const gen = new OpenAIGenerator({ apiKey: "test", baseURL: base(), model: "chat-test" });
    const answer = await gen.generate("What does the Collector do?", sources);
    expect(answer).toMatchObject({ response: "The Collector receives and exports telemetry. [1]", hasSufficientInfo: true, citedIndexes: [1] });
    const refused = await gen.generate("An unanswerable question", sources);
    expect(refused.hasSufficientInfo).toBe(false);
    expect(refused.response).toMatch(/does not cover/);
    const log = await (await fetch(`${env.MOCK_OPENAI_URL}/__requests`)).json<{ path: string; body: any }[]>();
    const chat = log.filter((r) => r.path === "/v1/chat/completions").at(-1)!;
    expect(chat.body.messages[0].content).toMatch(/only the numbered sources/);
    expect(chat.body.messages[1].content).toContain("[1] Collector — Collector");
  });

  it("falls back to the offline generator when the model provider fails", async () => {
    expect((await api("POST", "/api/documents", { source: "collector.md", content: "# Collector\n\nThe Collector receives and exports telemetry data from many sources." })).status).toBe(201);
    const p = providers(env);
    const failing = { ...p, generator: new OpenAIGenerator({ apiKey: "test", baseURL: base(), model: "always-500" }) };
    const turn = await runChatTurn(
      { kind: "question", query: "What does the Collector do?" },
      { env, providers: failing, webSearch: null, sessionId: "fallback-session", history: [], pending: null },
    );
    expect(turn.outcome.type).toBe("answer");
    const answer = turn.outcome.body as { has_sufficient_info: boolean; response: string };
    expect(answer.has_sufficient_info).toBe(true);
    expect(answer.response).toBe("**Collector**\nThe Collector receives and exports telemetry data from many sources. [1]");
  });

  it("selects providers from configuration and reports them", () => {
    const p = providers({ ...env, EMBEDDING_PROVIDER: "openai", GENERATION_PROVIDER: "openai", OPENAI_API_KEY: "k", OPENAI_BASE_URL: base() } as unknown as Env);
    expect([p.embedder.name, p.embedder.dimensions, p.generator.name]).toEqual(["openai:text-embedding-3-small", 1536, "openai:gpt-4o-mini"]);
    expect(() => providers({ ...env, GENERATION_PROVIDER: "openai" } as unknown as Env)).toThrow(/OPENAI_API_KEY/);
    expect(() => providers({ ...env, CHUNK_SIZE: "10" } as unknown as Env)).toThrow(/Invalid configuration: CHUNK_SIZE/);
  });

  it("parses the configuration once per bindings object", () => {
    const own = { ...env } as Env;
    const config = readConfig(own);
    expect(readConfig(own)).toBe(config);
    expect(providers(own).config).toBe(config);
    expect(Object.isFrozen(config)).toBe(true);
    // Another object is parsed on its own, with its own values.
    const other = readConfig({ ...own, MAX_TOP_K: "7" } as unknown as Env);
    expect([other.MAX_TOP_K, config.MAX_TOP_K]).toEqual([7, 50]);
    // A failed parse is not cached: the same bad object fails every time.
    const bad = { ...own, CHUNK_OVERLAP: "5000" } as unknown as Env;
    expect(() => readConfig(bad)).toThrow(/CHUNK_OVERLAP must be smaller/);
    expect(() => readConfig(bad)).toThrow(/CHUNK_OVERLAP must be smaller/);
  });
});

describe("model-backed graph steps", () => {
  it("run the graph through an OpenAI-compatible model, counting LLM calls", async () => {
    const { llmModels } = await import("../../worker/agents/graph/llm-models");
    const { createStructuredClient } = await import("../../worker/agents/llm/structured");
    const models = llmModels(createStructuredClient({ apiKey: "k", baseURL: base(), model: "graph-json" }));
    const turn = await runChatTurn(
      { kind: "question", query: "What does the Collector do?" },
      { env, providers: providers(env), models, webSearch: null, sessionId: "llm-graph", history: [], pending: null },
    );
    const body = turn.outcome.body as any;
    expect(body.trace.analysis).toMatchObject({ complexity: "simple", is_ambiguous: false, clarity_confidence: 0.95 });
    expect(body.trace.relevance.every((g: any) => g.relevance_score === 0.9 && g.level === "high")).toBe(true);
    expect(body.trace.quality).toEqual({ completeness: 0.9, accuracy: 1, clarity: 0.8, confidence: 0.92 });
    expect(body.confidence).toBe(0.92);
    // One call per model-backed node that ran (generation is offline here).
    const modelNodes = ["analyze_query", "decompose_query", "evaluate_relevance", "rewrite_query", "evaluate_quality"];
    expect(body.trace.total_llm_calls).toBe(body.trace.node_sequence.filter((n: string) => modelNodes.includes(n)).length);
    expect(body.trace.total_llm_calls).toBeGreaterThanOrEqual(3);
  });

  it("fall back to the offline steps when the model fails", async () => {
    const { llmModels } = await import("../../worker/agents/graph/llm-models");
    const { createStructuredClient } = await import("../../worker/agents/llm/structured");
    const models = llmModels(createStructuredClient({ apiKey: "k", baseURL: base(), model: "always-500", maxAttempts: 2, sleep: async () => {} }));
    const turn = await runChatTurn(
      { kind: "question", query: "What does the Collector do?" },
      { env, providers: providers(env), models, webSearch: null, sessionId: "llm-graph-down", history: [], pending: null },
    );
    const body = turn.outcome.body as any;
    expect(turn.outcome.type).toBe("answer");
    expect(body.has_sufficient_info).toBe(true);
    expect(body.trace.analysis.refined_query).toBe("What does the Collector do?");
    expect(body.trace.total_llm_calls).toBeGreaterThanOrEqual(6); // 2 attempts × analyze, grade, quality
  });
});
