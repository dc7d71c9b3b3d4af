/**
 * `npm run llm:local`: a local OpenAI-compatible chat server on 127.0.0.1 over a GGUF model run by
 * node-llama-cpp on the CPU (lib/llm-server/), for running edge-rag against a real open model
 * without an API key. Prints the `.dev.vars` lines that point edge-rag at it and, with
 * `--write-dev-vars`, merges them into .dev.vars (other lines are kept). No model is bundled:
 * without `--model` / `LLM_MODEL_PATH` it exits with code 2 and says how to get one.
 * node-llama-cpp is installed on first use (`npm install --no-save node-llama-cpp@3.21.1`, about
 * 720 MB of prebuilt binaries), not as a devDependency, so that `npm ci` stays small.
 * See docs/local-model.md. Plain TypeScript run by Node's type stripping.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { CommandLine } from "./lib/cli.ts";
import { devVarsFor, devVarsLines, writeDevVars } from "./lib/llm-server/dev-vars.ts";
import { loadLlamaEngine, modelIdFromPath } from "./lib/llm-server/engine.ts";
import { startLlmServer } from "./lib/llm-server/http.ts";
import { NO_MODEL_MESSAGE } from "./lib/llm-server/no-model.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const DEFAULT_PORT = 8088;
const log = (message: string) => process.stderr.write(`[llm:local] ${message}\n`);

const cli: CommandLine = new CommandLine(`Usage: npm run llm:local -- [options]

  --model PATH          GGUF model file (default: the LLM_MODEL_PATH environment variable)
  --model-name ID       model id served and expected in requests (default: the file name without .gguf)
  --port N              port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)
  --context N           context size in tokens (default 4096, capped by the model's)
  --threads N           CPU threads for inference (default 2)
  --max-tokens N        completion limit when a request sets no max_tokens (default 1024)
  --write-dev-vars      merge the edge-rag variables into .dev.vars (other lines are kept)
  --quiet               no log line per request
  -h, --help            this text

Serves GET /v1/models and POST /v1/chat/completions (streaming, response_format json_object and
json_schema enforced by a grammar, max_tokens, temperature, top_p, seed, stop, usage).`);

const values = cli.parse({
  model: { type: "string" },
  "model-name": { type: "string" },
  port: { type: "string" },
  context: { type: "string" },
  threads: { type: "string" },
  "max-tokens": { type: "string" },
  "write-dev-vars": { type: "boolean", default: false },
  quiet: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
});

const modelPath = values.model ?? process.env.LLM_MODEL_PATH;
if (!modelPath) {
  process.stderr.write(`${NO_MODEL_MESSAGE}\n`);
  process.exit(2);
}
if (!existsSync(modelPath)) cli.usageError(`model file not found: ${modelPath}`);
const port = cli.int("port", values.port, DEFAULT_PORT, 0, 65_535);
const contextSize = cli.int("context", values.context, 4096, 256, 131_072);
const threads = cli.int("threads", values.threads, 2, 1, 64);
const defaultMaxTokens = cli.int("max-tokens", values["max-tokens"], 1024, 1, 131_072);
const modelId = values["model-name"] ?? modelIdFromPath(modelPath);

/** The node-llama-cpp version this server is written and tested against. */
const NODE_LLAMA_CPP = "node-llama-cpp@3.21.1";
try {
  import.meta.resolve("node-llama-cpp");
} catch {
  log(`installing ${NODE_LLAMA_CPP} (first use; prebuilt CPU binaries from npm, nothing is compiled)…`);
  const installed = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--ignore-scripts", NODE_LLAMA_CPP], { cwd: REPO_ROOT, stdio: "inherit" });
  if (installed.status !== 0) {
    log(`npm install ${NODE_LLAMA_CPP} failed (exit ${installed.status ?? installed.signal})`);
    process.exit(1);
  }
}

log(`loading ${modelPath} (CPU, ${threads} threads, context ${contextSize})…`);
const loadStarted = performance.now();
let engine;
try {
  engine = await loadLlamaEngine({ modelPath, modelId, contextSize, threads });
} catch (e) {
  const message = (e as Error).message;
  if ((e as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") log(`node-llama-cpp could not be loaded: npm install --no-save ${NODE_LLAMA_CPP}`);
  else log(`could not load the model: ${message}`);
  process.exit(1);
}
log(`model '${engine.modelId}' loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s, context ${engine.contextSize} tokens`);

const server = await startLlmServer({
  engine,
  port,
  defaultMaxTokens,
  onRequest: values.quiet ? undefined : ({ method, path: p, status, ms }) => log(`${method} ${p} ${status} ${Math.round(ms)} ms`),
}).catch((e: NodeJS.ErrnoException) => {
  log(e.code === "EADDRINUSE" ? `port ${port} is in use: choose another with --port` : `could not listen: ${e.message}`);
  process.exit(1);
});

const vars = devVarsFor(server.baseUrl, engine.modelId);
log(`OpenAI-compatible API at ${server.baseUrl}`);
if (values["write-dev-vars"]) {
  const file = path.join(REPO_ROOT, ".dev.vars");
  await writeDevVars(file, vars);
  log(`merged into ${file}:`);
} else {
  log("edge-rag variables (add them to .dev.vars, or rerun with --write-dev-vars):");
}
process.stdout.write(`${devVarsLines(vars).join("\n")}\n`);
log("then: npm run dev (or npm run eval:answers with OPENAI_BASE_URL set). Ctrl+C stops the server.");

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  await server.close();
  await engine.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
