/** The grounded prompt used by the model-backed generators. */
import { questionBlock, sourceBlock, withUntrustedRules } from "../../guardrails/prompt";
import type { SourceChunk } from "./types";

/** Marker a model answers with when the sources do not contain the answer. */
export const NOT_COVERED_MARKER = "NOT_COVERED";

/** Rough token estimate: 1 token ≈ 4 characters of English text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** What {@link withTokenBudget} returns. */
export interface TokenBudgetResult<S> {
  /** The highest-ranked sources that fit, in their original order (at least one if any were given). */
  kept: S[];
  /** The lowest-ranked sources dropped to fit, in their original order. */
  dropped: S[];
}

/**
 * Fits ranked sources (best first) into a token budget: drops sources from the end (lowest
 * ranked) until the summed estimate of their `content` is at most `maxTokens`, always keeping
 * the first source even if it alone is over budget.
 *
 * @param sources ranked sources, best first; not modified.
 * @param maxTokens budget in estimated tokens.
 * @param estimate tokens of a text (default ⌈characters / 4⌉).
 */
export function withTokenBudget<S extends { content: string }>(
  sources: readonly S[],
  maxTokens: number,
  estimate: (text: string) => number = estimateTokens,
): TokenBudgetResult<S> {
  const kept = [...sources];
  let total = kept.reduce((sum, s) => sum + estimate(s.content), 0);
  while (kept.length > 1 && !(total <= maxTokens)) total -= estimate(kept.pop()!.content);
  return { kept, dropped: sources.slice(kept.length) };
}

/**
 * Builds chat messages with numbered sources. Sources are dropped from the lowest-ranked end
 * until the prompt fits `maxContextTokens` (estimated at 4 characters per token). Each source is
 * an `<untrusted_source>` block and the question a `<user_question>` block; the system message
 * says their content is data, never instructions (worker/guardrails/prompt.ts).
 */
export function buildGroundedMessages(query: string, sources: readonly SourceChunk[], maxContextTokens = 6000) {
  // Each block carries its separator, so the summed estimate never undercounts the prompt.
  const blocks = sources.map((s, i) => ({ source: s, content: `${i > 0 ? "\n\n" : ""}${sourceBlock(s.index, `${s.title} — ${s.heading}`, s.content)}` }));
  const rendered = withTokenBudget(blocks, maxContextTokens).kept.map((b) => b.content).join("");
  const system = withUntrustedRules(
    "You answer questions using only the numbered sources provided. Cite every sentence with the " +
    "number of the source it comes from, like [1] or [2]. Do not use outside knowledge. If the " +
    `sources do not contain the answer, reply with exactly ${NOT_COVERED_MARKER}.`,
  );
  return [
    { role: "system" as const, content: system },
    { role: "user" as const, content: `Sources:\n\n${rendered}\n\nQuestion:\n${questionBlock(query)}` },
  ];
}
