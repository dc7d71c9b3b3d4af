/**
 * One chat turn. The router sends arithmetic and algebra to the math agent; everything else runs
 * the corrective RAG graph (analysis, clarification interrupt, decomposition, retrieval, grading,
 * rewrites, web fallback, generation, quality check). Binding-free apart from what the graph uses:
 * the session's Durable Object calls it and persists what it returns.
 */
import type { AnswerMeta, ChatMessage, MessageKind, MessageSource } from "./messages";
import { offlineModels, type GraphModels } from "../agents/graph/models";
import { applyClarificationAnswer, runGraph, type AnswerSource, type WebSearch } from "../agents/graph/runner";
import { TokenRecorder, type TokenSink } from "../agents/graph/streaming";
import { initialState, type GraphState, type NodeName } from "../agents/graph/state";
import { solveMath } from "../agents/math";
import { routeQuery, type RouterDecision } from "../agents/router";
import type { Providers } from "../config";
import { resolveFollowUp, type PriorTurn } from "../rag/followup";
import type { SearchScope } from "../schemas";
import { checkAnswer, flaggedSources, guardrailMeta, INSTRUCTIONS_ONLY_MESSAGE, screenQuestion, type GuardrailMeta } from "../guardrails/answer";
import { configuredSecrets } from "../guardrails/output";
import { countingEmbedder } from "../rag/embedding/counting";
import type { Usage } from "../usage/caps";

/** Characters of a source shown as its snippet. */
const SNIPPET_CHARS = 300;

/** Where an answer's evidence came from. */
export type RetrievalSource = "hybrid" | "hybrid+web" | "math";

/** How the answer was produced: the router's decision and the graph's trace. */
export interface AnswerTrace {
  router: RouterDecision;
  node_sequence: NodeName[];
  analysis: GraphState["analysis"] | null;
  interaction_count: number;
  sub_questions: GraphState["sub_questions"];
  parallel_groups: number[][];
  synthesis_guide: string;
  rewritten_queries: GraphState["rewritten_queries"];
  retry_count: number;
  correction_triggered: boolean;
  web_search_triggered: boolean;
  initial_avg_relevance: number | null;
  final_avg_relevance: number | null;
  relevance: GraphState["grades"];
  /** Whether the retrieved chunks answer the question, with the evidence (agents/graph/sufficiency.ts). */
  sufficiency: GraphState["sufficiency"] | null;
  sub_sufficiency: GraphState["sub_sufficiency"];
  quality: GraphState["quality"] | null;
  total_llm_calls: number;
  /** Tokens (prompt + completion) of those calls (worker/usage/caps.ts). */
  total_llm_tokens: number;
  timings_ms: GraphState["timings_ms"];
}

/** Body of a `POST /api/chat` answer and of a WebSocket `answer` frame. */
export interface ChatAnswer {
  session_id: string;
  message_id: string;
  response: string;
  sources: (MessageSource & { web?: true; url?: string })[];
  /** 0..1: 0.4·completeness + 0.4·accuracy + 0.2·clarity. */
  confidence: number;
  has_sufficient_info: boolean;
  needs_disclaimer: boolean;
  retrieval_source: RetrievalSource;
  /** The question the graph worked on (after follow-up resolution and clarifications). */
  resolved_query: string;
  processing_time_ms: number;
  trace: AnswerTrace;
  /** Present when the question was flagged, the answer withheld or a source flagged (docs/security.md). */
  guardrail?: GuardrailMeta;
}

/** Body of a clarification (HTTP) and of a WebSocket `clarification` frame (with `type`). */
export interface ClarificationBody {
  session_id: string;
  clarification_needed: true;
  clarification_question: string;
  options: { id: string; label: string; source_count: number }[];
  allow_custom_input: true;
  interaction_count: number;
}

