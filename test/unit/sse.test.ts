/**
 * `withFinalEvent` (worker/http/sse.ts): a turn's event stream always ends with a final event,
 * even when its source (the session's Durable Object) fails or stops early.
 */
import { describe, expect, it } from "vitest";
import { sseEvent, withFinalEvent } from "../../worker/http/sse";

const INTERRUPTED = { error: { code: "session_interrupted", message: "Please ask again." } };

/** A source that sends `chunks` (split as given), then ends or fails. */
function source(chunks: string[], end: "close" | "fail"): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) return controller.enqueue(encoder.encode(chunks[i++]));
      if (end === "close") controller.close();
      else controller.error(new Error("Durable Object reset"));
    },
  });
}

async function read(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("withFinalEvent", () => {
  it("passes a stream that ends with its answer through unchanged", async () => {
    const text = sseEvent("progress", { step: "retrieve" }) + sseEvent("answer", { response: "Baggage is … [1]" });
    expect(await read(withFinalEvent(source([text.slice(0, 10), text.slice(10)], "close"), INTERRUPTED))).toBe(text);
  });

  it("finds a final event split across chunks (clarification, error)", async () => {
    for (const name of ["clarification", "error"]) {
      const text = sseEvent("progress", { step: "analyze" }) + sseEvent(name, { x: 1 });
      const at = text.indexOf(`event: ${name}`) + 8;
      expect(await read(withFinalEvent(source([text.slice(0, at), text.slice(at)], "close"), INTERRUPTED))).toBe(text);
    }
  });

  it("finds a final event whose data line is long and arrives in chunks of its own", async () => {
    const text = sseEvent("progress", { step: "generate" }) + sseEvent("answer", { response: "x".repeat(5000) });
    const chunks = text.match(/[^]{1,100}/g)!;
    expect(await read(withFinalEvent(source(chunks, "close"), INTERRUPTED))).toBe(text);
  });

  it("appends the error event when the source ends without a final event", async () => {
    const text = sseEvent("progress", { step: "retrieve" }) + sseEvent("token", { delta: "Bagg" });
    expect(await read(withFinalEvent(source([text], "close"), INTERRUPTED))).toBe(text + sseEvent("error", INTERRUPTED));
  });

  it("appends the error event when the source fails mid-stream, after what it sent", async () => {
    const text = sseEvent("progress", { step: "retrieve" });
    expect(await read(withFinalEvent(source([text], "fail"), INTERRUPTED))).toBe(text + sseEvent("error", INTERRUPTED));
  });

  it("does not take a token that mentions an event name for a final event", async () => {
    const text = sseEvent("token", { delta: "event: answer\n" });
    expect(await read(withFinalEvent(source([text], "close"), INTERRUPTED))).toBe(text + sseEvent("error", INTERRUPTED));
  });
});
