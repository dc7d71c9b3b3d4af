/**
 * The `.dev.vars` lines that point edge-rag's OpenAI-compatible provider (worker/config.ts:
 * GENERATION_PROVIDER, OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_CHAT_MODEL) at the local server,
 * and their merge into an existing `.dev.vars` that keeps every other line (ADMIN_TOKEN, comments).
 * Embeddings stay offline: the local server has no `/v1/embeddings`.
 * Plain TypeScript run by Node's type stripping.
 */
import { readFile, writeFile } from "node:fs/promises";

/** The variables for a server at `baseUrl` (…/v1) serving `modelId`, in file order. */
export function devVarsFor(baseUrl: string, modelId: string): [string, string][] {
  return [
    ["GENERATION_PROVIDER", "openai"],
    ["OPENAI_BASE_URL", baseUrl],
    // The provider requires a key; the local server ignores it.
    ["OPENAI_API_KEY", "local"],
    ["OPENAI_CHAT_MODEL", modelId],
  ];
}

/** Quotes a value for `.dev.vars` (dotenv syntax) when it holds characters that need it. */
function dotenvValue(value: string): string {
  return /^[\w.:/@+-]*$/.test(value) ? value : JSON.stringify(value);
}

/** `NAME=value` lines of `vars`. */
export function devVarsLines(vars: [string, string][]): string[] {
  return vars.map(([name, value]) => `${name}=${dotenvValue(value)}`);
}

/**
 * `text` (a `.dev.vars` file) with `vars` set: a line assigning one of them (`NAME=…`, optionally
 * after `export `) is replaced in place, the others are appended; every other line is kept as is.
 */
export function mergeDevVars(text: string, vars: [string, string][]): string {
  const pending = new Map(vars);
  const lines = text.length > 0 ? text.replace(/\r?\n$/, "").split(/\r?\n/) : [];
  const out = lines.map((line) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (!m || !pending.has(m[1]!)) return line;
    const value = pending.get(m[1]!)!;
    pending.delete(m[1]!);
    return devVarsLines([[m[1]!, value]])[0]!;
  });
  out.push(...devVarsLines([...pending]));
  return `${out.join("\n")}\n`;
}

/** Merges `vars` into the file at `file` (created when missing) and returns the lines written. */
export async function writeDevVars(file: string, vars: [string, string][]): Promise<string[]> {
  const current = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return "";
    throw e;
  });
  await writeFile(file, mergeDevVars(current, vars));
  return devVarsLines(vars);
}
