/**
 * The guardrail of a chat turn (docs/security.md): the question is screened by the injection
 * detector before the graph runs, and the finished answer by the output filter. What was found
 * is returned as `guardrail` in the answer body and stored in the answer message's meta.
 */
import { detectInjection, stripInjection, type InjectionReason } from "./injection.ts";
import { filterOutput, OUTPUT_BLOCKED_MESSAGE, type OutputBlockReason } from "./output.ts";

/** `guardrail` of a chat answer; present only when something was flagged or blocked. */
export interface GuardrailMeta {
  /** The question (or the clarification's custom input) looked like instructions to the model. */
  flagged: boolean;
  /** The detector's reasons for the question (worker/guardrails/injection.ts); empty when not flagged. */
  reasons: InjectionReason[];
  /** The answer was withheld by the output filter (it held the canary or a configured secret). */
  output_blocked: boolean;
  /** Why the answer was withheld: "canary", "secret"; empty when it was not. */
  output_reasons: OutputBlockReason[];
  /** Numbers (`index`) of the answer's sources whose text the detector flags (they were quoted with a warning). */
  flagged_sources: number[];
}

/** The answer to a question that was nothing but instructions to the model. */
export const INSTRUCTIONS_ONLY_MESSAGE =
  "This message asks the assistant to change its instructions or reveal its configuration, which it does not do. Ask a question about the documents.";

/** What {@link screenQuestion} found. */
export interface QuestionScreen {
  flagged: boolean;
  reasons: InjectionReason[];
  /**
   * The question to answer: unchanged when not flagged, else without its instruction-like
   * sentences; null when nothing else was in it.
   */
  query: string | null;
}

/** Screens a user's question: flags it, and removes its instruction-like sentences. */
export function screenQuestion(question: string): QuestionScreen {
  const found = detectInjection(question);
  if (!found.flagged) return { flagged: false, reasons: [], query: question };
  const rest = stripInjection(question).trim();
  return { flagged: true, reasons: found.reasons, query: /[\p{L}\p{N}]{2,}/u.test(rest) ? rest : null };
}

/** The numbers of the sources whose text the detector flags. */
export function flaggedSources(sources: readonly { index: number; content: string; title?: string; heading?: string }[]): number[] {
  return sources.filter((s) => detectInjection(`${s.heading ?? ""}\n${s.content}`).flagged).map((s) => s.index);
}

/**
 * The final check of an answer's text: the output filter over `secrets` (an answer a guarded
 * generator already withheld counts as blocked too).
 */
export function checkAnswer(response: string, secrets: readonly string[]): { response: string; blocked: boolean; reasons: OutputBlockReason[] } {
  const checked = filterOutput(response, secrets);
  if (checked.blocked) return { response: checked.text, blocked: true, reasons: checked.reasons };
  return { response, blocked: response === OUTPUT_BLOCKED_MESSAGE, reasons: [] };
}

/** The `guardrail` field of an answer, or undefined when nothing was flagged or blocked. */
export function guardrailMeta(question: { flagged: boolean; reasons: InjectionReason[] }, output: { blocked: boolean; reasons: OutputBlockReason[] }, sources: number[]): GuardrailMeta | undefined {
  if (!question.flagged && !output.blocked && sources.length === 0) return undefined;
  return { flagged: question.flagged, reasons: question.reasons, output_blocked: output.blocked, output_reasons: output.reasons, flagged_sources: sources };
}
