/**
 * Streamed chat turns in workerd: `POST /api/chat` with `Accept: text/event-stream` (progress per
 * node, token deltas of the answer, then the same body as the JSON answer), clarifications and
 * errors as events, a client that closes the stream mid-turn (nothing stored), and `token` frames
 * on the WebSocket channel.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../worker/config";
import { ingestDocument } from "../../worker/services/ingest";
import { api, waitFor } from "../support/api";
import { connect } from "../support/socket";
import { parseEvents, streamChat } from "../support/sse";

beforeAll(async () => {
  const p = providers(env);
  const folders = ["concepts/", "collector/", "languages/python/", "languages/js/", "languages/go/"];
  for (const doc of env.TEST_CORPUS.filter((d) => folders.some((f) => d.source.startsWith(f)))) await ingestDocument(env, p, doc);
}, 300_000);

/** The text the token events build, honouring resets. */
function streamedText(events: { event: string; data: any }[]): string {
  let text = "";
  for (const e of events) {
    if (e.event === "reset") text = "";
    if (e.event === "token") text += e.data.delta;
  }
  return text;
}

describe("POST /api/chat as Server-Sent Events", () => {
  it("streams progress per node, the answer's text in deltas, then the answer body", async () => {
    const res = await streamChat({ query: "What is baggage in OpenTelemetry?", session_id: "sse-1" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("x-session-id")).toBe("sse-1");
    const events = parseEvents(await res.text());
    const names = events.map((e) => e.event);
    expect(names.filter((n) => n === "progress").map((_, i) => events.filter((e) => e.event === "progress")[i].data.step)).toEqual(
      expect.arrayContaining(["analyze_query", "retrieve_documents", "generate_response"]),
    );
    expect(names.at(-1)).toBe("answer");
    const tokens = events.filter((e) => e.event === "token");
    expect(tokens.length).toBeGreaterThan(1);
    // Tokens come after generation started and before the answer.
    expect(names.indexOf("token")).toBeGreaterThan(events.findIndex((e) => e.event === "progress" && e.data.step === "generate_response"));
    const answer = events.at(-1)!.data;
    expect(answer).toMatchObject({ session_id: "sse-1", has_sufficient_info: true });
    expect(streamedText(events)).toBe(answer.response);
    expect(answer.response).toMatch(/\[1\]/);

    // Stored like a JSON turn.
    const history = await api("GET", "/api/chat/sse-1");
    expect(history.body.messages.map((m: any) => m.kind)).toEqual(["question", "answer"]);
    expect(history.body.messages[1].content).toBe(answer.response);
  });

  it("streams a clarification as its own event, and the answer to it", async () => {
    const first = parseEvents(await (await streamChat({ query: "exporters", session_id: "sse-clarify" })).text());
    expect(first.at(-1)!.event).toBe("clarification");
    expect(first.at(-1)!.data).toMatchObject({ clarification_needed: true, session_id: "sse-clarify" });
    expect(first.some((e) => e.event === "token")).toBe(false);
    const second = parseEvents(await (await streamChat({ session_id: "sse-clarify", selected_option: first.at(-1)!.data.options[0].id })).text());
    expect(second.at(-1)!.event).toBe("answer");
    expect(streamedText(second)).toBe(second.at(-1)!.data.response);
  });

  it("streams a math answer too", async () => {
    const events = parseEvents(await (await streamChat({ query: "What is 12 * (3 + 4)?", session_id: "sse-math" })).text());
    expect(events.at(-1)).toMatchObject({ event: "answer", data: { retrieval_source: "math" } });
    expect(streamedText(events)).toBe(events.at(-1)!.data.response);
    expect(events.at(-1)!.data.response).toContain("84");
  });

  it("answers a bad body with the JSON error before any stream, and a turn error as an error event", async () => {
    const bad = await streamChat({ session_id: "sse-bad" });
    expect(bad.status).toBe(422);
    expect(bad.headers.get("content-type")).toMatch(/application\/json/);
    expect(((await bad.json()) as any).error.code).toBe("invalid_request");

    const events = parseEvents(await (await streamChat({ session_id: "sse-nothing-pending", custom_input: "x" })).text());
    expect(events).toEqual([{ event: "error", data: { error: { code: "invalid_request", message: "There is no pending clarification in this session" } } }]);
    expect((await api("GET", "/api/chat/sse-nothing-pending")).status).toBe(404);
  });

  it("stores nothing when the client closes the stream mid-turn", async () => {
    const res = await streamChat({ query: "How do I configure the batch processor in the collector?", session_id: "sse-cancel" });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain("event: progress");
    await reader.cancel();
    // The session's next turn runs after the cancelled one: when it is stored alone, nothing of the first was.
    const next = await api("POST", "/api/chat", { query: "What is baggage?", session_id: "sse-cancel" });
    expect(next.status).toBe(200);
    const history = await api("GET", "/api/chat/sse-cancel");
    expect(history.body.messages.map((m: any) => m.content)).toEqual(["What is baggage?", next.body.response]);
  });
});

describe("token frames on the WebSocket channel", () => {
  it("sends the answer's text in token frames before the answer frame, with the turn's id", async () => {
    const c = await connect("ws-tokens");
    c.send({ type: "question", query: "What is baggage in OpenTelemetry?", turn_id: "t1" });
    const answer = await c.next("answer");
    const tokens = c.frames.filter((f) => f.type === "token");
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.every((f) => f.turn_id === "t1")).toBe(true);
    expect(tokens.map((f) => f.delta).join("")).toBe(answer.response);
    expect(c.frames.findIndex((f) => f.type === "token")).toBeLessThan(c.frames.findIndex((f) => f.type === "answer"));
    c.ws.close();
  });
});
