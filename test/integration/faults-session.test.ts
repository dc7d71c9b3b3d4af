/**
 * Fault: a ChatSession Durable Object aborted (`ctx.abort()`, as when workerd resets or evicts an
 * object) in the middle of a turn, and a turn that fails in the middle of the graph. The turn is
 * held mid-graph by holding the VectorStore's queries (the retrieval step) until the test lets
 * them go. Nothing may be lost or half-stored: the conversation keeps every completed turn, the
 * interrupted turn leaves no question without its answer, asking again works, and no message is
 * stored twice. The client gets a clear error.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { VECTOR_STORE_NAME } from "../../worker/vector/local";
import { api, waitFor } from "../support/api";
import { connect } from "../support/socket";
import { parseEvents, streamChat } from "../support/sse";

/** runInDurableObject on an untyped stub (its inferred types are too deep for tsc here). */
const inObject = runInDurableObject as unknown as <R>(stub: DurableObjectStub, fn: (instance: any, state: DurableObjectState) => R | Promise<R>) => Promise<R>;

/** The session's Durable Object stub, untyped (for runInDurableObject). */
function sessionObject(id: string): DurableObjectStub {
  const ns = env.CHAT_SESSION as unknown as DurableObjectNamespace;
  return ns.get(ns.idFromName(id));
}

/** Plain flags polled on both sides: a promise made here would never settle in the object's request context. */
const hold = { active: false, entered: 0, fail: false };
const QUERY_METHODS = ["query", "queryApproximate", "queryExact"] as const;
let restore: (() => void) | undefined;

/** Makes every VectorStore query wait while `hold.active` (counting arrivals), or throw while `hold.fail`. */
async function installHold() {
  const ns = env.VECTOR_STORE as unknown as DurableObjectNamespace;
  const proto = await inObject(ns.get(ns.idFromName(VECTOR_STORE_NAME)), (instance: object) => Object.getPrototypeOf(instance));
  const originals = Object.fromEntries(QUERY_METHODS.map((m) => [m, proto[m]]));
  for (const m of QUERY_METHODS) {
    proto[m] = async function (this: unknown, ...args: unknown[]) {
      if (hold.fail) throw new Error("vector store crashed (test)");
      if (hold.active) {
        hold.entered++;
        while (hold.active) await new Promise((r) => setTimeout(r, 10));
      }
      return originals[m].apply(this, args);
    };
  }
  restore = () => {
    for (const m of QUERY_METHODS) proto[m] = originals[m];
  };
}

beforeAll(async () => {
  for (const [source, content] of [
    ["faults/baggage.md", "# Baggage\n\nBaggage is contextual information that is passed between spans and services as key-value pairs."],
    ["faults/sampling.md", "# Sampling\n\nHead sampling decides at the start of a trace; tail sampling decides after the trace is complete."],
    ["faults/collector.md", "# Collector\n\nThe Collector receives, processes and exports telemetry data."],
  ]) {
    expect((await api("POST", "/api/documents", { source, content })).status).toBe(201);
  }
  await installHold();
}, 300_000);

afterEach(() => {
  hold.active = false;
  hold.fail = false;
  hold.entered = 0;
});

/** The stored conversation of a session (through the API, as a client reads it). */
async function history(sessionId: string) {
  const res = await api("GET", `/api/chat/${sessionId}`);
  return res.status === 404 ? [] : (res.body.messages as { id: string; role: string; kind: string; content: string }[]);
}

/** A conversation holds complete turns only: user/assistant pairs, each id once. */
function expectWholeTurns(messages: { id: string; role: string }[], turns: number) {
  expect(messages).toHaveLength(turns * 2);
  expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
  messages.forEach((m, i) => expect(m.role).toBe(i % 2 === 0 ? "user" : "assistant"));
}

/** Aborts the session's object as workerd does when it resets it; the abort also rejects this call. */
async function abortSession(sessionId: string) {
  await inObject(sessionObject(sessionId), (_instance, state) => state.abort("fault test: aborted mid-turn")).catch(() => undefined);
}