/**
 * Frames the server sends on `/ws/chat/:session_id`: a graph node's progress while a turn runs
 * (`step` is the node name, e.g. "analyze_query", "retrieve", "generate"), the answer's text as it
 * is written (`token` deltas; `reset` discards what was streamed: agents/graph/streaming.ts), then
 * the turn's answer (authoritative) or clarification; `error` for a rejected frame or a failed turn (the socket stays open); `pong`.
 * Frames of a turn carry the `turn_id` its question or response frame gave; the clarification
 * resent on connect carries none.
 */
export type WsServerFrame =
  | { type: "progress"; step: string; message: string; turn_id?: string }
  | { type: "token"; delta: string; turn_id?: string }
  | { type: "reset"; turn_id?: string }
  | ({ type: "answer"; turn_id?: string } & ChatAnswer)
  | ({ type: "clarification"; turn_id?: string } & ClarificationBody)
  | { type: "error"; code: string; message: string; turn_id?: string; /** Seconds to wait, with `rate_limited` and `quota_exceeded` (until the next UTC midnight). */ retry_after_s?: number }
  | { type: "pong" };

/** Input of a turn: a new question, or the answer to a pending clarification. */
export type TurnInput =
  | { kind: "question"; query: string; search_scope?: SearchScope }
  | { kind: "response"; selected_option?: string; custom_input?: string };

/** What a turn produced and what the session must store. */
export interface TurnResult {
  outcome: { type: "answer"; body: ChatAnswer } | { type: "clarification"; body: ClarificationBody };
  /** Messages to append to the conversation. */
  messages: ChatMessage[];
  /** The interrupted graph state to keep, or null to clear it. */
  pending: GraphState | null;
  retrievedCount: number;
  /**
   * Model calls and their tokens made by this turn (not by the turns before a clarification),
   * for the daily caps (worker/services/model-quota.ts); 0 with offline models.
   */
  usage: Usage;
}

/** Everything a turn needs. */
export interface TurnContext {
  env: Env;
  providers: Providers;
  models?: GraphModels;
  webSearch: WebSearch | null;
  sessionId: string;
  history: readonly PriorTurn[];
  pending: GraphState | null;
  onProgress?: (step: string, message: string) => void | Promise<void>;
  /** Receives the answer's text while it is written (streaming callers: SSE, WebSocket). */
  tokens?: TokenSink;
  /** Cancels the turn (the stream's reader went away): the turn then throws and stores nothing. */
  signal?: AbortSignal;
}

