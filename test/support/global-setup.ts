/**
 * Starts a local HTTP server that speaks the OpenAI wire format (`/v1/embeddings`,
 * `/v1/chat/completions`) for the provider tests, and hands its URL to the workers.
 */
import type { TestProject } from "vitest/node";
import { startMockOpenAI } from "./mock-openai.ts";

export default async function setup(project: TestProject) {
  const server = await startMockOpenAI();
  project.provide("mockOpenAIUrl" as never, server.url as never);
  return async () => server.close();
}
