import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { IDLE_TTL_MS, MAX_MESSAGES, type ChatMessage, type ChatSession } from "../../durable-objects/chat-session";
import { sessionStub } from "../../worker/routes/chat";
import { api } from "../support/api";

const DOCS = [
  {
    source: "collector/overview.md",
    metadata: { domain: "collector" },
    content: `---\ntitle: Collector\n---\n\nThe OpenTelemetry Collector offers a vendor-agnostic implementation of how to receive, process and export telemetry data.\n\n## Installation\n\nYou install the Collector by downloading a release binary or by running the official container image.\n\n## Configuration\n\nYou configure the Collector with a YAML file that defines receivers, processors, exporters and pipelines.`,
  },
  {
    source: "concepts/baggage.md",
    metadata: { domain: "concepts" },
    content: `---\ntitle: Baggage\n---\n\nBaggage is contextual information that is passed between spans as key-value pairs.\n\nBaggage lets you propagate values such as a customer id across service boundaries.`,
  },
];

function message(i: number): ChatMessage {
  return {
    id: `m${i}`, role: i % 2 ? "assistant" : "user", kind: i % 2 ? "answer" : "question", content: `message ${i}`, sources: [],
    created_at: new Date(1_700_000_000_000 + i).toISOString(), resolved_query: null, meta: null,
  };
}

