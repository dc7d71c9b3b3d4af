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

/** A stored message. `created_at` is an ISO-8601 timestamp. */
export interface ChatMessage {
  id: string;
  role: "user" | "assistant";
  content: string;
  sources: MessageSource[];
  created_at: string;
  /** For user messages: the query used for retrieval after follow-up resolution. */
  resolved_query: string | null;
}
