/**
 * LLM-judge faithfulness in workerd against the local OpenAI-compatible server
 * (test/support/mock-openai.ts, whose judge verdict is deterministic): the judge on its own (a
 * supported and an unsupported answer, unusable output), then an evaluation run with the
 * OpenAI-compatible generation provider configured, whose replayed thumbs-down questions get one
 * supported and one embellished answer, against an offline run of the same questions.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createStructuredClient } from "../../worker/agents/llm/structured";
import { processEvalBatch, startEvaluationRun, type EvalMessage } from "../../worker/monitoring/runs";
import type { CitedSource } from "../../worker/rag/eval/answers";
import { citedSources, faithfulnessPrompt, judgeFaithfulness } from "../../worker/rag/eval/faithfulness";
import { ADMIN, adminApi as api, waitFor } from "../support/api";

const base = () => `${env.MOCK_OPENAI_URL}/v1`;
const SOURCES: CitedSource[] = [
  { index: 1, source: "collector.md", title: "Collector", heading: "Collector", content: "The Collector receives and exports telemetry data from many sources. It runs as an agent or as a gateway." },
  { index: 2, source: "sampling.md", title: "Sampling", heading: "Sampling", content: "Sampling restricts the amount of traces that a system generates." },
];
const judge = (model = "judge-test") => createStructuredClient({ apiKey: "test", baseURL: base(), model, sleep: async () => {} });

async function requests(): Promise<{ path: string; body: any }[]> {
  return (await fetch(`${env.MOCK_OPENAI_URL}/__requests`)).json();
}

describe("the faithfulness judge", () => {
  it("scores a supported answer 1 and an answer with an unsupported sentence by its supported share", async () => {
    const supported = await judgeFaithfulness(judge(), "The Collector receives and exports telemetry data from many sources. [1] It runs as an agent or as a gateway. [1]", SOURCES);
    expect(supported).toEqual({ score: 1, sentences: 2, unsupported: [], llmCalls: 1, error: null });

    const unsupported = await judgeFaithfulness(judge(), "The Collector receives and exports telemetry data from many sources. [1] It was written in COBOL by a single engineer. [1]", SOURCES);
    expect(unsupported).toMatchObject({ score: 0.5, sentences: 2, unsupported: ["It was written in COBOL by a single engineer."], error: null });

    // The judge sees the cited sources only, with the answer, under its task marker.
    const sent = (await requests()).filter((r) => r.path === "/v1/chat/completions" && r.body.model === "judge-test").at(-1)!;
    expect(sent.body.response_format).toEqual({ type: "json_object" });
    expect(sent.body.messages[0].content).toMatch(/^TASK:faithfulness\./);
    expect(sent.body.messages[1].content).toContain("[1] Collector — Collector\nThe Collector receives");
    expect(sent.body.messages[1].content).not.toContain("[2] Sampling");
    expect(sent.body.messages[1].content).toMatch(/\n\nAnswer:\nThe Collector receives .* It was written in COBOL by a single engineer\. \[1\]$/);
  });

  it("records a judge that gives no usable JSON twice as null with the error", async () => {
    const failed = await judgeFaithfulness(judge("judge-garbage"), "The Collector receives and exports telemetry data from many sources. [1]", SOURCES);
    expect(failed).toMatchObject({ score: null, sentences: 0, llmCalls: 2 });
    expect(failed.error).toMatch(/not valid JSON after 2 calls/);
    const down = await judgeFaithfulness(judge("always-500"), "The Collector receives telemetry. [1]", SOURCES);
    expect(down.score).toBeNull();
    expect(down.error).toMatch(/LLM endpoint/);
  });

  it("gives the judge every source when the answer cites none, and cuts long sources", () => {
    expect(citedSources("No markers here.", SOURCES).map((s) => s.index)).toEqual([1, 2]);
    expect(citedSources("Sampling. [2]", SOURCES).map((s) => s.index)).toEqual([2]);
    const long = faithfulnessPrompt("Text. [1]", [{ ...SOURCES[0], content: "x".repeat(10_000) }]);
    expect(long.length).toBeLessThan(4200);
  });
});

describe("faithfulness in evaluation runs", () => {
  const QUESTIONS = ["What does the Collector do?", "Embellish: what does the Collector do?"];
  const feedbackIds: string[] = [];

  beforeAll(async () => {
    expect((await api("POST", "/api/documents", { source: "faithfulness/collector.md", content: "# Collector\n\nThe Collector receives and exports telemetry data from many sources. Its exporters never embellish the data they send." }, {})).status).toBe(201);
    for (const [i, query] of QUESTIONS.entries()) {
      const answer = await api("POST", "/api/chat", { query, session_id: `faithful-${i}` }, {});
      expect(answer.status).toBe(200);
      const rated = await api("POST", "/api/feedback", { session_id: `faithful-${i}`, message_id: answer.body.message_id, rating: "down", reasons: ["misread_documents"] }, {});
      expect(rated.status).toBe(201);
      feedbackIds.push(rated.body.id);
    }
  });

  it("judges each answered case with the configured model and reports the mean", async () => {
    // The OpenAI-compatible provider of the run's configuration: the key is a secret (not an
    // override), so it is given to the consumer's env; the run's batches are processed here.
    const queued: EvalMessage[] = [];
    const modelEnv = {
      ...env, OPENAI_API_KEY: "test-key",
      EVAL_QUEUE: { sendBatch: async (messages: { body: EvalMessage }[]) => void queued.push(...messages.map((m) => m.body)) },
    } as unknown as Env;
    const run = await startEvaluationRun(modelEnv, {
      dataset: "replays", trigger: "manual", batch_size: 1,
      config_overrides: { GENERATION_PROVIDER: "openai", OPENAI_BASE_URL: base(), OPENAI_CHAT_MODEL: "graph-json" },
    });
    expect(queued).toHaveLength(2);
    for (const m of queued) await processEvalBatch(modelEnv, m);

    const done = (await api("GET", `/api/meta-monitoring/runs/${run.id}`)).body;
    expect(done).toMatchObject({ status: "completed", done: 2, failed: 0 });
    const results = (await api("GET", `/api/meta-monitoring/runs/${run.id}/results`)).body.results;
    const byQuestion = new Map(results.map((r: any) => [r.question, r]));
    const plain = byQuestion.get(QUESTIONS[0]) as any;
    const embellished = byQuestion.get(QUESTIONS[1]) as any;
    expect(plain).toMatchObject({ outcome: "answer", faithfulness: 1, changed: true, response: "The Collector receives and exports telemetry data from many sources. [1]" });
    expect(plain.problems).toEqual([]);
    expect(embellished).toMatchObject({ outcome: "answer", faithfulness: 0.5, changed: true });
    expect(embellished.response).toBe("The Collector receives and exports telemetry data from many sources. [1] It was first released on the Moon in 1850. [1]");
    expect(embellished.problems).toContain('faithfulness 0.500: 1 of 2 sentences unsupported, e.g. "It was first released on the Moon in 1850."');
    // The earlier (offline) answers are kept beside the new ones.
    expect(plain.previous.response).toMatch(/^\*\*Collector\*\*\nThe Collector receives/);
    expect(done.metrics).toMatchObject({ faithfulness: 0.75, changed: 2, answered_rate: 1, cases: 2 });
    // The judge's calls are not counted as the chat turn's LLM calls.
    const judged = (await requests()).filter((r) => r.body?.messages?.[0]?.content?.startsWith("TASK:faithfulness") && r.body.model === "graph-json");
    expect(judged).toHaveLength(2);
  });

  it("records a judge failure in a run as null with the error in the problems", async () => {
    const queued: EvalMessage[] = [];
    const modelEnv = {
      ...env, OPENAI_API_KEY: "test-key",
      EVAL_QUEUE: { sendBatch: async (messages: { body: EvalMessage }[]) => void queued.push(...messages.map((m) => m.body)) },
    } as unknown as Env;
    // "judge-garbage" writes answers, but gives the judge (and the graph's JSON steps, which fall back offline) prose.
    const run = await startEvaluationRun(modelEnv, {
      dataset: "replays", trigger: "manual", case_ids: [feedbackIds[0]],
      config_overrides: { GENERATION_PROVIDER: "openai", OPENAI_BASE_URL: base(), OPENAI_CHAT_MODEL: "judge-garbage" },
    });
    for (const m of queued) await processEvalBatch(modelEnv, m);
    const done = (await api("GET", `/api/meta-monitoring/runs/${run.id}`)).body;
    expect(done).toMatchObject({ status: "completed", done: 1, metrics: { faithfulness: null } });
    const [result] = (await api("GET", `/api/meta-monitoring/runs/${run.id}/results`)).body.results;
    expect(result).toMatchObject({ outcome: "answer", faithfulness: null, error: null });
    expect(result.problems).toContain("faithfulness judge failed: LLM output was not valid JSON after 2 calls");
    const failedOnly = (await api("GET", `/api/meta-monitoring/runs/${run.id}/results?failed_only=true`)).body;
    expect(failedOnly.total).toBe(1);
  });

  it("reports null faithfulness for an offline run of the same questions", async () => {
    const started = await api("POST", "/api/meta-monitoring/control/evaluate", { dataset: "replays", case_ids: feedbackIds }, ADMIN);
    expect(started.status).toBe(202);
    const run = await waitFor(async () => {
      const r = await api("GET", `/api/meta-monitoring/runs/${started.body.id}`);
      return r.body.status === "completed" || r.body.status === "failed" ? r.body : undefined;
    }, 45_000, 100);
    expect(run.status).toBe("completed");
    expect(run.metrics).toMatchObject({ faithfulness: null, changed: 0 });
    const results = (await api("GET", `/api/meta-monitoring/runs/${run.id}/results`)).body.results;
    for (const r of results) expect(r.faithfulness).toBeNull();
  });
});
