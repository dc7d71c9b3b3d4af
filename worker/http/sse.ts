/** Server-Sent Events framing (WHATWG HTML, "Server-sent events", the `text/event-stream` format). */

/** Content type of an SSE response. */
export const SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8";

/**
 * One event: `event: <name>` and one `data:` line holding `data` as JSON (JSON.stringify never
 * emits a raw newline, so one line suffices), ended by a blank line.
 */
export function sseEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Events that end a turn's stream: after one of them nothing more is sent. */
const FINAL_EVENT_RE = /(?:^|\n)event: (?:answer|clarification|error)\n/;

/**
 * Passes an SSE stream through and makes sure it ends with a final event (`answer`,
 * `clarification` or `error`): when the source fails, or ends without one (its Durable Object was
 * reset mid-turn), the event `error` with `interrupted` as data is appended before the stream
 * closes, so a client never waits on, or renders, an answer that will not come. Chunks are
 * forwarded unchanged as they arrive. Cancelling the returned stream cancels the source.
 *
 * @param interrupted The error body of the final event, e.g. `errorBody("session_interrupted", …)`.
 */
export function withFinalEvent(source: ReadableStream<Uint8Array>, interrupted: unknown): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const reader = source.getReader();
  // The end of the text seen so far: enough to find an event line split across chunks.
  let tail = "";
  let ended = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (!done) {
          const text = tail + decoder.decode(value, { stream: true });
          if (FINAL_EVENT_RE.test(text)) ended = true;
          tail = text.slice(-32);
          controller.enqueue(value);
          return;
        }
      } catch {
        // The source failed (its object was reset): end with the error event below.
      }
      if (!ended) controller.enqueue(encoder.encode(sseEvent("error", interrupted)));
      controller.close();
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