describe("a ChatSession aborted mid-turn", () => {
  it("over HTTP: the caller gets a clear error, the conversation keeps its turns whole, and asking again works", async () => {
    const id = "fault-abort-http";
    const first = await api("POST", "/api/chat", { session_id: id, query: "What is baggage?" });
    expect(first.status).toBe(200);
    expectWholeTurns(await history(id), 1);

    hold.active = true;
    const interrupted = api("POST", "/api/chat", { session_id: id, query: "What is tail sampling?" });
    await waitFor(async () => hold.entered > 0, 10_000, 10); // the turn is inside the graph (retrieval)
    await abortSession(id);
    hold.active = false; // the aborted turn's retrieval returns into a broken object
    const res = await interrupted;
    expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(res.body.error.code).toBe("session_interrupted");
    expect(res.body.error.message).toMatch(/interrupted.*ask again/i);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(JSON.stringify(res.body)).not.toMatch(/fault test|at .*\.ts/); // no internal reason or stack

    await new Promise((r) => setTimeout(r, 100)); // let any leftover continuation of the old object run
    const after = await history(id);
    expectWholeTurns(after, 1); // no question without its answer
    expect(after[0].content).toBe("What is baggage?");

    const again = await api("POST", "/api/chat", { session_id: id, query: "What is tail sampling?" });
    expect(again.status).toBe(200);
    const final = await history(id);
    expectWholeTurns(final, 2);
    expect(final.filter((m) => m.role === "user").map((m) => m.content)).toEqual(["What is baggage?", "What is tail sampling?"]);
  });

  it("over WebSocket: the socket closes, a new one resumes the same conversation, nothing is duplicated", async () => {
    const id = "fault-abort-ws";
    const c1 = await connect(id);
    c1.send({ type: "question", query: "What does the Collector do?", turn_id: "a" });
    await c1.next("answer");

    hold.active = true;
    c1.send({ type: "question", query: "What is baggage?", turn_id: "b" });
    await waitFor(async () => hold.entered > 0, 10_000, 10);
    await abortSession(id);
    hold.active = false;
    await waitFor(async () => c1.closed(), 10_000, 10);
    expect(c1.frames.some((f) => f.type === "answer" && f.turn_id === "b")).toBe(false);
    expectWholeTurns(await history(id), 1);

    const c2 = await connect(id);
    c2.send({ type: "question", query: "What is baggage?", turn_id: "b2" });
    const answer = await c2.next("answer");
    expect(answer.response).toMatch(/baggage/i);
    c2.ws.close(1000);
    expectWholeTurns(await history(id), 2);
  });
  it("as Server-Sent Events: the stream ends with the error event session_interrupted, nothing is stored", async () => {
    const id = "fault-abort-sse";
    hold.active = true;
    const res = await streamChat({ session_id: id, query: "What is tail sampling?" });
    expect(res.status).toBe(200);
    const body = res.text();
    await waitFor(async () => hold.entered > 0, 10_000, 10);
    await abortSession(id);
    hold.active = false;
    const events = parseEvents(await body);
    expect(events.some((e) => e.event === "answer")).toBe(false);
    const last = events.at(-1)!;
    expect(last.event).toBe("error");
    expect(last.data.error.code).toBe("session_interrupted");
    expect(last.data.error.message).toMatch(/ask again/i);
    await new Promise((r) => setTimeout(r, 100));
    expect(await history(id)).toEqual([]);
  });
  // A pending clarification surviving eviction: test/integration/agent-scenarios.test.ts.
});

describe("a session deleted mid-turn", () => {
  it("over HTTP: the turn is refused with 409 and stores nothing; the session stays deleted", async () => {
    const id = "fault-delete-http";
    expect((await api("POST", "/api/chat", { session_id: id, query: "What is baggage?" })).status).toBe(200);
    hold.active = true;
    const interrupted = api("POST", "/api/chat", { session_id: id, query: "What is tail sampling?" });
    await waitFor(async () => hold.entered > 0, 10_000, 10);
    expect((await api("DELETE", `/api/chat/${id}`)).status).toBe(200);
    hold.active = false;
    const res = await interrupted;
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.error.code).toBe("conflict");
    expect(res.body.error.message).toMatch(/deleted/);
    expect((await api("GET", `/api/chat/${id}`)).status).toBe(404);
    // The id is free for a new conversation.
    expect((await api("POST", "/api/chat", { session_id: id, query: "What is baggage?" })).status).toBe(200);
    expectWholeTurns(await history(id), 1);
  });

  it("as Server-Sent Events: the stream ends with the conflict error event", async () => {
    const id = "fault-delete-sse";
    expect((await api("POST", "/api/chat", { session_id: id, query: "What is baggage?" })).status).toBe(200);
    hold.active = true;
    const res = await streamChat({ session_id: id, query: "What is tail sampling?" });
    const body = res.text();
    await waitFor(async () => hold.entered > 0, 10_000, 10);
    expect((await api("DELETE", `/api/chat/${id}`)).status).toBe(200);
    hold.active = false;
    const events = parseEvents(await body);
    expect(events.at(-1)).toMatchObject({ event: "error", data: { error: { code: "conflict" } } });
    expect(events.some((e) => e.event === "answer")).toBe(false);
    expect((await api("GET", `/api/chat/${id}`)).status).toBe(404);
  });
});

