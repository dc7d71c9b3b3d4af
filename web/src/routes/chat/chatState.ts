/**
 * The chat page's conversation state as a pure reducer: what is shown (entries), the turn in
 * flight (with its progress steps), and the bookkeeping that ties server frames to turns:
 *
 * - The server runs a session's turns one after another on one socket, so frames arrive in turn
 *   order. A turn the user stopped still ends with an answer, clarification or error frame;
 *   `discard` counts those results still to come and drops them (with their progress frames).
 * - A clarification frame that arrives without a running turn that has shown progress is the
 *   server's resend of the pending clarification on (re)connect: it is added only when the same
 *   clarification is not shown already.
 * - After a reconnect, frames of the old connection are lost: `discard` restarts at 0 and a turn
 *   sent over the old connection is marked interrupted (its answer is stored with the session).
 *
 * No I/O here: the page's controller (chatController.ts) sends frames and dispatches actions.
 */
import type { ChatAnswer, ClarificationBody, WsServerFrame } from "../../../../worker/services/chat";
import type { ChatMessage } from "../../../../worker/services/messages";

/** A cited source of an answer (knowledge-base chunk or web result). */
export type Source = ChatAnswer["sources"][number];

/** What a clarification shows (a frame's body, or the pending clarification of GET /api/chat/:session_id). */
export type Clarification = Pick<ClarificationBody, "clarification_question" | "options" | "allow_custom_input" | "interaction_count">;

/** What only a live answer frame tells (stored messages keep none of it). */
export interface AnswerMeta {
  /** The router's route ("knowledge", "math", …). */
  route: string;
  retrieval_source: ChatAnswer["retrieval_source"];
  confidence: number;
  has_sufficient_info: boolean;
  needs_disclaimer: boolean;
  /** Client-measured ms from sending the question to receiving the answer. */
  latency_ms: number;
  /** Server-measured ms of the turn. */
  processing_time_ms: number;
}

/** One item of the conversation. */
export type Entry =
  | {
      kind: "user";
      key: string;
      text: string;
      /** "question": a new question; "response": the answer to a clarification (estimated for stored messages). */
      role: "question" | "response";
    }
  | {
      kind: "answer";
      key: string;
      /** Id of the stored assistant message (for feedback). */
      messageId: string;
      text: string;
      sources: Source[];
      /** Null for answers loaded from history. */
      meta: AnswerMeta | null;
    }
  | {
      kind: "clarification";
      key: string;
      /** {@link clarificationKey} of the body: equal for the server's resend of the same clarification. */
      identity: string;
      body: Clarification;
      /** What the user answered (option label or free text), null while open. */
      answer: string | null;
    }
  | {
      kind: "notice";
      key: string;
      tone: "error" | "stopped" | "interrupted";
      text: string;
    };

/** A progress step of the running turn (a graph node). */
export interface Step {
  step: string;
  message: string;
}

/** The turn in flight. */
export interface Turn {
  kind: "question" | "response";
  /** Send time (performance.now() ms) for the client-measured latency. */
  startedAt: number;
  steps: Step[];
  /** Connection epoch the frame went out on, or null when it waited in the outbox. */
  sentEpoch: number | null;
}

/** The whole conversation state. */
export interface ChatState {
  entries: Entry[];
  turn: Turn | null;
  /** Results of stopped turns still to arrive (dropped when they do). */
  discard: number;
  /** Stopped turns whose frame still waits in the outbox: their results count from the next connection on. */
  discardQueued: number;
  /** The last question asked, for Retry. */
  lastQuestion: string | null;
  /** Connections opened so far (0 before the first open). */
  epoch: number;
  /** Counter for entry keys. */
  seq: number;
}

/** Actions of {@link reduce}. `now` is performance.now() ms, given by the caller to keep the reducer pure. */
export type ChatAction =
  | { type: "history"; messages: ChatMessage[]; pending: Clarification | null }
  | { type: "ask"; query: string; now: number; connected: boolean }
  | { type: "respond"; clarificationKey: string; label: string; now: number; connected: boolean }
  | { type: "frame"; frame: WsServerFrame; now: number }
  | { type: "stop" }
  | { type: "opened" };

/** The state of an empty conversation. */
export function initialChatState(): ChatState {
  return { entries: [], turn: null, discard: 0, discardQueued: 0, lastQuestion: null, epoch: 0, seq: 0 };
}

/** Identity of a clarification: the same round with the same question and options is the same clarification. */
export function clarificationKey(body: Clarification): string {
  return `clar:${body.interaction_count}:${body.clarification_question}:${body.options.map((o) => o.id).join(",")}`;
}

