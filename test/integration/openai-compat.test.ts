/**
 * edge-rag as an OpenAI-compatible model, driven by the official `openai` npm client (its fetch
 * sent to the Worker in workerd): the model list by knowledge scope, a cited completion with the
 * sources in `edge_rag`, a streamed completion in chunk format, a clarification answered in the
 * next request, a scoped model, and errors.
 */
import { env, exports } from "cloudflare:workers";
import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../worker/config";
import { ingestDocument } from "../../worker/services/ingest";

const client = new OpenAI({
  apiKey: "not-needed",
  baseURL: "http://edge-rag.test/v1",
  maxRetries: 0,
  fetch: (url: RequestInfo | URL, init?: RequestInit) => (exports as any).default.fetch(new Request(url, init)),
});

beforeAll(async () => {
  const p = providers(env);
  const folders = ["concepts/", "collector/", "languages/python/", "languages/js/", "languages/go/"];
  for (const doc of env.TEST_CORPUS.filter((d) => folders.some((f) => d.source.startsWith(f)))) await ingestDocument(env, p, doc);
}, 300_000);

describe("GET /v1/models", () => {
  it("lists the whole knowledge base and one model per domain", async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids[0]).toBe("edge-rag");
    expect(ids).toEqual(expect.arrayContaining(["edge-rag:concepts", "edge-rag:collector", "edge-rag:languages"]));
  });
});

describe("POST /v1/chat/completions", () => {
  it("answers the last user message with citations, and the sources in edge_rag", async () => {
    const completion = await client.chat.completions.create({
      model: "edge-rag",
      messages: [{ role: "system", content: "You are helpful." }, { role: "user", content: "What is baggage in OpenTelemetry?" }],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("edge-rag");
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0].finish_reason).toBe("stop");
    const text = completion.choices[0].message.content!;
    expect(text).toMatch(/baggage/i);
    expect(text).toMatch(/\[1\]/);
    const extra = (completion as any).edge_rag;
    expect(extra.has_sufficient_info).toBe(true);
    expect(extra.sources[0]).toMatchObject({ index: 1 });
    expect(extra.sources[0].source).toMatch(/^concepts\//);
  });

  it("streams chunks whose deltas make the answer, then a stop chunk with the sources, then [DONE]", async () => {
    const stream = await client.chat.completions.create({ model: "edge-rag", stream: true, messages: [{ role: "user", content: "What is baggage in OpenTelemetry?" }] });
    let text = "";
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0].id)).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices[0].finish_reason).toBe("stop");
    expect((last as any).edge_rag.sources.length).toBeGreaterThan(0);
    const whole = await client.chat.completions.create({ model: "edge-rag", messages: [{ role: "user", content: "What is baggage in OpenTelemetry?" }] });
    expect(text).toBe(whole.choices[0].message.content);
  });

  it("asks a clarification as an assistant message, and resumes it when the next request picks an option", async () => {
    const first = await client.chat.completions.create({ model: "edge-rag", messages: [{ role: "user", content: "exporters" }] });
    const asked = first.choices[0].message.content!;
    const clarification = (first as any).edge_rag.clarification;
    expect(clarification.options.length).toBeGreaterThanOrEqual(2);
    expect(asked).toContain(`1. ${clarification.options[0].label}`);
    const second = await client.chat.completions.create({
      model: "edge-rag",
      messages: [{ role: "user", content: "exporters" }, { role: "assistant", content: asked }, { role: "user", content: "1" }],
    });
    const extra = (second as any).edge_rag;
    expect(extra.clarification).toBeUndefined();
    expect(extra.resolved_query.startsWith("exporters ")).toBe(true);
    expect(extra.resolved_query.length).toBeGreaterThan("exporters ".length);
    expect(second.choices[0].message.content!.length).toBeGreaterThan(0);
  });

  it("keeps a scoped model to its domain", async () => {
    const completion = await client.chat.completions.create({ model: "edge-rag:collector", messages: [{ role: "user", content: "How do I configure the batch processor?" }] });
    const sources = (completion as any).edge_rag.sources;
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.every((s: any) => s.source.startsWith("collector/"))).toBe(true);
  });

  it("uses earlier messages to resolve a follow-up", async () => {
    const completion = await client.chat.completions.create({
      model: "edge-rag",
      messages: [{ role: "user", content: "What is the batch processor?" }, { role: "assistant", content: "It batches telemetry. [1]" }, { role: "user", content: "How do I configure it?" }],
    });
    expect((completion as any).edge_rag.resolved_query).toMatch(/batch/i);
  });

  it("refuses an unknown model, a last message that is not the user's, and non-text content, in the API's error shape", async () => {
    await expect(client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({ status: 404 });
    await expect(client.chat.completions.create({ model: "edge-rag:nope", messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({ status: 404 });
    await expect(client.chat.completions.create({ model: "edge-rag", messages: [{ role: "assistant", content: "hi" }] })).rejects.toMatchObject({ status: 422 });
    await expect(
      client.chat.completions.create({ model: "edge-rag", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/x.png" } }] }] }),
    ).rejects.toMatchObject({ status: 422 });
    const res = await (exports as any).default.fetch(new Request("http://edge-rag.test/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "edge-rag", messages: [] }) }));
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe("invalid_request");
  });
});
