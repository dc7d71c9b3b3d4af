/**
 * Mapping between OpenAI's Chat Completions wire format and edge-rag's chat turns (pure; the
 * route is worker/routes/openai-compat.ts). A model name is a knowledge scope: `edge-rag` is the
 * whole knowledge base, `edge-rag:<domain>` one domain. The last user message is the question and
 * the earlier user and assistant messages are the conversation. A clarification becomes an
 * assistant message listing the options; when the next request's last user message answers it
 * (a number or free text), the turn resumes that clarification like `POST /api/chat` with
 * `selected_option` / `custom_input` does. The answer's sources travel in the extra field
 * `edge_rag` of the completion (and of the last stream chunk).
 */
import type { GraphState } from "../agents/graph/state";
import { initialState } from "../agents/graph/state";
import { clarificationTopic } from "../agents/graph/runner";
import type { PriorTurn } from "../rag/followup";
import type { SearchScope } from "../schemas";
import type { ChatAnswer, ClarificationBody, TurnInput } from "../services/chat";
import { messageText, type ChatCompletionMessage } from "./schemas";

/** Model id of the whole knowledge base. */
export const BASE_MODEL = "edge-rag";

/** The last line of a clarification message, by which the next request recognises it. */
export const CLARIFICATION_FOOTER = "Reply with the number of an option, or say in your own words what you mean.";

/** The search scope of a model id: undefined for the whole knowledge base, null for an id that is not edge-rag's. */
export function scopeOfModel(model: string): SearchScope | undefined | null {
  if (model === BASE_MODEL) return undefined;
  const domain = model.startsWith(`${BASE_MODEL}:`) ? model.slice(BASE_MODEL.length + 1) : "";
  return domain ? { domains: [domain], tags: [] } : null;
}

/** The model ids served: the whole knowledge base, then one per domain. */
export function modelIds(domains: readonly string[]): string[] {
  return [BASE_MODEL, ...domains.map((d) => `${BASE_MODEL}:${d}`)];
}

/** The text of a clarification as an assistant message. */
export function clarificationText(c: ClarificationBody): string {
  return [c.clarification_question, "", ...c.options.map((o, i) => `${i + 1}. ${o.label}`), "", CLARIFICATION_FOOTER].join("\n");
}

/** Options of a clarification message written by {@link clarificationText}, or null for any other text. */
export function parseClarification(text: string): { question: string; labels: string[] } | null {
  const lines = text.trim().split("\n");
  if (lines.at(-1) !== CLARIFICATION_FOOTER) return null;
  const labels: string[] = [];
  for (const line of lines) {
    const m = /^(\d+)\. (.+)$/.exec(line);
    if (m && Number(m[1]) === labels.length + 1) labels.push(m[2]);
  }
  return labels.length ? { question: lines[0], labels } : null;
}

/** What a request asks for: the turn's input, its conversation and, when it answers a clarification, the clarification to resume. */
export interface CompletionTurn {
  input: TurnInput;
  history: PriorTurn[];
  /** The interrupted state rebuilt from the conversation, when the last message answers a clarification. */
  pending: GraphState | null;
}

/**
 * Reads a request's messages: the last one (the user's) is the question, or the answer to the
 * clarification in the assistant message before it; system, developer and tool messages are not
 * part of the conversation.
 */
export function completionTurn(messages: readonly ChatCompletionMessage[], scope: SearchScope | undefined): CompletionTurn {
  const conversation = messages.filter((m) => m.role === "user" || m.role === "assistant").map((m) => ({ role: m.role as PriorTurn["role"], content: messageText(m) }));
  const last = conversation.at(-1)!.content.trim();
  const history = conversation.slice(0, -1);
  // The clarification rounds that end the conversation: question, clarification, reply, clarification, …
  const rounds: { labels: string[]; question: string }[] = [];
  let i = history.length - 1;
  for (; i >= 1; i -= 2) {
    const c = history[i].role === "assistant" ? parseClarification(history[i].content) : null;
    if (!c || history[i - 1].role !== "user") break;
    rounds.unshift(c);
  }
  if (rounds.length === 0) return { input: { kind: "question", query: last, search_scope: scope }, history, pending: null };
  // history[i + 1] is the question; each earlier round's reply refined it as applyClarificationAnswer does.
  let question = history[i + 1].content.trim();
  rounds.slice(0, -1).forEach((round, r) => (question = `${question} ${replyText(round.labels, history[i + 3 + 2 * r].content)}`));
  const open = rounds.at(-1)!;
  const asked = rounds.length - 1;
  const pending: GraphState = {
    ...initialState(question, scope),
    interaction_count: asked,
    clarification_answers: [],
    clarification: {
      clarification_question: open.question, allow_custom_input: true, interaction_count: asked,
      options: open.labels.map((label, n) => ({ id: String(n + 1), label, source_count: 0 })),
    },
  };
  const choice = optionNumber(open.labels, last);
  return { input: choice ? { kind: "response", selected_option: choice } : { kind: "response", custom_input: last }, history, pending };
}

/** The option number a reply picks ("2", "2."), or null. */
function optionNumber(labels: readonly string[], reply: string): string | null {
  const m = /^\s*(\d{1,2})\s*\.?\s*$/.exec(reply);
  return m && Number(m[1]) >= 1 && Number(m[1]) <= labels.length ? String(Number(m[1])) : null;
}

/** What a reply to a clarification adds to the question: the chosen option's topic, or the reply itself. */
function replyText(labels: readonly string[], reply: string): string {
  const n = optionNumber(labels, reply);
  return n ? clarificationTopic(labels[Number(n) - 1]) : reply.trim();
}

/** The `edge_rag` extra field of a completion: the answer's evidence, or the clarification. */
export function extraField(outcome: { type: "answer"; body: ChatAnswer } | { type: "clarification"; body: ClarificationBody }) {
  if (outcome.type === "clarification") {
    const c = outcome.body;
    return { clarification: { question: c.clarification_question, options: c.options, interaction_count: c.interaction_count }, sources: [] };
  }
  const a = outcome.body;
  return {
    sources: a.sources, confidence: a.confidence, has_sufficient_info: a.has_sufficient_info, needs_disclaimer: a.needs_disclaimer,
    retrieval_source: a.retrieval_source, resolved_query: a.resolved_query, processing_time_ms: a.processing_time_ms,
  };
}

/** The assistant's text of an outcome: the cited answer, or the clarification with its options. */
export function outcomeText(outcome: { type: "answer"; body: ChatAnswer } | { type: "clarification"; body: ClarificationBody }): string {
  return outcome.type === "answer" ? outcome.body.response : clarificationText(outcome.body);
}
