/**
 * The OpenAI-compatible providers against a local HTTP server speaking the OpenAI wire format
 * (test/support/mock-openai.ts), and the chat fallback when a model provider fails.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { providers } from "../../worker/config";
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
    expect(answer.response).toBe("The Collector receives and exports telemetry data from many sources. [1]");
  });

  it("selects providers from configuration and reports them", () => {
    const p = providers({ ...env, EMBEDDING_PROVIDER: "openai", GENERATION_PROVIDER: "openai", OPENAI_API_KEY: "k", OPENAI_BASE_URL: base() } as unknown as Env);
    expect([p.embedder.name, p.embedder.dimensions, p.generator.name]).toEqual(["openai:text-embedding-3-small", 1536, "openai:gpt-4o-mini"]);
    expect(() => providers({ ...env, GENERATION_PROVIDER: "openai" } as unknown as Env)).toThrow(/OPENAI_API_KEY/);
    expect(() => providers({ ...env, CHUNK_SIZE: "10" } as unknown as Env)).toThrow(/Invalid configuration: CHUNK_SIZE/);
  });
});