describe("chat sessions", () => {
  beforeAll(async () => {
    for (const d of DOCS) expect((await api("POST", "/api/documents", d)).status).toBe(201);
  });

  it("issues a session id, answers with citations and stores the turn", async () => {
    const res = await api("POST", "/api/chat", { query: "How do I configure the Collector?" });
    expect(res.status).toBe(200);
    expect(res.body.session_id).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    expect(res.body.retrieval_source).toBe("hybrid");
    expect(res.body.has_sufficient_info).toBe(true);
    expect(res.body.response).toContain("YAML file");
    for (const m of res.body.response.matchAll(/\[(\d+)\]/g)) expect(res.body.sources[Number(m[1]) - 1]).toBeDefined();
    expect(res.body.sources[0]).toMatchObject({ index: 1, title: "Collector", source: "collector/overview.md" });
    expect(res.body.confidence).toBeGreaterThanOrEqual(0);
    expect(res.body.confidence).toBeLessThanOrEqual(1);

    const history = await api("GET", `/api/chat/${res.body.session_id}`);
    expect(history.status).toBe(200);
    expect(history.body.messages.map((m: ChatMessage) => m.role)).toEqual(["user", "assistant"]);
    expect(history.body.messages.map((m: ChatMessage) => m.kind)).toEqual(["question", "answer"]);
    expect(history.body.messages[0].meta).toBeNull();
    expect(history.body.messages[1].meta).toEqual({
      route: res.body.trace.router.route, retrieval_source: "hybrid", confidence: res.body.confidence,
      has_sufficient_info: true, processing_time_ms: res.body.processing_time_ms,
    });
    expect(history.body.messages[0].content).toBe("How do I configure the Collector?");
    expect(history.body.messages[1]).toMatchObject({ id: res.body.message_id, content: res.body.response });
    expect(history.body.messages[1].sources.length).toBe(res.body.sources.length);
    expect(Date.parse(history.body.messages[1].created_at)).not.toBeNaN();
  });

  it("stores each message's kind: a clarification and the option that answered it are not a question and an answer", async () => {
    const ask = await api("POST", "/api/chat", { query: "and how do I install it?", session_id: "kinds-1" });
    expect(ask.body.clarification_needed).toBe(true);
    const pending = (await api("GET", "/api/chat/kinds-1")).body.pending_clarification;
    // the pending clarification has the public shape of a clarification answer (no graph internals)
    expect(pending).toEqual({
      session_id: "kinds-1", clarification_needed: true, clarification_question: ask.body.clarification_question,
      options: ask.body.options, allow_custom_input: true, interaction_count: 0,
    });
    const answer = await api("POST", "/api/chat", { session_id: "kinds-1", selected_option: ask.body.options[0].id });
    expect(answer.status).toBe(200);
    const history = await api("GET", "/api/chat/kinds-1");
    expect(history.body.messages.map((m: ChatMessage) => m.kind)).toEqual(["question", "clarification", "clarification_answer", "answer"]);
    expect(history.body.messages.map((m: ChatMessage) => m.meta === null)).toEqual([true, true, true, false]);
    const math = await api("POST", "/api/chat", { session_id: "kinds-1", query: "2 + 3 * 4" });
    const after = await api("GET", "/api/chat/kinds-1");
    expect(after.body.messages.at(-1)).toMatchObject({ id: math.body.message_id, kind: "answer", meta: { route: "math", retrieval_source: "math", has_sufficient_info: true } });
  });

  it("reads sessions stored before messages had a kind, and keeps appending to them", async () => {
    const stub = sessionStub(env, "legacy-1");
    await runInDurableObject(stub, async (_instance: ChatSession, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE messages");
      sql.exec("CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, role TEXT NOT NULL, content TEXT NOT NULL, sources TEXT NOT NULL, created_at INTEGER NOT NULL, resolved_query TEXT)");
      sql.exec("INSERT INTO messages (id, role, content, sources, created_at, resolved_query) VALUES ('u1', 'user', 'What is baggage?', '[]', 1700000000000, 'What is baggage?'), ('a1', 'assistant', 'Baggage is … [1]', '[]', 1700000000001, NULL)");
    });
    await evictDurableObject(stub);
    const history = await api("GET", "/api/chat/legacy-1");
    expect(history.body.messages.map((m: ChatMessage) => [m.id, m.kind, m.meta])).toEqual([["u1", "question", null], ["a1", "answer", null]]);
    const next = await api("POST", "/api/chat", { session_id: "legacy-1", query: "How do I install the Collector?" });
    expect(next.status).toBe(200);
    const after = await api("GET", "/api/chat/legacy-1");
    expect(after.body.messages.map((m: ChatMessage) => m.kind)).toEqual(["question", "answer", "question", "answer"]);
    expect(after.body.messages[3].meta.retrieval_source).toBe("hybrid");
  });

  it("resolves a follow-up question against the previous turn", async () => {
    const first = await api("POST", "/api/chat", { query: "What is the OpenTelemetry Collector?", session_id: "follow-up-1" });
    expect(first.body.session_id).toBe("follow-up-1");
    const second = await api("POST", "/api/chat", { query: "and how do I install it?", session_id: "follow-up-1" });
    expect(second.status).toBe(200);
    expect(second.body.resolved_query).toContain("Collector");
    expect(second.body.response).toMatch(/release binary|container image/);
    expect(second.body.sources[0].source).toBe("collector/overview.md");

    // Without the session the same words have no topic: the assistant asks which one is meant.
    const alone = await api("POST", "/api/chat", { query: "and how do I install it?" });
    expect(alone.status).toBe(200);
    expect(alone.body.clarification_needed).toBe(true);
    expect(alone.body.options.length).toBeGreaterThanOrEqual(2);
  });

  it("says so when the knowledge base does not cover the question", async () => {
    const res = await api("POST", "/api/chat", { query: "What is the best recipe for sourdough bread?" });
    expect(res.status).toBe(200);
    expect(res.body.has_sufficient_info).toBe(false);
    expect(res.body.needs_disclaimer).toBe(true);
    expect(res.body.response).toMatch(/does not cover/);
    expect(res.body.confidence).toBeLessThanOrEqual(0.3);
  });

  it("validates session ids and queries", async () => {
    expect((await api("POST", "/api/chat", { query: "hi", session_id: "bad id!" })).status).toBe(422);
    expect((await api("POST", "/api/chat", { query: "   " })).status).toBe(422);
    expect((await api("POST", "/api/chat", { query: "x".repeat(4001) })).status).toBe(422);
    expect((await api("GET", "/api/chat/" + "a".repeat(129))).status).toBe(422);
    const unknown = await api("GET", "/api/chat/never-used-session");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
  });

  it(`keeps at most ${MAX_MESSAGES} messages, trimming the oldest`, async () => {
    const stub = sessionStub(env, "trim-test");
    for (let i = 0; i < 120; i += 2) await stub.append([message(i), message(i + 1)]);
    const messages = await stub.messages();
    expect(messages).toHaveLength(MAX_MESSAGES);
    expect(messages[0].id).toBe("m20");
    expect(messages.at(-1)!.id).toBe("m119");
  });

  it("deletes a session after 7 idle days by alarm, and keeps an active one", async () => {
    const stub = sessionStub(env, "idle-test");
    await stub.append([message(0), message(1)]);
    // Not idle yet: the alarm re-arms and keeps the messages.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.exists()).toBe(true);
    // Pretend the last activity was 7 days ago.
    await runInDurableObject(stub, (_instance: ChatSession, state) => {
      state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'last_active'", String(Date.now() - IDLE_TTL_MS - 1));
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.exists()).toBe(false);
    expect((await api("GET", "/api/chat/idle-test")).status).toBe(404);
    // The emptied session works again.
    await stub.append([message(2)]);
    expect(await stub.messages()).toHaveLength(1);
  });
});