function snippet(text: string): string {
  const flat = text.replace(/```[a-z]*\n?/g, " ").replace(/\s+/g, " ").trim();
  return flat.length <= SNIPPET_CHARS ? flat : flat.slice(0, SNIPPET_CHARS - 1).replace(/\s+\S*$/, "") + "…";
}

const ROLE_OF: Record<MessageKind, ChatMessage["role"]> = { question: "user", clarification_answer: "user", clarification: "assistant", answer: "assistant" };

function message(kind: MessageKind, content: string, sources: MessageSource[] = [], resolved: string | null = null): ChatMessage {
  return { id: crypto.randomUUID(), role: ROLE_OF[kind], kind, content, sources, created_at: new Date().toISOString(), resolved_query: resolved, meta: null };
}

/** The stored message of an answer, with its metadata. */
function answerMessage(answer: ChatAnswer): ChatMessage {
  const meta: AnswerMeta = {
    route: answer.trace.router.route, retrieval_source: answer.retrieval_source, confidence: answer.confidence,
    has_sufficient_info: answer.has_sufficient_info, processing_time_ms: answer.processing_time_ms,
    ...(answer.guardrail ? { guardrail: answer.guardrail } : {}),
  };
  return { ...message("answer", answer.response, answer.sources), id: answer.message_id, meta };
}

/** The public body of a clarification (HTTP answer, WebSocket frame, pending clarification of a session). */
export function clarificationBody(sessionId: string, c: NonNullable<GraphState["clarification"]>): ClarificationBody {
  return {
    session_id: sessionId, clarification_needed: true, clarification_question: c.clarification_question,
    options: c.options.map(({ id, label, source_count }) => ({ id, label, source_count })), allow_custom_input: true,
    interaction_count: c.interaction_count,
  };
}

function emptyTrace(router: RouterDecision): AnswerTrace {
  return {
    router, node_sequence: [], analysis: null, interaction_count: 0, sub_questions: [], parallel_groups: [], synthesis_guide: "",
    rewritten_queries: [], retry_count: 0, correction_triggered: false, web_search_triggered: false, initial_avg_relevance: null,
    final_avg_relevance: null, relevance: [], sufficiency: null, sub_sufficiency: [], quality: null, total_llm_calls: 0, total_llm_tokens: 0, timings_ms: {},
  };
}

const NO_USAGE: Usage = Object.freeze({ calls: 0, tokens: 0 });

/** Runs one turn. Throws ApiError 422 for a clarification answer without a pending clarification. */
export async function runChatTurn(input: TurnInput, ctx: TurnContext): Promise<TurnResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const models = ctx.models ?? offlineModels;
  const messages: ChatMessage[] = [];

  let state: GraphState;
  let router: RouterDecision;
  let hasContext = false;
  // Instruction-like text in the question is flagged and left out of what the graph answers.
  let screen = { flagged: false, reasons: [] as GuardrailMeta["reasons"] };
  if (input.kind === "response" && input.custom_input) {
    const s = screenQuestion(input.custom_input);
    screen = s;
    if (s.flagged) input = { ...input, custom_input: s.query ?? undefined };
  }
  if (input.kind === "response") {
    if (!ctx.pending) applyClarificationAnswer(initialState(""), input); // throws the 422
    state = applyClarificationAnswer(ctx.pending!, input);
    messages.push(message("clarification_answer", input.custom_input?.trim() || state.clarification_answers.at(-1)!));
    router = routeQuery(state.question);
    hasContext = true;
  } else {
    const s = screenQuestion(input.query);
    screen = s;
    if (s.query === null) {
      const response = INSTRUCTIONS_ONLY_MESSAGE;
      const answer: ChatAnswer = {
        session_id: ctx.sessionId, message_id: crypto.randomUUID(), response, sources: [], confidence: 0,
        has_sufficient_info: false, needs_disclaimer: true, retrieval_source: "hybrid", resolved_query: "",
        processing_time_ms: elapsed(), trace: emptyTrace(routeQuery("")), guardrail: guardrailMeta(s, { blocked: false, reasons: [] }, []),
      };
      if (ctx.tokens) await new TokenRecorder(ctx.tokens).finish(response);
      return { outcome: { type: "answer", body: answer }, messages: [message("question", input.query), answerMessage(answer)], pending: null, retrievedCount: 0, usage: NO_USAGE };
    }
    const question = input.query;
    input = { ...input, query: s.query };
    router = routeQuery(input.query);
    console.log(JSON.stringify({ level: "info", event: "router", session_id: ctx.sessionId, ...router }));
    if (router.route === "math") {
      await ctx.onProgress?.("math_agent", "Calculating");
      const result = solveMath(input.query);
      const headline = !result.ok ? "" : result.kind === "equation" ? `${result.expression} → ${result.result}` : `${result.expression} = ${result.result}`;
      const response = result.ok
        ? [headline, ...(result.steps.length > 1 ? ["", "Steps:", ...result.steps.map((s, i) => `${i + 1}. ${s}`)] : [])].join("\n")
        : `I could not calculate that: ${result.error.message}`;
      const answer: ChatAnswer = {
        session_id: ctx.sessionId, message_id: crypto.randomUUID(), response, sources: [], confidence: result.ok ? 1 : 0,
        has_sufficient_info: result.ok, needs_disclaimer: !result.ok, retrieval_source: "math", resolved_query: input.query,
        processing_time_ms: elapsed(), trace: emptyTrace(router),
      };
      if (ctx.tokens) await new TokenRecorder(ctx.tokens).finish(response);
      if (screen.flagged) answer.guardrail = guardrailMeta(screen, { blocked: false, reasons: [] }, []);
      return { outcome: { type: "answer", body: answer }, messages: [message("question", question), answerMessage(answer)], pending: null, retrievedCount: 0, usage: NO_USAGE };
    }
    const resolved = resolveFollowUp(input.query, ctx.history);
    hasContext = resolved !== input.query;
    state = initialState(resolved, input.search_scope);
    messages.push(message("question", question, [], resolved));
  }

  // The state carries the totals of the turns before a clarification: this turn's usage is the difference.
  const before: Usage = { calls: state.total_llm_calls, tokens: state.total_llm_tokens ?? 0 };
  // Query embeddings by a model count too (one call per request, tokens estimated).
  const embedding = countingEmbedder(ctx.providers.embedder);
  const usageOf = (s: GraphState): Usage => {
    const e = embedding.usage();
    return { calls: s.total_llm_calls - before.calls + e.calls, tokens: (s.total_llm_tokens ?? 0) - before.tokens + e.tokens };
  };
  const outcome = await runGraph(state, {
    env: ctx.env, providers: { ...ctx.providers, embedder: embedding.embedder }, models, webSearch: ctx.webSearch, hasContext, onProgress: ctx.onProgress, tokens: ctx.tokens, signal: ctx.signal,
  });

  if (outcome.kind === "interrupt") {
    const c = outcome.state.clarification!;
    const body = clarificationBody(ctx.sessionId, c);
    messages.push(message("clarification", c.clarification_question));
    return { outcome: { type: "clarification", body }, messages, pending: outcome.state, retrievedCount: outcome.state.documents.length, usage: usageOf(outcome.state) };
  }

  const s = outcome.state;
  // The output filter's last word over any generator (guarded ones already withheld such answers).
  const output = checkAnswer(s.response ?? "", configuredSecrets(ctx.env));
  const guardrail = guardrailMeta(screen, output, flaggedSources(outcome.sources));
  const sources = outcome.sources.map((src: AnswerSource) => ({
    index: src.index, title: src.title, source: src.source, heading: src.heading, snippet: snippet(src.content), score: src.score,
    ...(src.chunk_id ? { chunk_id: src.chunk_id, document_id: src.document_id } : {}),
    ...(src.web ? { web: true as const, url: src.url } : {}),
  }));
  const answer: ChatAnswer = {
    session_id: ctx.sessionId,
    message_id: crypto.randomUUID(),
    response: output.response,
    sources,
    confidence: outcome.confidence,
    has_sufficient_info: s.has_sufficient_info ?? false,
    needs_disclaimer: outcome.needs_disclaimer,
    retrieval_source: s.web_results.length > 0 ? "hybrid+web" : "hybrid",
    resolved_query: s.question,
    processing_time_ms: elapsed(),
    trace: {
      router, node_sequence: s.node_sequence, analysis: s.analysis ?? null, interaction_count: s.interaction_count,
      sub_questions: s.sub_questions, parallel_groups: s.parallel_groups, synthesis_guide: s.synthesis_guide,
      rewritten_queries: s.rewritten_queries, retry_count: s.retry_count, correction_triggered: s.correction_triggered,
      web_search_triggered: s.web_search_triggered, initial_avg_relevance: s.initial_avg_relevance,
      final_avg_relevance: s.final_avg_relevance, relevance: s.grades, sufficiency: s.sufficiency ?? null, sub_sufficiency: s.sub_sufficiency, quality: s.quality ?? null,
      total_llm_calls: s.total_llm_calls, total_llm_tokens: s.total_llm_tokens ?? 0, timings_ms: s.timings_ms,
    },
    ...(guardrail ? { guardrail } : {}),
  };
  messages.push(answerMessage(answer));
  return { outcome: { type: "answer", body: answer }, messages, pending: null, retrievedCount: s.documents.length, usage: usageOf(s) };
}
