/**
 * The message `npm run llm:local` prints when it is given no model file: why none is bundled and
 * how to get one. Plain TypeScript run by Node's type stripping.
 */

/** Explanation printed (to stderr) when neither `--model` nor `LLM_MODEL_PATH` names a GGUF file. */
export const NO_MODEL_MESSAGE = `npm run llm:local needs a model: a GGUF file given by --model PATH or LLM_MODEL_PATH.

No model weights come with edge-rag, and none can be installed from the package registries this
project uses: npm and Debian ship inference runtimes (node-llama-cpp, llama.cpp) but no
text-generation weights. Download a small instruct model in GGUF format once, for example
Qwen2.5-0.5B-Instruct, Q4_K_M quantisation (about 0.4-0.5 GB, licence Apache-2.0), from Hugging Face:

  mkdir -p ~/models
  curl -L -o ~/models/qwen2.5-0.5b-instruct-q4_k_m.gguf \\
    https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf

(or: npx node-llama-cpp pull --dir ~/models hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M)

then start the server with it:

  npm run llm:local -- --model ~/models/qwen2.5-0.5b-instruct-q4_k_m.gguf --write-dev-vars

Check the licence of any model you download on its model card. Keep model files outside the
repository. See docs/local-model.md.`;
