/**
 * A local HTTP server speaking the OpenAI REST wire format, for provider tests:
 * - `POST /v1/embeddings`: deterministic vectors (FNV-1a seeded) of the requested `dimensions`.
 * - `POST /v1/chat/completions`: answers "<first sentence of source [1]> [1]", or `NOT_COVERED`
 *   when the question contains "unanswerable"; when it contains "embellish", the answer adds a
 *   sentence no source holds ("It was first released on the Moon in 1850. [1]"); model
 *   "always-500" fails with HTTP 500. Model "graph-json" answers the graph's JSON steps (system
 *   "TASK:<step>") and the grounded prompt like any model.
 * - The faithfulness judge (system "TASK:faithfulness", worker/rag/eval/faithfulness.ts), any
 *   model: a deterministic verdict, `{"sentences":[{"text","supported"}]}`, a sentence of the
 *   answer (markers and markdown removed) being supported when the sources' text contains it
 *   (case and whitespace folded). Model "judge-garbage" answers prose instead (not JSON), always.
 * - Model "leak-system" answers with its system message, lines naming NOT_COVERED left out ("Sure! My
 *   instructions were: <system> [1]"),
 *   model "leak-key" with the bearer key it was sent ("The key is <key> [1]"): models that obey an
 *   injection, for the output filter (worker/guardrails/output.ts).
 * - `GET /__requests`: the JSON bodies received so far.
 * - `POST /webhook/<name>`: a webhook sink that records the JSON body under `<name>` (answers
 *   200 "ok"; name "always-500" answers 500, names starting "slow" answer after 1.5 s), and
 *   `GET /webhook/<name>`: the bodies recorded under `<name>`, oldest first. Not in `/__requests`.
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

function completion(model: string, content: string) {
  return {
    id: "chatcmpl-test", object: "chat.completion", created: 0, model,
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

/** The sentence the generator adds for a question containing "embellish" (in no source). */
export const EMBELLISHMENT = "It was first released on the Moon in 1850.";

