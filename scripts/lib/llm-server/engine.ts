/**
 * The inference engine of the local server: one GGUF model loaded with node-llama-cpp on the CPU
 * (prebuilt binaries only, nothing is downloaded or compiled), one context sequence, requests run
 * one at a time in arrival order. JSON output is enforced with llama.cpp grammars: the bundled
 * `json` grammar for `json_object`, and a grammar built from the schema
 * (`llama.createGrammarForJsonSchema`, node-llama-cpp's JSON-schema subset) for `json_schema`.
 * Plain TypeScript run by Node's type stripping.
 */
import path from "node:path";
import type { ChatHistoryItem, Llama, LlamaContext, LlamaGrammar, LlamaModel } from "node-llama-cpp";
import { ApiError } from "./errors.ts";
import type { EngineRequest, EngineResult } from "./schema.ts";

/** What the HTTP layer needs from an engine; {@link loadLlamaEngine} gives the real one, tests may give a scripted one. */
export interface ChatEngine {
  /** Model id served by `GET /v1/models` and expected in requests. */
  readonly modelId: string;
  /** Context window of the loaded model in tokens (prompt + completion). */
  readonly contextSize: number;
  /**
   * Generates one completion. `onText` receives the text as it is generated (for streaming);
   * aborting `signal` ends generation early and returns what was generated so far.
   *
   * @throws {ApiError} 400 for a prompt longer than the context or a schema the grammar builder refuses.
   */
  complete(request: EngineRequest, onText?: (text: string) => void, signal?: AbortSignal): Promise<EngineResult>;
  /** Frees the model and the native runtime. */
  close(): Promise<void>;
}

/** Settings of {@link loadLlamaEngine}. */
export interface LlamaEngineOptions {
  /** Path of the GGUF file. */
  modelPath: string;
  /** Model id; default: the file name without `.gguf`. */
  modelId?: string;
  /** Context size in tokens (default 4096, capped by the model's training context). */
  contextSize?: number;
  /** CPU threads for inference (default 2). */
  threads?: number;
}

/** Default model id of a GGUF path: the file name without its `.gguf` extension. */
export function modelIdFromPath(modelPath: string): string {
  return path.basename(modelPath).replace(/\.gguf$/i, "");
}

/** Runs tasks one after another in call order (llama.cpp evaluates one sequence at a time here). */
class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** The chat history node-llama-cpp expects, ending with the model turn to generate. */
function toHistory(messages: EngineRequest["messages"]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === "system" ? { type: "system", text: m.content }
      : m.role === "user" ? { type: "user", text: m.content }
        : { type: "model", response: [m.content] });
  // A conversation ending with an assistant message is continued (prefill); otherwise a new turn starts.
  if (history.at(-1)?.type !== "model") history.push({ type: "model", response: [] });
  return history;
}

/**
 * Loads `options.modelPath` with node-llama-cpp (CPU, prebuilt binary; `build: "never"`).
 *
 * @throws when node-llama-cpp is not installed, no prebuilt binary fits this machine, or the file
 *   is not a loadable GGUF model (the error's message says which).
 */
export async function loadLlamaEngine(options: LlamaEngineOptions): Promise<ChatEngine> {
  const { getLlama, LlamaChat, LlamaLogLevel } = await import("node-llama-cpp");
  const llama: Llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.warn });
  const model: LlamaModel = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: 0 });
  const wanted = options.contextSize ?? 4096;
  const trained = model.trainContextSize;
  const context: LlamaContext = await model.createContext({
    contextSize: trained > 0 ? Math.min(wanted, trained) : wanted,
    threads: options.threads ?? 2,
    sequences: 1,
  });
  const sequence = context.getSequence();
  const queue = new SerialQueue();
  const grammars = new Map<string, Promise<LlamaGrammar>>();
  let jsonGrammar: Promise<LlamaGrammar> | undefined;

  /** The grammar of a request's JSON constraint, cached by schema text (at most 64 schemas). */
  const grammarFor = async (json: EngineRequest["json"]): Promise<LlamaGrammar | undefined> => {
    if (json.kind === "none") return undefined;
    if (json.kind === "object") return (jsonGrammar ??= llama.getGrammarFor("json"));
    const key = JSON.stringify(json.schema);
    let grammar = grammars.get(key);
    if (!grammar) {
      const created: Promise<LlamaGrammar> = llama.createGrammarForJsonSchema(json.schema as never);
      if (grammars.size >= 64) grammars.delete(grammars.keys().next().value!);
      grammars.set(key, created);
      created.catch(() => grammars.delete(key));
      grammar = created;
    }
    try {
      return await grammar;
    } catch (error) {
      throw new ApiError(400, `response_format.json_schema.schema is not supported by the grammar builder: ${(error as Error).message}`, {
        param: "response_format.json_schema.schema",
        code: "unsupported_schema",
      });
    }
  };

  return {
    modelId: options.modelId ?? modelIdFromPath(options.modelPath),
    contextSize: context.contextSize,

    complete(request, onText, signal) {
      return queue.run(async () => {
        const grammar = await grammarFor(request.json);
        const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
        try {
          const history = toHistory(request.messages);
          const promptTokens = chat.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer).length;
          if (promptTokens >= context.contextSize) {
            throw new ApiError(400, `This model's context is ${context.contextSize} tokens, but the messages take ${promptTokens} tokens.`, {
              param: "messages",
              code: "context_length_exceeded",
            });
          }
          const maxTokens = Math.max(1, Math.min(request.maxTokens, context.contextSize - promptTokens));
          let completionTokens = 0;
          const res = await chat.generateResponse(history, {
            maxTokens,
            temperature: request.temperature,
            topP: request.topP,
            seed: request.seed,
            grammar,
            customStopTriggers: request.stop.length > 0 ? request.stop : undefined,
            signal,
            stopOnAbortSignal: true,
            onToken: (tokens: readonly unknown[]) => { completionTokens += tokens.length; },
            onTextChunk: onText,
          });
          const stopped = res.metadata.stopReason;
          return {
            text: res.response,
            finishReason: stopped === "maxTokens" ? "length" : "stop",
            promptTokens,
            completionTokens,
          };
        } finally {
          chat.dispose({ disposeSequence: false });
        }
      });
    },

    async close() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
