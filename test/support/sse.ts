/** Server-Sent Events helpers for workerd tests of `POST /api/chat` with `Accept: text/event-stream`. */
import { exports } from "cloudflare:workers";

/** Sends a streamed chat request to the Worker; returns the response (body unread). */
export async function streamChat(body: unknown): Promise<Response> {
  return (exports as any).default.fetch(
    new Request("http://edge-rag.test/api/chat", { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream" }, body: JSON.stringify(body) }),
  );
}

/** Parses a whole `text/event-stream` body into events (`data` parsed as JSON, undefined when absent). */
export function parseEvents(text: string): { event: string; data: any }[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
      const data = /^data: (.*)$/m.exec(block)?.[1];
      return { event, data: data === undefined ? undefined : JSON.parse(data) };
    });
}
