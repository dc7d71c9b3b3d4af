/**
 * Fault: malformed, invalid, oversize and too many WebSocket frames on `/ws/chat/:session_id`
 * (limits of durable-objects/ws-limits.ts). Each gets an error frame with its own code, is not
 * processed and stores nothing; the socket stays open and a valid question afterwards is answered
 * and stored once.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { WS_FRAME_LIMIT, WS_MAX_FRAME_BYTES } from "../../durable-objects/ws-limits";
import { api } from "../support/api";
import { connect } from "../support/socket";

/** runInDurableObject on an untyped stub (its inferred types are too deep for tsc here). */
const inObject = runInDurableObject as unknown as <R>(stub: DurableObjectStub, fn: (instance: any, state: DurableObjectState) => R | Promise<R>) => Promise<R>;

/** The session's Durable Object stub, untyped (for runInDurableObject). */
function sessionObject(id: string): DurableObjectStub {
  const ns = env.CHAT_SESSION as unknown as DurableObjectNamespace;
  return ns.get(ns.idFromName(id));
}

beforeAll(async () => {
  expect((await api("POST", "/api/documents", { source: "ws/collector.md", content: "# Collector\n\nThe Collector receives, processes and exports telemetry data." })).status).toBe(201);
});

/** Messages stored by the session (its object's storage, not the API). */
const stored = (id: string) => inObject(sessionObject(id), (instance: any) => instance.messages() as { id: string; role: string }[]);

describe("WebSocket frames", () => {
  it("malformed, invalid and oversize frames get their error, store nothing, and the socket stays open", async () => {
    const id = "ws-fault-frames";
    const c = await connect(id);
    const question = (query: string) => ({ type: "question", query });
    const cases: [unknown, string][] = [
      ["{not json", "malformed_json"],
      ["", "malformed_json"],
      ["null", "invalid_frame"],
      [{ type: "question" }, "invalid_frame"],
      [{ type: "question", query: "x".repeat(4001) }, "invalid_frame"],
      [{ type: "question", query: "What does the Collector do?", turn_id: "bad id!" }, "invalid_frame"],
      [{ type: "response" }, "invalid_frame"],
      [{ type: "response", selected_option: "1" }, "invalid_request"], // nothing pending
      [{ type: "nested", a: JSON.parse("[".repeat(500) + "]".repeat(500)) }, "invalid_frame"],
      // a valid question, padded over the limit: refused before it is parsed
      [{ ...question("What does the Collector do?"), pad: "x".repeat(WS_MAX_FRAME_BYTES) }, "payload_too_large"],
      ["가".repeat(6000), "payload_too_large"], // 18,000 bytes in 6,000 characters
    ];
    for (const [frame, code] of cases) {
      c.send(frame);
      const error = await c.next("error");
      expect(error.code, JSON.stringify(frame).slice(0, 80)).toBe(code);
      expect(error.message.length).toBeGreaterThan(0);
    }
    c.ws.send(new Uint8Array(WS_MAX_FRAME_BYTES + 1)); // binary
    expect((await c.next("error")).code).toBe("payload_too_large");
    // a frame far over the limit (1 MiB) is refused the same way
    c.send(JSON.stringify(question("q")) + " ".repeat(1 << 20));
    expect((await c.next("error")).code).toBe("payload_too_large");

    expect(c.closed()).toBeNull();
    expect(await stored(id)).toEqual([]);
    expect((await api("GET", `/api/chat/${id}`)).status).toBe(404);
    expect(c.frames.filter((f) => f.type === "answer" || f.type === "progress")).toEqual([]);
    c.ws.close(1000);
  });

  it(`answers rate_limited beyond ${WS_FRAME_LIMIT} frames in 10 s per connection, also after hibernation; other connections are not affected`, async () => {
    const id = "ws-fault-rate";
    const c = await connect(id);
    for (let i = 0; i < WS_FRAME_LIMIT; i++) c.send({ type: "ping" });
    c.send({ type: "question", query: "What does the Collector do?", turn_id: "over" }); // the 21st frame
    for (let i = 0; i < 3; i++) c.send({ type: "ping" });
    const errors: any[] = [];
    for (let i = 0; i < 4; i++) errors.push(await c.next("error"));
    expect(c.frames.filter((f) => f.type === "pong")).toHaveLength(WS_FRAME_LIMIT);
    for (const e of errors) {
      expect(e).toMatchObject({ code: "rate_limited", retry_after_s: expect.any(Number) });
      expect(e.message).toMatch(/at most 20 per 10 s/);
    }
    expect(c.frames.some((f) => f.type === "answer" || f.type === "progress")).toBe(false);
    expect(await stored(id)).toEqual([]); // the refused question was not processed

    // The window lives in the socket's attachment: it survives the object's hibernation.
    await evictDurableObject(sessionObject(id));
    c.send({ type: "ping" });
    expect((await c.next("error")).code).toBe("rate_limited");

    // Another connection of the same session has its own window.
    const other = await connect(id);
    other.send({ type: "question", query: "What does the Collector do?", turn_id: "t" });
    expect((await other.next("answer")).turn_id).toBe("t");
    other.ws.close(1000);

    // Once the window has passed (moved back here rather than waited for), frames go through again.
    await inObject(sessionObject(id), (_i, state) => {
      for (const ws of state.getWebSockets()) ws.serializeAttachment({ lastActive: Date.now(), frames: [Date.now() - 10_001] });
    });
    c.send({ type: "question", query: "What does the Collector do?", turn_id: "after" });
    expect((await c.next("answer")).turn_id).toBe("after");
    expect(c.closed()).toBeNull();
    c.ws.close(1000);
    const messages = await stored(id);
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(new Set(messages.map((m) => m.id)).size).toBe(4);
  });
});
