/**
 * A local HTTP server speaking the OpenAI REST wire format, for provider tests:
 * - `POST /v1/embeddings`: deterministic vectors (FNV-1a seeded) of the requested `dimensions`.
 * - `POST /v1/chat/completions`: answers "<first sentence of source [1]> [1]", or `NOT_COVERED`
 *   when the question contains "unanswerable"; model "always-500" fails with HTTP 500.
 * - `GET /__requests`: the JSON bodies received so far.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

function vectorFor(text: string, dims: number): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const out: number[] = [];
  for (let i = 0; i < dims; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    out.push((h % 2000) / 1000 - 1);
  }
  return out;
}

async function body(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

function send(res: ServerResponse, status: number, data: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(data));
}

export async function startMockOpenAI(): Promise<{ url: string; close: () => Promise<void> }> {
  const requests: { path: string; body: any }[] = [];
  const server = createServer(async (req, res) => {
    try {
      if (req.method === "GET" && req.url === "/__requests") return send(res, 200, requests);
      const b = await body(req);
      requests.push({ path: req.url ?? "", body: b });
      if (req.url === "/v1/embeddings") {
        const inputs: string[] = Array.isArray(b.input) ? b.input : [b.input];
        const dims = b.dimensions ?? 8;
        return send(res, 200, {
          object: "list",
          model: b.model,
          data: inputs.map((t, index) => ({ object: "embedding", index, embedding: vectorFor(t, dims) })),
          usage: { prompt_tokens: 1, total_tokens: 1 },
        });
      }
      if (req.url === "/v1/chat/completions") {
        if (b.model === "always-500") return send(res, 500, { error: { message: "upstream exploded", type: "server_error" } });
        const user: string = b.messages.at(-1).content;
        const question = user.split("Question:").pop() ?? "";
        const first = /\[1\][^\n]*\n([^.\n]+\.)/.exec(user)?.[1] ?? "Nothing.";
        const content = /unanswerable/i.test(question) ? "NOT_COVERED" : `${first.trim()} [1]`;
        return send(res, 200, {
          id: "chatcmpl-test", object: "chat.completion", created: 0, model: b.model,
          choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        });
      }
      send(res, 404, { error: { message: "not found" } });
    } catch (e) {
      send(res, 400, { error: { message: String(e) } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("mock server has no port");
  return { url: `http://127.0.0.1:${address.port}`, close: () => new Promise((r) => server.close(() => r())) };
}
