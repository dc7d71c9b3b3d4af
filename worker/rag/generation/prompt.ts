/** The grounded prompt used by the model-backed generators. */
import type { SourceChunk } from "./types";

/** Marker a model answers with when the sources do not contain the answer. */
export const NOT_COVERED_MARKER = "NOT_COVERED";

/** Rough token estimate: 1 token ≈ 4 characters of English text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Builds chat messages with numbered sources. Sources are dropped from the lowest-ranked end
 * until the prompt fits `maxContextTokens` (estimated at 4 characters per token).
 */
export function buildGroundedMessages(query: string, sources: readonly SourceChunk[], maxContextTokens = 6000) {
  const kept = [...sources];
  const render = (list: SourceChunk[]) =>
    list.map((s) => `[${s.index}] ${s.title} — ${s.heading}\n${s.content}`).join("\n\n");
  while (kept.length > 1 && estimateTokens(render(kept)) > maxContextTokens) kept.pop();
  const system =
    "You answer questions using only the numbered sources provided. Cite every sentence with the " +
    "number of the source it comes from, like [1] or [2]. Do not use outside knowledge. If the " +
    `sources do not contain the answer, reply with exactly ${NOT_COVERED_MARKER}.`;
  return [
    { role: "system" as const, content: system },
    { role: "user" as const, content: `Sources:\n\n${render(kept)}\n\nQuestion: ${query}` },
  ];
}
