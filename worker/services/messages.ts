/**
 * The stored shapes of a conversation, shared by the chat turn (worker/services/chat.ts) and the
 * ChatSession Durable Object that persists them.
 */

/** A cited source as stored with an assistant message. */
export interface MessageSource {
  index: number;
  title: string;
  source: string;
  heading: string;
  snippet: string;
  score: number;
  /** The cited chunk and its document (absent for web results and for messages stored before they were kept). */
  chunk_id?: string;
  document_id?: string;
  web?: true;
  url?: string;
}

/**
 * What a message is in the conversation: a user's `question` or `clarification_answer` (an option
 * or free text given to a clarification), the assistant's `clarification` question or `answer`.
 */
export type MessageKind = "question" | "clarification_answer" | "clarification" | "answer";

/** What an answer told besides its text, kept with the stored message (absent on other kinds). */
export interface AnswerMeta {
  /** The router's route: "knowledge" or "math". */
  route: string;
  retrieval_source: "hybrid" | "hybrid+web" | "math";
  /** 0..1 */
  confidence: number;
  /** False when the knowledge base did not cover the question (an honest refusal). */
  has_sufficient_info: boolean;
  /** Server time of the turn, ms. */
  processing_time_ms: number;
  /** The turn's guardrail findings, when there were any (worker/guardrails/answer.ts). */
  guardrail?: import("../guardrails/answer.ts").GuardrailMeta;
}

/** A stored message. `created_at` is an ISO-8601 timestamp. */
export interface ChatMessage {
  id: string;
  role: "user" | "assistant";
  kind: MessageKind;
  content: string;
  sources: MessageSource[];
  created_at: string;
  /** For user messages: the query used for retrieval after follow-up resolution. */
  resolved_query: string | null;
  /** For answers: their metadata (null for other kinds and for answers stored before it was kept). */
  meta: AnswerMeta | null;
}
