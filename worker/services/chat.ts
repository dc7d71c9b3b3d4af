/**
 * One chat turn: resolve follow-ups against the session, retrieve, generate a cited answer,
 * score confidence, and store the turn in the session's Durable Object.
 */
import type { ChatMessage, ChatSession, MessageSource } from "../../durable-objects/chat-session";
import type { Providers } from "../config";
import { resolveFollowUp } from "../rag/followup";
import { ExtractiveGenerator } from "../rag/generation/extractive";
import type { GeneratedAnswer, SourceChunk } from "../rag/generation/types";
import type { SearchScope } from "../schemas";
import { diversify } from "./chat-sources";
import { hybridSearch, type RetrievedChunk } from "./retrieve";

/** Sources offered to the generator. */
export const CHAT_TOP_K = 5;
/** Chunks retrieved before choosing the sources, and the most sources taken from one document. */
const CHAT_CANDIDATES = 15;
const MAX_SOURCES_PER_DOCUMENT = 2;


/** Earlier messages read for follow-up resolution. */
const HISTORY_MESSAGES = 6;
/** Characters of a source shown as its snippet. */
const SNIPPET_CHARS = 300;

/** Body of a `POST /api/chat` answer. */
export interface ChatAnswer {
  session_id: string;
  message_id: string;
  response: string;
  sources: MessageSource[];
  /** 0..1, see `confidenceOf`. */
  confidence: number;
  has_sufficient_info: boolean;
  needs_disclaimer: boolean;
  retrieval_source: "hybrid";
  /** The query used for retrieval (differs from the question for follow-ups). */
  resolved_query: string;
  processing_time_ms: number;
}

/** Stub of the session's Durable Object. */
export function sessionStub(env: Env, sessionId: string): DurableObjectStub<ChatSession> {
  const ns = env.CHAT_SESSION as unknown as DurableObjectNamespace<ChatSession>;
  return ns.get(ns.idFromName(sessionId));
}

/**
 * Confidence in 0..1: 0.7 × query-term coverage of the cited text + 0.3 × the share of cited
 * sources found by both the lexical and the vector retriever (agreement). An answer without
 * sufficient information is capped at 0.3.
 */
export function confidenceOf(answer: GeneratedAnswer, retrieved: readonly RetrievedChunk[]): number {
  const cited = answer.citedIndexes.map((i) => retrieved[i - 1]).filter(Boolean);
  const agreement = cited.length === 0 ? 0 : cited.filter((c) => c.lexical_rank !== null && c.vector_rank !== null).length / cited.length;
  const value = 0.7 * answer.coverage + 0.3 * agreement;
  const capped = answer.hasSufficientInfo ? value : Math.min(value, 0.3);
  return Math.round(capped * 1000) / 1000;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= SNIPPET_CHARS ? flat : flat.slice(0, SNIPPET_CHARS - 1).replace(/\s+\S*$/, "") + "…";
}

/** Answers `query` in session `sessionId` (created on first use). */
export async function answerQuestion(
  env: Env,
  p: Providers,
  query: string,
  sessionId: string,
  scope?: SearchScope,
): Promise<{ answer: ChatAnswer; retrievedCount: number }> {
  const started = performance.now();
  const stub = sessionStub(env, sessionId);
  const history = await stub.messages(HISTORY_MESSAGES);
  const resolved = resolveFollowUp(query, history);

  const retrieval = await hybridSearch(env, p, resolved, CHAT_CANDIDATES, scope);
  const chosen = diversify(retrieval.results, CHAT_TOP_K, MAX_SOURCES_PER_DOCUMENT);
  const sources: SourceChunk[] = chosen.map((r, i) => ({
    index: i + 1, title: r.title, source: r.source, heading: r.heading, content: r.content, score: r.score,
  }));

  let generated: GeneratedAnswer;
  try {
    generated = await p.generator.generate(resolved, sources);
  } catch (e) {
    // A failing model provider degrades to the offline generator rather than failing the turn.
    console.error(JSON.stringify({ level: "warn", message: "generator failed, using offline fallback", provider: p.generator.name, error: String(e) }));
    generated = await new ExtractiveGenerator().generate(resolved, sources);
  }

  const confidence = confidenceOf(generated, chosen);
  const messageSources: MessageSource[] = sources.map((s) => ({
    index: s.index, title: s.title, source: s.source, heading: s.heading, snippet: snippet(s.content), score: s.score,
  }));
  const now = new Date().toISOString();
  const messageId = crypto.randomUUID();
  const userMessage: ChatMessage = { id: crypto.randomUUID(), role: "user", content: query, sources: [], created_at: now, resolved_query: resolved };
  const assistantMessage: ChatMessage = { id: messageId, role: "assistant", content: generated.response, sources: messageSources, created_at: now, resolved_query: null };
  await stub.append([userMessage, assistantMessage]);

  return {
    retrievedCount: chosen.length,
    answer: {
      session_id: sessionId,
      message_id: messageId,
      response: generated.response,
      sources: messageSources,
      confidence,
      has_sufficient_info: generated.hasSufficientInfo,
      needs_disclaimer: !generated.hasSufficientInfo || confidence < 0.6,
      retrieval_source: "hybrid",
      resolved_query: resolved,
      processing_time_ms: Math.round(performance.now() - started),
    },
  };
}