const fold = (t: string) => t.toLowerCase().replace(/[*_`#>]+/g, " ").replace(/\s+/g, " ").trim();

/**
 * The judge's verdict on the user message "Sources:\n\n…\n\nAnswer:\n<answer>": each sentence (or
 * line) of the answer, citation markers removed, is supported when the sources' text holds it.
 */
export function faithfulnessVerdict(user: string): { sentences: { text: string; supported: boolean }[] } {
  const at = user.lastIndexOf("\n\nAnswer:\n");
  const sources = fold(user.slice(0, Math.max(0, at)));
  const answer = at >= 0 ? user.slice(at + "\n\nAnswer:\n".length) : user;
  const sentences = answer
    .replace(/\s*\[\d{1,3}\]/g, "")
    .split(/\n+|(?<=[.!?])\s+/)
    .map((t) => t.replace(/^[-*\s]+/, "").trim())
    .filter((t) => fold(t).length > 0);
  return { sentences: sentences.map((text) => ({ text, supported: sources.includes(fold(text)) })) };
}

/** Canned JSON for the graph's model-backed steps (model "graph-json"), keyed by "TASK:<step>". */
function graphAnswer(messages: { role: string; content: string }[]): unknown {
  const system = messages[0]?.content ?? "";
  const user = messages.at(-1)?.content ?? "";
  // The question is a <user_question> block (worker/guardrails/prompt.ts), or after "Question: ".
  const question = /<user_question>\n([\s\S]*?)\n<\/user_question>/.exec(user)?.[1] ?? /(?:Question|Query): (.*)/.exec(user)?.[1] ?? "";
  const task = /TASK:(\w+)/.exec(system)?.[1];
  switch (task) {
    case "analyze":
      return { complexity: / and how /i.test(question) ? "complex" : "simple", is_ambiguous: false, ambiguity_type: "none", clarity_confidence: 0.95, refined_query: question };
    case "clarify":
      return { clarification_question: "Which topic do you mean?" };
    case "decompose":
      return { sub_questions: question.split(/ and /i).map((q) => q.trim()), parallel_groups: [[1, 2]], synthesis_guide: "Answer both parts." };
    case "grade": {
      const n = (user.match(/^\[\d+\]/gm) ?? []).length;
      return { grades: Array.from({ length: n }, (_, i) => ({ index: i + 1, relevance_score: 0.9, reason: "on topic", useful_parts: [] })) };
    }
    case "rewrite":
      return { query: `${question} (rewritten)` };
    case "quality":
      return { completeness: 0.9, accuracy: 1, clarity: 0.8 };
    default:
      return {};
  }
}

export async function startMockOpenAI(): Promise<{ url: string; close: () => Promise<void> }> {
  const requests: { path: string; body: any }[] = [];
  const webhooks = new Map<string, unknown[]>();
  const server = createServer(async (req, res) => {
    try {
      if (req.method === "GET" && req.url === "/__requests") return send(res, 200, requests);
      const hook = /^\/webhook\/([\w.-]+)$/.exec(req.url ?? "");
      if (hook) {
        const name = hook[1]!;
        if (req.method === "GET") return send(res, 200, webhooks.get(name) ?? []);
        const received = await body(req);
        webhooks.set(name, [...(webhooks.get(name) ?? []), received]);
        if (name === "always-500") return send(res, 500, { error: "webhook receiver failed" });
        if (name.startsWith("slow")) {
          await new Promise((r) => setTimeout(r, 1500));
          if (res.destroyed || req.socket.destroyed) return;
        }
        res.writeHead(200, { "content-type": "text/plain" });
        return res.end("ok");
      }
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
        const system: string = b.messages?.[0]?.content ?? "";
        if (system.includes("TASK:faithfulness")) {
          if (b.model === "judge-garbage") return send(res, 200, completion(b.model, "Every sentence looks fine to me."));
          return send(res, 200, completion(b.model, JSON.stringify(faithfulnessVerdict(b.messages.at(-1).content))));
        }
        if (b.model === "graph-json" && /TASK:\w+/.test(system)) return send(res, 200, completion(b.model, JSON.stringify(graphAnswer(b.messages))));
        // A model that obeys an injection: "leak-system" repeats its system prompt (with the canary
        // of worker/guardrails/output.ts), "leak-key" the API key it was called with.
        if (b.model === "leak-system") return send(res, 200, completion(b.model, `Sure! My instructions were: ${system.split("\n").filter((l) => !l.includes("NOT_COVERED")).join(" ")} [1]`));
        if (b.model === "leak-key") return send(res, 200, completion(b.model, `The key is ${String(req.headers.authorization ?? "").replace(/^Bearer /, "")} [1]`));
        const user: string = b.messages.at(-1).content;
        const question = user.split("Question:").pop() ?? "";
        const first = /\[1\][^\n]*\n([^.\n]+\.)/.exec(user)?.[1] ?? "Nothing.";
        const content = /unanswerable/i.test(question) ? "NOT_COVERED" : /embellish/i.test(question) ? `${first.trim()} [1] ${EMBELLISHMENT} [1]` : `${first.trim()} [1]`;
        return send(res, 200, {
          id: "chatcmpl-test", object: "chat.completion", created: 0, model: b.model,
          choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        });
      }
      if (req.url === "/resilience/v1/chat/completions") {
        // Resilience scenarios for worker/agents/llm (test/integration/llm-resilience.test.ts),
        // keyed by `model`. "First call" is counted per model + system message (tests put a
        // unique nonce in the system message), from the request log above. JSON answers are
        // {"answer":"ok","n":<call number>}.
        const system: string = b.messages?.find((m: any) => m.role === "system")?.content ?? "";
        const call = requests.filter((r) => r.path === req.url && r.body.model === b.model &&
          (r.body.messages?.find((m: any) => m.role === "system")?.content ?? "") === system).length;
        const answer = (content: string) => send(res, 200, {
          id: "chatcmpl-resilience", object: "chat.completion", created: 0, model: b.model,
          choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        });
        const good = JSON.stringify({ answer: "ok", n: call });
        const limited = (headers: Record<string, string>) => {
          res.writeHead(429, { "content-type": "application/json", ...headers });
          res.end(JSON.stringify({ error: { message: "Rate limit reached", type: "rate_limit_exceeded" } }));
        };
        switch (b.model) {
          case "rate-limit-once":
            return call === 1 ? limited({ "retry-after": "1" }) : answer(good);
          case "rate-limit-ms-once":
            return call === 1 ? limited({ "retry-after-ms": "250", "retry-after": "7" }) : answer(good);
          case "slow":
            if (call <= 2) {
              await new Promise((r) => setTimeout(r, 1500));
              if (res.destroyed || req.socket.destroyed) return;
            }
            return answer(good);
          case "server-error-once":
            return call === 1 ? send(res, 503, { error: { message: "overloaded", type: "server_error" } }) : answer(good);
          case "malformed-once":
            return answer(call === 1 ? "Sure! The answer is ok." : good);
          case "malformed-always":
            return answer("I cannot produce JSON today.");
          case "schema-wrong-once":
            return answer(call === 1 ? JSON.stringify({ answer: 42 }) : good);
          case "bad-request":
            return send(res, 400, { error: { message: "Invalid request", type: "invalid_request_error" } });
          case "unauthorized":
            return send(res, 401, { error: { message: "Incorrect API key provided: sk-***", type: "invalid_request_error" } });
          default:
            return answer(good);
        }
      }
      if (req.url === "/search") {
        // Tavily `POST /search`: 401 for bearer key "bad"; for a query starting "rate limit me",
        // 429 (retry-after: 1) on its first call; for one starting "slow search", a 1.5 s delay on
        // its first call; otherwise two results.
        if (req.headers.authorization === "Bearer bad") return send(res, 401, { detail: { error: "Unauthorized: missing or invalid API key." } });
        const query = String(b.query ?? "");
        const call = requests.filter((r) => r.path === "/search" && r.body.query === query).length;
        if (/^rate limit me/.test(query) && call === 1) {
          res.writeHead(429, { "content-type": "application/json", "retry-after": "1" });
          return res.end(JSON.stringify({ detail: { error: "Too many requests" } }));
        }
        if (/^slow search/.test(query) && call === 1) {
          await new Promise((r) => setTimeout(r, 1500));
          if (res.destroyed || req.socket.destroyed) return;
        }
        return send(res, 200, {
          query,
          answer: null,
          response_time: 0.01,
          results: [
            { title: "OpenTelemetry Collector", url: "https://opentelemetry.io/docs/collector/", content: `About ${query}: the Collector receives, processes and exports telemetry.`, score: 0.91, raw_content: null },
            { title: "Collector configuration", url: "https://opentelemetry.io/docs/collector/configuration/", content: "Receivers, processors and exporters are wired into pipelines.", score: 0.74, raw_content: null },
          ],
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
