/** Worker entry point: HTTP (Hono), queue consumer, cron, the Durable Object classes and the task Workflow. */
import { app } from "./app";
import { handleEvalBatch } from "./monitoring/runs";
import { handleIngestBatch } from "./queue";
import { handleScheduled } from "./scheduled";

export { ChatSession } from "../durable-objects/chat-session";
export { VectorStore } from "../durable-objects/vector-store";
export { TaskWorkflow } from "./tasks/workflow";

export default {
  fetch: app.fetch,
  // One consumer per queue: ingestion (worker/queue.ts) and evaluation runs (worker/monitoring/runs.ts).
  queue: (batch, env) => (batch.queue === "edge-rag-eval" ? handleEvalBatch(batch, env) : handleIngestBatch(batch, env)),
  scheduled: handleScheduled,
} satisfies ExportedHandler<Env>;