/** The clarification waiting for an answer: the last entry when it is an unanswered clarification. */
export function openClarification(state: ChatState): Extract<Entry, { kind: "clarification" }> | null {
  const last = state.entries.at(-1);
  return last?.kind === "clarification" && last.answer === null ? last : null;
}

/** An entry before it gets its key. */
type NewEntry = Entry extends infer E ? (E extends Entry ? Omit<E, "key"> & { key?: string } : never) : never;

function withEntry(state: ChatState, entry: NewEntry): ChatState {
  const key = entry.key ?? `e${state.seq}`;
  return { ...state, entries: [...state.entries, { ...entry, key } as Entry], seq: state.seq + 1 };
}

/**
 * Whether a stored user message answered a clarification: it follows an assistant message that
 * asked a question, cited nothing, and the user message has no resolved query (new questions
 * keep theirs; calculations do not, but their answers do not end in "?"). An estimate: stored
 * messages do not record their kind.
 */
export function isStoredClarificationAnswer(messages: readonly ChatMessage[], i: number): boolean {
  const m = messages[i];
  const prev = messages[i - 1];
  return !!m && m.role === "user" && m.resolved_query === null && prev?.role === "assistant" && prev.sources.length === 0 && prev.content.trim().endsWith("?");
}

/** Entries of a stored conversation; the pending clarification, if any, replaces its stored question. */
export function entriesFromHistory(messages: readonly ChatMessage[], pending: Clarification | null): Entry[] {
  const entries: Entry[] = messages.map((m, i): Entry =>
    m.role === "user"
      ? { kind: "user", key: m.id, text: m.content, role: isStoredClarificationAnswer(messages, i) ? "response" : "question" }
      : { kind: "answer", key: m.id, messageId: m.id, text: m.content, sources: m.sources, meta: null },
  );
  // A stored question that a later user message answered was a clarification, not an answer to rate.
  for (let i = 0; i < entries.length; i++) {
    const next = entries[i + 1];
    if (entries[i]!.kind === "answer" && next?.kind === "user" && next.role === "response") {
      const e = entries[i] as Extract<Entry, { kind: "answer" }>;
      entries[i] = {
        kind: "clarification", key: e.key, identity: e.key, answer: next.text,
        body: { clarification_question: e.text, options: [], allow_custom_input: true, interaction_count: -1 },
      };
    }
  }
  const last = messages.at(-1);
  if (pending) {
    const open: Entry = { kind: "clarification", key: last?.id ?? "pending", identity: clarificationKey(pending), body: pending, answer: null };
    if (last?.role === "assistant" && last.content === pending.clarification_question) entries[entries.length - 1] = open;
    else entries.push(open);
  }
  return entries;
}

/** The conversation's next state. */
export function reduce(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "history": {
      const entries = entriesFromHistory(action.messages, action.pending);
      const lastQuestion = [...entries].reverse().find((e) => e.kind === "user" && e.role === "question");
      return { ...state, entries, turn: null, lastQuestion: lastQuestion?.kind === "user" ? lastQuestion.text : null };
    }
    case "ask": {
      if (state.turn) return state;
      const next = withEntry(state, { kind: "user", text: action.query, role: "question" });
      return {
        ...next,
        lastQuestion: action.query,
        turn: { kind: "question", startedAt: action.now, steps: [], sentEpoch: action.connected ? state.epoch : null },
      };
    }
    case "respond": {
      if (state.turn) return state;
      const entries = state.entries.map((e) => (e.kind === "clarification" && e.key === action.clarificationKey && e.answer === null ? { ...e, answer: action.label } : e));
      const next = withEntry({ ...state, entries }, { kind: "user", text: action.label, role: "response" });
      return { ...next, turn: { kind: "response", startedAt: action.now, steps: [], sentEpoch: action.connected ? state.epoch : null } };
    }
    case "stop": {
      if (!state.turn) return state;
      const next = withEntry(state, { kind: "notice", tone: "stopped", text: "Stopped. The server may still finish this answer; it will appear when you reload the conversation." });
      return state.turn.sentEpoch === null ? { ...next, turn: null, discardQueued: state.discardQueued + 1 } : { ...next, turn: null, discard: state.discard + 1 };
    }
    case "opened": {
      const epoch = state.epoch + 1;
      let next: ChatState = { ...state, epoch, discard: state.discardQueued, discardQueued: 0 };
      const t = state.turn;
      if (t && t.sentEpoch !== null && t.sentEpoch < epoch) {
        next = withEntry(next, {
          kind: "notice", tone: "interrupted",
          text: "The connection was lost while this answer was being prepared. It is stored with the conversation: reload the conversation to see it.",
        });
        next.turn = null;
      } else if (t && t.sentEpoch === null) {
        // It waited in the outbox and went out on this connection.
        next.turn = { ...t, sentEpoch: epoch };
      }
      return next;
    }
    case "frame":
      return onFrame(state, action.frame, action.now);
  }
}

