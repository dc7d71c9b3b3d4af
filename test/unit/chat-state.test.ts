/** The web client's chat reducer (web/src/routes/chat/chatState.ts) with streamed answer text: token, reset, answer. */
import { describe, expect, it } from "vitest";
import { initialChatState, reduce } from "../../web/src/routes/chat/chatState";

const answerFrame = (response: string, turn_id: string): any => ({
  type: "answer", turn_id, session_id: "s", message_id: "m1", response, sources: [], confidence: 0.9, has_sufficient_info: true, needs_disclaimer: false,
  retrieval_source: "hybrid", resolved_query: "q", processing_time_ms: 5, trace: { router: { route: "knowledge" } },
});

describe("chat state with streamed tokens", () => {
  it("builds the draft from the running turn's tokens, empties it on reset, ignores other turns, and the answer replaces it", () => {
    let s = reduce(initialChatState(), { type: "opened" });
    s = reduce(s, { type: "ask", query: "q", turnId: "t1", now: 0, connected: true });
    s = reduce(s, { type: "frame", frame: { type: "token", delta: "Hello ", turn_id: "t1" }, now: 1 });
    s = reduce(s, { type: "frame", frame: { type: "token", delta: "NOT", turn_id: "t1" }, now: 2 });
    s = reduce(s, { type: "frame", frame: { type: "token", delta: "late frame of an older turn", turn_id: "t0" }, now: 3 });
    expect(s.turn?.draft).toBe("Hello NOT");
    s = reduce(s, { type: "frame", frame: { type: "reset", turn_id: "t1" }, now: 4 });
    expect(s.turn?.draft).toBe("");
    s = reduce(s, { type: "frame", frame: { type: "token", delta: "Hello world [1]", turn_id: "t1" }, now: 5 });
    expect(s.turn?.draft).toBe("Hello world [1]");
    s = reduce(s, { type: "frame", frame: answerFrame("Hello world [1]", "t1"), now: 6 });
    expect(s.turn).toBeNull();
    expect(s.entries.at(-1)).toMatchObject({ kind: "answer", text: "Hello world [1]" });
  });
});
