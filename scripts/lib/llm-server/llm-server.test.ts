/**
 * Wire-format test of `npm run llm:local` (scripts/llm-local.ts, scripts/lib/llm-server/): a real
 * llama.cpp runtime (node-llama-cpp) behind the OpenAI-compatible HTTP layer, driven over HTTP and
 * through the `openai` package. It checks shapes, not answer quality, so any GGUF model will do
 * (a random-weights one included): the model list, a non-streamed completion and its usage, the SSE
 * chunks ending with `data: [DONE]`, JSON-schema constrained output that parses and matches the
 * schema, and OpenAI-shaped errors for bad bodies.
 *
 * Needs LLM_MODEL_PATH (a GGUF file); without it those tests are skipped with a note. The
 * `.dev.vars` merge and the no-model message need no model and always run.
 *
 *   LLM_MODEL_PATH=/path/to/model.gguf npx vitest run --config scripts/lib/llm-server/vitest.config.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { devVarsFor, mergeDevVars } from "./dev-vars.ts";
import type { ChatEngine } from "./engine.ts";
import { startLlmServer, type LlmServer } from "./http.ts";

const MODEL = process.env.LLM_MODEL_PATH;
/** Whether node-llama-cpp is installed (`npm run llm:local` installs it on first use). */
const haveRuntime = (() => {
  try {
    import.meta.resolve("node-llama-cpp");
    return true;
  } catch {
    return false;
  }
})();
const SKIP_NOTE = !MODEL
  ? "no model: set LLM_MODEL_PATH to a GGUF file to run the llama.cpp wire-format tests (see docs/local-model.md)"
  : !existsSync(MODEL)
    ? `LLM_MODEL_PATH=${MODEL} does not exist`
    : "node-llama-cpp is not installed: run npm run llm:local once, or npm install --no-save node-llama-cpp@3.21.1";
const haveModel = !!MODEL && existsSync(MODEL) && haveRuntime;
const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

