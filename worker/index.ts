/** Worker entry point: HTTP (Hono), queue consumer, cron, and the Durable Object classes. */
import { app } from "./app";
import { handleIngestBatch } from "./queue";
import { handleScheduled } from "./scheduled";

export { ChatSession } from "../durable-objects/chat-session";
export { VectorStore } from "../durable-objects/vector-store";

export default {
  fetch: app.fetch,
  queue: handleIngestBatch,
  scheduled: handleScheduled,
} satisfies ExportedHandler<Env>;
