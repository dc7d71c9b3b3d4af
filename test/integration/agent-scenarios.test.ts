/**
 * The five end-to-end scenarios of the agent graph, over HTTP and over the WebSocket channel,
 * on real OpenTelemetry pages: clear question, ambiguous question with clarification (option,
 * custom input, 2-round limit), weak retrieval with rewrites and web fallback, unanswerable
 * question, complex question with decomposition.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { offlineModels } from "../../worker/agents/graph/models";
import { createWebSearch } from "../../worker/agents/web/tavily";
import { providers } from "../../worker/config";
import { sessionStub } from "../../worker/routes/chat";
import { runChatTurn } from "../../worker/services/chat";
import { ingestDocument } from "../../worker/services/ingest";
import { api } from "../support/api";
import { connect } from "../support/socket";

const FOLDERS = ["concepts/", "collector/", "languages/python/", "languages/js/", "languages/go/"];

beforeAll(async () => {
  const p = providers(env);
  for (const doc of env.TEST_CORPUS.filter((d) => FOLDERS.some((f) => d.source.startsWith(f)))) await ingestDocument(env, p, doc);
}, 300_000);

function citationsValid(body: { response: string; sources: unknown[] }) {
  const cited = [...body.response.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  expect(cited.length).toBeGreaterThan(0);
  for (const n of cited) expect(body.sources[n - 1], `citation [${n}]`).toBeDefined();
}

describe("scenario 1: a clear question gets a cited answer", () => {
  it("over HTTP, with the trace of every node", async () => {
    const res = await api("POST", "/api/chat", { query: "What is baggage?" });
    expect(res.status).toBe(200);
    expect(res.body.has_sufficient_info).toBe(true);
    expect(res.body.response).toMatch(/baggage/i);
    citationsValid(res.body);
    const t = res.body.trace;
    expect(t.node_sequence).toEqual(["analyze_query", "retrieve_documents", "evaluate_relevance", "generate_response", "evaluate_quality"]);
    expect(t.analysis).toMatchObject({ complexity: "simple", is_ambiguous: false, refined_query: "What is baggage?" });
    expect(t.router.route).toBe("knowledge");
    expect(t.retry_count).toBe(0);
    expect(t.correction_triggered).toBe(false);
    expect(t.relevance.every((g: any) => g.relevance_score >= 0 && g.relevance_score <= 1 && ["high", "medium", "low"].includes(g.level))).toBe(true);
    expect(t.quality.confidence).toBeCloseTo(0.4 * t.quality.completeness + 0.4 * t.quality.accuracy + 0.2 * t.quality.clarity, 3);
    expect(res.body.confidence).toBe(t.quality.confidence);
    expect(Object.keys(t.timings_ms)).toEqual(expect.arrayContaining(["analyze_query", "generate_response"]));
  });

  it("over WebSocket, with a progress frame per node", async () => {
    const c = await connect("ws-clear");
    c.send({ type: "question", query: "What is baggage?" });
    const answer = await c.next("answer");
    expect(answer.session_id).toBe("ws-clear");
    expect(answer.has_sufficient_info).toBe(true);
    citationsValid(answer);
    const steps = c.frames.filter((f) => f.type === "progress").map((f) => f.step);
    expect(steps).toEqual(answer.trace.node_sequence);
    c.ws.close(1000);
  });
});

describe("scenario 2: an ambiguous question asks for clarification", () => {
  it("over HTTP: options grounded in the knowledge base, then an option resumes the graph", async () => {
    const first = await api("POST", "/api/chat", { query: "How do I configure exporters?", session_id: "http-clarify" });
    expect(first.body.clarification_needed).toBe(true);
    expect(first.body.options.length).toBeGreaterThanOrEqual(2);
    expect(first.body.options.length).toBeLessThanOrEqual(5);
    for (const o of first.body.options) expect(o.source_count).toBeGreaterThan(0);
    expect(first.body.interaction_count).toBe(0);
    const history = await api("GET", "/api/chat/http-clarify");
    expect(history.body.pending_clarification.options).toHaveLength(first.body.options.length);

    const python = first.body.options.find((o: any) => /python/i.test(o.label)) ?? first.body.options[0];
    const answer = await api("POST", "/api/chat", { session_id: "http-clarify", selected_option: python.id });
    expect(answer.status).toBe(200);
    expect(answer.body.clarification_needed).toBeUndefined();
    expect(answer.body.trace.interaction_count).toBe(1);
    expect(answer.body.resolved_query).toContain("How do I configure exporters?");
    citationsValid(answer.body);
    // nothing is pending any more
    const again = await api("POST", "/api/chat", { session_id: "http-clarify", selected_option: "1" });
    expect(again.status).toBe(422);
  });

  it("over HTTP: free-text input resumes too, and at most 2 rounds are asked", async () => {
    const q1 = await api("POST", "/api/chat", { query: "exporters", session_id: "http-rounds" });
    expect(q1.body.clarification_needed).toBe(true);
    const q2 = await api("POST", "/api/chat", { session_id: "http-rounds", custom_input: "exporters" });
    expect(q2.body.clarification_needed).toBe(true);
    expect(q2.body.interaction_count).toBe(1);
    const q3 = await api("POST", "/api/chat", { session_id: "http-rounds", custom_input: "exporters" });
    expect(q3.body.clarification_needed).toBeUndefined();
    expect(q3.body.trace.interaction_count).toBe(2);
    expect(q3.body.response.length).toBeGreaterThan(0);
  });

  it("validates clarification answers", async () => {
    expect((await api("POST", "/api/chat", { selected_option: "1" })).status).toBe(422); // no session
    expect((await api("POST", "/api/chat", { session_id: "nothing-pending", custom_input: "x" })).status).toBe(422);
    const q = await api("POST", "/api/chat", { query: "exporters", session_id: "bad-option" });
    expect(q.body.clarification_needed).toBe(true);
    const bad = await api("POST", "/api/chat", { session_id: "bad-option", selected_option: "99" });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe("invalid_request");
  });

  it("over WebSocket: the pending clarification survives disconnects and eviction", async () => {
    const c1 = await connect("ws-clarify");
    c1.send({ type: "question", query: "How do I configure exporters?", turn_id: "t-1" });
    const clarification = await c1.next("clarification");
    expect(clarification.options.length).toBeGreaterThanOrEqual(2);
    // every frame of the turn carries the client's turn_id
    const turnFrames = c1.frames.filter((f) => f.type === "progress" || f.type === "clarification");
    expect(turnFrames.length).toBeGreaterThan(1);
    expect(turnFrames.every((f) => f.turn_id === "t-1")).toBe(true);
    c1.send({ type: "question", query: "x", turn_id: "bad id!" });
    expect((await c1.next("error")).message).toContain("turn_id");
    c1.ws.close(1000);

    await evictDurableObject(sessionStub(env, "ws-clarify"), { webSockets: "close" });

    const c2 = await connect("ws-clarify");
    const resent = await c2.next("clarification");
    expect(resent.clarification_question).toBe(clarification.clarification_question);
    expect(resent.options).toEqual(clarification.options);
    expect(resent.turn_id).toBeUndefined(); // the resend belongs to no turn of this connection
    c2.send({ type: "response", selected_option: resent.options[0].id, turn_id: "t-2" });
    const answer = await c2.next("answer");
    expect(answer.turn_id).toBe("t-2");
    expect(answer.trace.interaction_count).toBe(1);
    expect(answer.response.length).toBeGreaterThan(0);
    c2.ws.close(1000);
  });
});

describe("scenario 3: weak retrieval triggers rewrites and the web fallback", () => {
  it("rewrites with a different strategy each retry, then searches the web when configured", async () => {
    const webSearch = createWebSearch({ TAVILY_API_KEY: "test-key", TAVILY_BASE_URL: env.MOCK_OPENAI_URL });
    expect(webSearch).not.toBeNull();
    const turn = await runChatTurn(
      { kind: "question", query: "How do I bake sourdough bread?" },
      { env, providers: providers(env), models: offlineModels, webSearch, sessionId: "web-1", history: [], pending: null },
    );
    const body = turn.outcome.body as any;
    const t = body.trace;
    expect(t.correction_triggered).toBe(true);
    expect(t.retry_count).toBe(2);
    expect(t.rewritten_queries).toHaveLength(2);
    expect(new Set(t.rewritten_queries.map((r: any) => r.strategy)).size).toBe(2);
    expect(t.node_sequence.filter((n: string) => n === "rewrite_query")).toHaveLength(2);
    expect(t.node_sequence).toContain("web_search");
    expect(t.web_search_triggered).toBe(true);
    expect(body.sources.some((s: any) => s.web === true && /^https?:\/\//.test(s.url))).toBe(true);
    expect(body.needs_disclaimer).toBe(true);
  });

  it("without web search configured, says the knowledge base does not cover it", async () => {
    const res = await api("POST", "/api/chat", { query: "How do I bake sourdough bread at home?" });
    expect(res.body.trace.web_search_triggered).toBe(false);
    expect(res.body.trace.retry_count).toBe(2);
    expect(res.body.has_sufficient_info).toBe(false);
    expect(res.body.response).toMatch(/does not cover/);
  });

  it("over WebSocket: progress frames show the rewrite loop", async () => {
    const c = await connect("ws-weak");
    c.send({ type: "question", query: "How do I bake sourdough bread?" });
    const answer = await c.next("answer");
    const steps = c.frames.filter((f) => f.type === "progress").map((f) => f.step);
    expect(steps.filter((s) => s === "rewrite_query")).toHaveLength(2);
    expect(answer.trace.rewritten_queries.map((r: any) => r.strategy)).toEqual(["keyword_focus", "pseudo_relevance_feedback"]);
    expect(answer.has_sufficient_info).toBe(false);
    c.ws.close(1000);
  });

  it("retrieves again with each rewritten query and reports relevance before and after", async () => {
    const res = await api("POST", "/api/chat", { query: "How do I bake sourdough bread?" });
    const t = res.body.trace;
    expect(t.node_sequence.filter((n: string) => n === "retrieve_documents")).toHaveLength(3);
    expect(t.node_sequence.filter((n: string) => n === "evaluate_relevance")).toHaveLength(3);
    expect(t.rewritten_queries[0]).toEqual({ query: "bake sourdough bread", strategy: "keyword_focus" });
    expect(t.rewritten_queries[1].strategy).toBe("pseudo_relevance_feedback");
    expect(t.rewritten_queries[1].query.startsWith("bake sourdough bread ")).toBe(true);
    expect(typeof t.initial_avg_relevance).toBe("number");
    expect(typeof t.final_avg_relevance).toBe("number");
    expect(t.initial_avg_relevance).toBeLessThan(0.8);
  });
});

describe("scenario 4: an unanswerable question gets an honest answer", () => {
  it("over HTTP and WebSocket", async () => {
    const res = await api("POST", "/api/chat", { query: "Who won the football world cup in 1954?" });
    expect(res.body.has_sufficient_info).toBe(false);
    expect(res.body.needs_disclaimer).toBe(true);
    expect(res.body.response).toMatch(/knowledge base does not cover/);
    const c = await connect("ws-unanswerable");
    c.send({ type: "question", query: "Who won the football world cup in 1954?" });
    const answer = await c.next("answer");
    expect(answer.has_sufficient_info).toBe(false);
    c.ws.close(1000);
  });
});

describe("scenario 5: a complex question is decomposed", () => {
  it("over HTTP: sub-questions, parallel retrieval and an answer covering each part", async () => {
    const res = await api("POST", "/api/chat", { query: "What is the difference between head sampling and tail sampling?" });
    const t = res.body.trace;
    expect(t.analysis.complexity).toBe("complex");
    expect(t.node_sequence.slice(0, 3)).toEqual(["analyze_query", "decompose_query", "retrieve_documents"]);
    // Each side, then the whole question for the passages that contrast them.
    expect(t.sub_questions.map((s: any) => s.question)).toEqual([
      "What is head sampling?", "What is tail sampling?", "What is the difference between head sampling and tail sampling?",
    ]);
    expect(t.parallel_groups).toEqual([[1, 2, 3]]);
    expect(t.synthesis_guide).toMatch(/contrast/i);
    expect(res.body.response).toMatch(/head sampling/i);
    expect(res.body.response).toMatch(/tail/i);
    citationsValid(res.body);
  });

  it("over WebSocket", async () => {
    const c = await connect("ws-complex");
    c.send({ type: "question", query: "What is baggage and how do I propagate context in Python?" });
    const answer = await c.next("answer");
    expect(answer.trace.sub_questions.length).toBeGreaterThanOrEqual(2);
    expect(answer.response).toMatch(/baggage/i);
    expect(answer.response).toMatch(/propagat|context/i);
    c.ws.close(1000);
  });
});

describe("the WebSocket channel", () => {
  it("answers malformed frames with an error and stays open", async () => {
    const c = await connect("ws-frames");
    c.send("{not json");
    expect((await c.next("error")).code).toBe("malformed_json");
    c.send({ type: "question", query: "" });
    expect((await c.next("error")).code).toBe("invalid_frame");
    c.send({ type: "teleport" });
    expect((await c.next("error")).code).toBe("invalid_frame");
    c.send({ type: "response", custom_input: "x" });
    expect((await c.next("error")).code).toBe("invalid_request"); // nothing pending
    c.send({ type: "ping" });
    expect(await c.next("pong")).toEqual({ type: "pong", __used: true });
    expect(c.closed()).toBeNull();
    c.ws.close(1000);
  });

  it("closes sockets idle for 5 minutes", async () => {
    const c = await connect("ws-idle");
    c.send({ type: "ping" });
    await c.next("pong");
    const stub = sessionStub(env, "ws-idle");
    await runInDurableObject(stub, (_i, state) => {
      for (const ws of state.getWebSockets()) ws.serializeAttachment({ lastActive: Date.now() - 5 * 60 * 1000 - 1 });
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(c.closed()).not.toBeNull();
  });

  it("rejects a malformed session id and plain GETs", async () => {
    expect((await api("GET", "/ws/chat/bad%20id", undefined, { Upgrade: "websocket" })).status).toBe(422);
    expect((await api("GET", "/ws/chat/plain-get")).status).toBe(426);
  });
});

describe("router and math agent in front of the graph", () => {
  it("answers arithmetic and algebra without retrieval, and logs the decision", async () => {
    const mult = await api("POST", "/api/chat", { query: "What is 65 x 3.11?" });
    expect(mult.body.retrieval_source).toBe("math");
    expect(mult.body.response).toContain("202.15");
    expect(mult.body.trace.router).toMatchObject({ route: "math" });
    expect(mult.body.trace.router.patterns_checked.length).toBeGreaterThan(0);
    const eq = await api("POST", "/api/chat", { query: "Solve 2x + 5 = 15" });
    expect(eq.body.response).toContain("x = 5");
    expect(eq.body.response).toContain("Steps:");
    const fee = await api("POST", "/api/chat", { query: "What is the fee for 12 installments?" });
    expect(fee.body.trace.router.route).toBe("knowledge");
  });

  it("refuses hostile input quickly", async () => {
    const started = Date.now();
    const res = await api("POST", "/api/chat", { query: "Calculate 9**9**9**9" });
    expect(res.status).toBe(200);
    expect(res.body.retrieval_source).toBe("math");
    expect(res.body.has_sufficient_info).toBe(false);
    expect(res.body.response).toMatch(/could not calculate/i);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