describe("without a model", () => {
  test("llm:local exits with code 2 and explains where a model comes from", () => {
    const env = { ...process.env };
    delete env.LLM_MODEL_PATH;
    const run = spawnSync(process.execPath, ["scripts/llm-local.ts"], { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--model PATH or LLM_MODEL_PATH");
    expect(run.stderr).toMatch(/no\s+text-generation weights/);
    expect(run.stderr).toContain("huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF");
  });

  test(".dev.vars merge replaces the provider lines in place and keeps every other line", () => {
    const vars = devVarsFor("http://127.0.0.1:8088/v1", "qwen2.5-0.5b-instruct-q4_k_m");
    const before = "# local secrets\nADMIN_TOKEN=abc123\nOPENAI_BASE_URL=https://api.openai.com/v1\nexport OPENAI_CHAT_MODEL=gpt-4o-mini\n";
    expect(mergeDevVars(before, vars)).toBe(
      "# local secrets\nADMIN_TOKEN=abc123\nOPENAI_BASE_URL=http://127.0.0.1:8088/v1\nOPENAI_CHAT_MODEL=qwen2.5-0.5b-instruct-q4_k_m\n" +
        "GENERATION_PROVIDER=openai\nOPENAI_API_KEY=local\n",
    );
    expect(mergeDevVars("", vars).split("\n").filter(Boolean)).toHaveLength(4);
  });
});

describe("llama.cpp behind the OpenAI wire format", () => {
  let engine: ChatEngine | undefined;
  let server: LlmServer | undefined;
  let base = "";
  let model = "";

  beforeAll(async () => {
    if (!haveModel) {
      console.warn(`[llm-server.test] skipped: ${SKIP_NOTE}`);
      return;
    }
    const { loadLlamaEngine } = await import("./engine.ts");
    engine = await loadLlamaEngine({ modelPath: MODEL!, contextSize: 2048, threads: 2 });
    server = await startLlmServer({ engine, port: 0, defaultMaxTokens: 64 });
    base = server.baseUrl;
    model = engine.modelId;
  });

  afterAll(async () => {
    await server?.close();
    await engine?.close();
  });

  const post = (body: unknown, raw?: string) =>
    fetch(`${base}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: raw ?? JSON.stringify(body) });

  const Completion = z.object({
    id: z.string().startsWith("chatcmpl-"),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(z.object({
      index: z.literal(0),
      message: z.object({ role: z.literal("assistant"), content: z.string() }),
      finish_reason: z.enum(["stop", "length"]),
    })).length(1),
    usage: z.object({ prompt_tokens: z.number().int().positive(), completion_tokens: z.number().int().min(0), total_tokens: z.number().int() }),
  });

  const Chunk = z.object({
    id: z.string().startsWith("chatcmpl-"),
    object: z.literal("chat.completion.chunk"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(z.object({
      index: z.literal(0),
      delta: z.object({ role: z.literal("assistant").optional(), content: z.string().optional() }),
      finish_reason: z.enum(["stop", "length"]).nullable(),
    })),
    usage: z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() }).optional(),
  });

  const ErrorBody = z.object({ error: z.object({ message: z.string().min(1), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }) });

  test("GET /v1/models lists the loaded model", async ({ skip }) => {
    skip(!haveModel, SKIP_NOTE);
    const res = await fetch(`${base}/models`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ object: "list", data: [{ id: model, object: "model", created: 0, owned_by: "local" }] });
  });

  test("a non-streamed completion has OpenAI's shape and honours max_tokens", async ({ skip }) => {
    skip(!haveModel, SKIP_NOTE);
    const res = await post({ model, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "What is edge-rag?" }], max_tokens: 5, temperature: 0 });
    expect(res.status).toBe(200);
    const body = Completion.parse(await res.json());
    expect(body.model).toBe(model);
    expect(body.usage.completion_tokens).toBeLessThanOrEqual(5);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    if (body.choices[0]!.finish_reason === "length") expect(body.usage.completion_tokens).toBe(5);
  });

  test("stream: true sends chat.completion.chunk events, role first, finish_reason last, usage, then [DONE]", async ({ skip }) => {
    skip(!haveModel, SKIP_NOTE);
    const res = await post({ model, messages: [{ role: "user", content: "Count to three." }], max_tokens: 8, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    const events = text.split("\n\n").filter((e) => e.length > 0);
    for (const e of events) expect(e.startsWith("data: ")).toBe(true);
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map((e) => Chunk.parse(JSON.parse(e.slice("data: ".length))));
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    const usage = chunks.at(-1)!;
    expect(usage.choices).toEqual([]);
    const finish = chunks.at(-2)!.choices[0]!;
    expect(finish.finish_reason).not.toBeNull();
    expect(chunks.slice(0, -2).every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
    expect(usage.usage!.completion_tokens).toBeLessThanOrEqual(8);
  });

  test("the openai package reads both forms", async ({ skip }) => {
    skip(!haveModel, SKIP_NOTE);
    const client = new OpenAI({ baseURL: base, apiKey: "local", maxRetries: 0 });
    const completion = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Hello" }], max_tokens: 4, temperature: 0 });
    expect(typeof completion.choices[0]!.message.content).toBe("string");
    const stream = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Hello" }], max_tokens: 4, temperature: 0, stream: true });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? "";
    // Greedy decoding from the same state: the streamed text is the non-streamed one.
    expect(streamed).toBe(completion.choices[0]!.message.content);
  });

  test("json_schema output is grammar-constrained: it parses and matches the schema", async ({ skip }) => {
    skip(!haveModel, SKIP_NOTE);
    const schema = {
      type: "object",
      properties: {
        complexity: { enum: ["simple", "complex"] },
        is_ambiguous: { type: "boolean" },
        refined_query: { type: "string", maxLength: 40 },
        sources: { type: "array", items: { type: "integer" }, maxItems: 3 },
      },
      required: ["complexity", "is_ambiguous", "refined_query", "sources"],
      additionalProperties: false,
    };
    const Expected = z.object({
      complexity: z.enum(["simple", "complex"]),
      is_ambiguous: z.boolean(),
      refined_query: z.string().max(40),
      sources: z.array(z.number().int()).max(3),
    }).strict();
    const res = await post({
      model, temperature: 0, max_tokens: 200,
      messages: [{ role: "system", content: "Answer with JSON." }, { role: "user", content: "Analyse: how do I configure the collector?" }],
      response_format: { type: "json_schema", json_schema: { name: "analysis", schema, strict: true } },
    });
    expect(res.status).toBe(200);
    const body = Completion.parse(await res.json());
    expect(body.choices[0]!.finish_reason).toBe("stop");
    expect(Expected.safeParse(JSON.parse(body.choices[0]!.message.content)).success).toBe(true);
  });

  test("json_object output is a JSON object (or, cut by max_tokens, starts as one)", async ({ skip }) => {
    skip(!haveModel, SKIP_NOTE);
    const res = await post({ model, temperature: 0, max_tokens: 120, messages: [{ role: "user", content: "Reply in JSON." }], response_format: { type: "json_object" } });
    const body = Completion.parse(await res.json());
    const { content } = body.choices[0]!.message;
    expect(content.trimStart().startsWith("{")).toBe(true);
    if (body.choices[0]!.finish_reason === "stop") expect(typeof JSON.parse(content)).toBe("object");
  });

  test("bad bodies are answered in OpenAI's error shape", async ({ skip }) => {
    skip(!haveModel, SKIP_NOTE);
    const cases: { body?: unknown; raw?: string; status: number; param?: string | null; code?: string }[] = [
      { raw: "{not json", status: 400, code: "invalid_json" },
      { raw: "[1,2]", status: 400, code: "invalid_request_body" },
      { body: { model, messages: [] }, status: 400, param: "messages" },
      { body: { model, messages: [{ role: "tool", content: "x" }] }, status: 400, param: "messages.0.role" },
      { body: { model, messages: [{ role: "user", content: "x" }], n: 2 }, status: 400, param: "n" },
      { body: { model, messages: [{ role: "user", content: "x" }], temperature: 3 }, status: 400, param: "temperature" },
      { body: { model, messages: [{ role: "user", content: "x" }], response_format: { type: "json_schema" } }, status: 400, param: "response_format.json_schema" },
      { body: { model: "no-such-model", messages: [{ role: "user", content: "x" }] }, status: 404, param: "model", code: "model_not_found" },
    ];
    for (const c of cases) {
      const res = await post(c.body, c.raw);
      expect(res.status, JSON.stringify(c)).toBe(c.status);
      const err = ErrorBody.parse(await res.json());
      expect(err.error.type).toBe("invalid_request_error");
      if (c.param !== undefined) expect(err.error.param).toBe(c.param);
      if (c.code) expect(err.error.code).toBe(c.code);
    }
    const unknown = await fetch(`${base}/embeddings`, { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
    expect(ErrorBody.parse(await unknown.json()).error.code).toBe("unknown_url");
  });
});
