/**
 * node-llama-cpp is installed on first use by `npm run llm:local`, not by `npm ci` (its prebuilt
 * binaries take about 720 MB), so the type check of scripts/ cannot rely on its types: this is the
 * part engine.ts uses, with the runtime objects typed loosely. engine.ts was written and run
 * against node-llama-cpp 3.21.1.
 */
declare module "node-llama-cpp" {
  export type ChatHistoryItem =
    | { type: "system"; text: string }
    | { type: "user"; text: string }
    | { type: "model"; response: string[] };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Runtime = any;
  export type Llama = Runtime;
  export type LlamaModel = Runtime;
  export type LlamaContext = Runtime;
  export type LlamaGrammar = Runtime;
  export const getLlama: (options: Record<string, unknown>) => Promise<Llama>;
  export const LlamaChat: new (options: Record<string, unknown>) => Runtime;
  export const LlamaLogLevel: Record<string, string>;
}