function onFrame(state: ChatState, frame: WsServerFrame, now: number): ChatState {
  const turn = state.turn;
  switch (frame.type) {
    case "pong":
      return state;
    case "progress":
      if (state.discard > 0 || !turn) return state;
      return { ...state, turn: { ...turn, steps: [...turn.steps, { step: frame.step, message: frame.message }] } };
    case "answer": {
      if (state.discard > 0) return { ...state, discard: state.discard - 1 };
      if (!turn) return state;
      const { type: _type, ...a } = frame;
      const next = withEntry(state, {
        kind: "answer", key: `m:${a.message_id}`, messageId: a.message_id, text: a.response, sources: a.sources,
        meta: {
          route: a.trace?.router?.route ?? a.retrieval_source, retrieval_source: a.retrieval_source, confidence: a.confidence,
          has_sufficient_info: a.has_sufficient_info, needs_disclaimer: a.needs_disclaimer,
          latency_ms: Math.max(0, Math.round(now - turn.startedAt)), processing_time_ms: a.processing_time_ms,
        },
      });
      return { ...next, turn: null };
    }
    case "clarification": {
      // With results of stopped turns to come, this is one of them (a resend only follows a connect, which resets `discard`).
      if (state.discard > 0) return { ...state, discard: state.discard - 1 };
      const { type: _type, ...body } = frame;
      const identity = clarificationKey(body);
      if (turn && turn.steps.length > 0) {
        return { ...withEntry(state, { kind: "clarification", identity, body, answer: null }), turn: null };
      }
      // Otherwise it is the server's resend of the pending clarification on connect: shown once,
      // and not while a turn that will replace it waits for its first progress frame.
      if (turn || state.entries.some((e) => e.kind === "clarification" && e.identity === identity)) return state;
      return withEntry(state, { kind: "clarification", identity, body, answer: null });
    }
    case "error": {
      if (state.discard > 0) return { ...state, discard: state.discard - 1 };
      const next = withEntry(state, { kind: "notice", tone: "error", text: frame.message || "Something went wrong." });
      return { ...next, turn: null };
    }
  }
}

/** Figures of the stats panel. */
export interface SessionStats {
  /** Questions shown in this conversation (stored ones included). */
  questions: number;
  /** Answers received live in this tab (with trace data). */
  liveAnswers: number;
  /** Answers loaded from history (no trace, latency or confidence stored). */
  storedAnswers: number;
  /** Live answers per router route (or retrieval source). */
  routes: Record<string, number>;
  /** Mean client-measured latency of live answers, ms; null without any. */
  avgLatencyMs: number | null;
  /** Share of live answers with has_sufficient_info === false; null without any. */
  refusalRate: number | null;
}

/** The stats panel's figures for the current state. */
export function sessionStats(state: ChatState): SessionStats {
  let questions = 0;
  let storedAnswers = 0;
  const live: AnswerMeta[] = [];
  for (const e of state.entries) {
    if (e.kind === "user" && e.role === "question") questions++;
    else if (e.kind === "answer") {
      if (e.meta) live.push(e.meta);
      else storedAnswers++;
    }
  }
  const routes: Record<string, number> = {};
  for (const m of live) routes[m.route] = (routes[m.route] ?? 0) + 1;
  return {
    questions,
    liveAnswers: live.length,
    storedAnswers,
    routes,
    avgLatencyMs: live.length ? Math.round(live.reduce((s, m) => s + m.latency_ms, 0) / live.length) : null,
    refusalRate: live.length ? live.filter((m) => !m.has_sufficient_info).length / live.length : null,
  };
}

/** An inline `[n]` reference (n of 1–3 digits); {@link splitCitations} keeps only those that name a source. */
export const CITATION_PATTERN = /\[(\d{1,3})\]/g;

/** Splits text into plain runs and `[n]` references whose n is a source index. */
export function splitCitations(text: string, sourceIndexes: ReadonlySet<number>): (string | { index: number })[] {
  const parts: (string | { index: number })[] = [];
  let last = 0;
  for (const m of text.matchAll(CITATION_PATTERN)) {
    const n = Number(m[1]);
    if (!sourceIndexes.has(n)) continue;
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ index: n });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}
