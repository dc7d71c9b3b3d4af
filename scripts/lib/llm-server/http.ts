/**
 * The HTTP layer of the local OpenAI-compatible server (node:http, no framework):
 *
 * - `GET /v1/models`: the one loaded model, as OpenAI's model list.
 * - `POST /v1/chat/completions`: a `chat.completion`, or with `stream: true` Server-Sent Events of
 *   `chat.completion.chunk` objects (role first, then content deltas, then `finish_reason`, then a
 *   usage chunk when `stream_options.include_usage` is set) ending with `data: [DONE]`.
 * - `GET /health`: `{ ok, model }`.
 *
 * Bodies are validated with zod (schema.ts); every error is answered in OpenAI's error shape
 * (errors.ts). Closing the connection aborts the generation.
 * Plain TypeScript run by Node's type stripping.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatEngine } from "./engine.ts";
import { ApiError, asApiError, validationError } from "./errors.ts";
import { ChatCompletionRequestSchema, toEngineRequest, type EngineResult } from "./schema.ts";

/** Largest accepted request body in bytes. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Settings of {@link startLlmServer}. */
export interface LlmServerOptions {
  engine: ChatEngine;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 8088; 0 picks a free one). */
  port?: number;
  /** Completion token limit when a request sets none (default 1024). */
  defaultMaxTokens?: number;
  /** Called once per finished request (method, path, status, duration), e.g. to log it. */
  onRequest?: (line: { method: string; path: string; status: number; ms: number }) => void;
}

/** A running server. */
export interface LlmServer {
  /** Base URL of the OpenAI API, e.g. `http://127.0.0.1:8088/v1`. */
  baseUrl: string;
  /** Stops listening and closes open connections (the engine is not closed). */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, data: unknown): void {
  const text = JSON.stringify(data);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, `Request body is larger than ${MAX_BODY_BYTES} bytes.`, { code: "body_too_large" });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "We could not parse the JSON body of your request. The body must be a JSON object.", { code: "invalid_json" });
  }
}

function usageOf(result: EngineResult) {
  return { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens };
}

/** Handles `POST /v1/chat/completions`. */
async function chatCompletions(req: IncomingMessage, res: ServerResponse, options: LlmServerOptions): Promise<number> {
  const { engine } = options;
  const raw = await readJson(req);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ApiError(400, "The request body must be a JSON object.", { code: "invalid_request_body" });
  const parsed = ChatCompletionRequestSchema.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const body = parsed.data;
  if (body.model !== engine.modelId) {
    throw new ApiError(404, `The model '${body.model}' does not exist; this server serves '${engine.modelId}'.`, { type: "invalid_request_error", param: "model", code: "model_not_found" });
  }
  if (body.messages.at(-1)?.role === "system" || body.messages.at(-1)?.role === "developer") {
    throw new ApiError(400, "The last message must be a user or assistant message.", { param: "messages", code: "invalid_request_body" });
  }
  const request = toEngineRequest(body, options.defaultMaxTokens ?? 1024);
  const id = `chatcmpl-${randomUUID().replaceAll("-", "")}`;
  const created = Math.floor(Date.now() / 1000);
  const abort = new AbortController();
  res.on("close", () => { if (!res.writableFinished) abort.abort(); });

  if (!body.stream) {
    const result = await engine.complete(request, undefined, abort.signal);
    sendJson(res, 200, {
      id, object: "chat.completion", created, model: engine.modelId,
      choices: [{ index: 0, message: { role: "assistant", content: result.text, refusal: null }, logprobs: null, finish_reason: result.finishReason }],
      usage: usageOf(result),
    });
    return 200;
  }

  // Streaming: headers go out only with the first event, so that errors before any text (a schema
  // the grammar refuses, a prompt over the context) are still answered with their status.
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: engine.modelId, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.write(chunk({ role: "assistant", content: "" }, null));
  };
  let result: EngineResult;
  try {
    result = await engine.complete(request, (text) => {
      if (!text) return;
      start();
      res.write(chunk({ content: text }, null));
    }, abort.signal);
  } catch (error) {
    if (!started) throw error;
    const e = asApiError(error);
    res.write(`data: ${JSON.stringify(e.body)}\n\ndata: [DONE]\n\n`);
    res.end();
    return 200;
  }
  start();
  res.write(chunk({}, result.finishReason));
  if (body.stream_options?.include_usage) {
    res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: engine.modelId, choices: [], usage: usageOf(result) })}\n\n`);
  }
  res.end("data: [DONE]\n\n");
  return 200;
}

/** Routes one request; resolves to the status sent. */
async function route(req: IncomingMessage, res: ServerResponse, options: LlmServerOptions): Promise<number> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const pathName = url.pathname.replace(/\/+$/, "") || "/";
  if (req.method === "GET" && pathName === "/v1/models") {
    sendJson(res, 200, { object: "list", data: [{ id: options.engine.modelId, object: "model", created: 0, owned_by: "local" }] });
    return 200;
  }
  if (req.method === "GET" && pathName === "/health") {
    sendJson(res, 200, { ok: true, model: options.engine.modelId, context_size: options.engine.contextSize });
    return 200;
  }
  if (pathName === "/v1/chat/completions") {
    if (req.method !== "POST") throw new ApiError(405, `Method ${req.method} is not allowed on ${pathName}; use POST.`, { code: "method_not_allowed" });
    return chatCompletions(req, res, options);
  }
  throw new ApiError(404, `Unknown request URL: ${req.method} ${pathName}.`, { type: "invalid_request_error", code: "unknown_url" });
}

/** Starts the server on `options.host:options.port` and resolves once it listens. */
export async function startLlmServer(options: LlmServerOptions): Promise<LlmServer> {
  const server: Server = createServer((req, res) => {
    const started = performance.now();
    const path = (req.url ?? "/").split("?")[0]!;
    route(req, res, options)
      .catch((error: unknown) => {
        const e = asApiError(error);
        if (!res.headersSent) sendJson(res, e.status, e.body);
        else res.end();
        return e.status;
      })
      .then((status) => options.onRequest?.({ method: req.method ?? "?", path, status, ms: performance.now() - started }));
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8088, host, () => { server.off("error", reject); resolve(); });
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${port}/v1`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
