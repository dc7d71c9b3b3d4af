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
