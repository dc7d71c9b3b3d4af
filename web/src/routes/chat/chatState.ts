/**
 * The chat page's conversation state as a pure reducer: what is shown (entries), the turn in
 * flight (with its progress steps), and how server frames are tied to turns:
 *
 * - Every question and response carries a client turn id (`turn_id`), which the server echoes on
 *   every frame of that turn. Frames of another turn (one the user stopped, or any stale one) are
 *   dropped.
 * - A clarification frame without a turn id is the server's resend of the pending clarification on
 *   (re)connect: it is added only when no turn runs and the same clarification is not shown already.
 *   An error frame without a turn id rejected a frame the server could not read: it ends the turn.
 * - After a reconnect, frames of the old connection are lost: a turn sent over the old connection
 *   is marked interrupted (its answer is stored with the session).
 *
 * No I/O here: the page's controller (chatController.ts) makes turn ids, sends frames and
 * dispatches actions.
 */
import type { ChatAnswer, ClarificationBody, WsServerFrame } from "../../../../worker/services/chat";
import type { ChatMessage, AnswerMeta as StoredAnswerMeta } from "../../../../worker/services/messages";

/** A cited source of an answer (knowledge-base chunk or web result). */
export type Source = ChatAnswer["sources"][number];

/** What a clarification shows (a frame's body, or the pending clarification of GET /api/chat/:session_id). */
export type Clarification = Pick<ClarificationBody, "clarification_question" | "options" | "allow_custom_input" | "interaction_count">;

/** What an answer told besides its text: the stored metadata, plus what only a live answer frame tells. */
export interface AnswerMeta extends StoredAnswerMeta {
  /** Client-measured ms from sending the question to receiving the answer; null for answers loaded from history. */
  latency_ms: number | null;
  /** Whether the answer should carry a disclaimer (live answers only; not stored). */
  needs_disclaimer?: boolean;
}

/** One item of the conversation. */
export type Entry =
  | {
      kind: "user";
      key: string;
      text: string;
      /** "question": a new question; "response": the answer to a clarification. */
      role: "question" | "response";
    }
  | {
      kind: "answer";
      key: string;
      /** Id of the stored assistant message (for feedback). */
      messageId: string;
      text: string;
      sources: Source[];
      /** Null for stored answers kept before answers had metadata. */
      meta: AnswerMeta | null;
    }
  | {
      kind: "clarification";
      key: string;
      /** {@link clarificationKey} of the body: equal for the server's resend of the same clarification. */
      identity: string;
      body: Clarification;
      /** What the user answered (option label or free text), null while open or when not answered. */
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
  /** The client turn id sent as `turn_id`; the server echoes it on the turn's frames. */
  id: string;
  kind: "question" | "response";
  /** Send time (performance.now() ms) for the client-measured latency. */
  startedAt: number;
  steps: Step[];
  /** The answer's text streamed so far (`token` frames; a `reset` frame empties it); the `answer` frame replaces it. */
  draft: string;
  /** Connection epoch the frame went out on, or null when it waited in the outbox. */
  sentEpoch: number | null;
}

/** The whole conversation state. */
export interface ChatState {
  entries: Entry[];
  turn: Turn | null;
  /** The last question asked, for Retry. */
  lastQuestion: string | null;
  /** Connections opened so far (0 before the first open). */
  epoch: number;
  /** Counter for entry keys. */
  seq: number;
}

/**
 * Actions of {@link reduce}. `now` is performance.now() ms and `turnId` a fresh client turn id
 * (chatController.ts), both given by the caller to keep the reducer pure.
 */
export type ChatAction =
  | { type: "history"; messages: ChatMessage[]; pending: Clarification | null }
  | { type: "ask"; query: string; turnId: string; now: number; connected: boolean }
  | { type: "respond"; clarificationKey: string; label: string; turnId: string; now: number; connected: boolean }
  | { type: "frame"; frame: WsServerFrame; now: number }
  | { type: "stop" }
  | { type: "opened" };

/** The state of an empty conversation. */
export function initialChatState(): ChatState {
  return { entries: [], turn: null, lastQuestion: null, epoch: 0, seq: 0 };
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
 * Entries of a stored conversation, by each message's kind. A stored clarification shows its
 * question and the answer that followed it; the pending clarification, if any, replaces the last
 * stored one with its options.
 */
export function entriesFromHistory(messages: readonly ChatMessage[], pending: Clarification | null): Entry[] {
  const entries = messages.map((m, i): Entry => {
    switch (m.kind) {
      case "question":
      case "clarification_answer":
        return { kind: "user", key: m.id, text: m.content, role: m.kind === "question" ? "question" : "response" };
      case "answer":
        return { kind: "answer", key: m.id, messageId: m.id, text: m.content, sources: m.sources, meta: m.meta && { ...m.meta, latency_ms: null } };
      case "clarification": {
        const next = messages[i + 1];
        return {
          kind: "clarification", key: m.id, identity: m.id, answer: next?.kind === "clarification_answer" ? next.content : null,
          body: { clarification_question: m.content, options: [], allow_custom_input: true, interaction_count: -1 },
        };
      }
    }
  });
  if (pending) {
    const last = entries.at(-1);
    const open: Entry = { kind: "clarification", key: last?.key ?? "pending", identity: clarificationKey(pending), body: pending, answer: null };
    if (last?.kind === "clarification") entries[entries.length - 1] = open;
    else entries.push(open);
  }
  return entries;
}

/** The conversation's next state. */
export function reduce(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "history": {
      const entries = entriesFromHistory(action.messages, action.pending);
      const lastQuestion = entries.findLast((e) => e.kind === "user" && e.role === "question");
      return { ...state, entries, turn: null, lastQuestion: lastQuestion?.kind === "user" ? lastQuestion.text : null };
    }
    case "ask": {
      if (state.turn) return state;
      const next = withEntry(state, { kind: "user", text: action.query, role: "question" });
      return { ...next, lastQuestion: action.query, turn: newTurn(state, "question", action) };
    }
    case "respond": {
      if (state.turn) return state;
      const entries = state.entries.map((e) => (e.kind === "clarification" && e.key === action.clarificationKey && e.answer === null ? { ...e, answer: action.label } : e));
      const next = withEntry({ ...state, entries }, { kind: "user", text: action.label, role: "response" });
      return { ...next, turn: newTurn(state, "response", action) };
    }
    case "stop": {
      // The turn's frames still to come carry its id, which is no longer the current turn's: they are dropped.
      if (!state.turn) return state;
      const next = withEntry(state, { kind: "notice", tone: "stopped", text: "Stopped. The server may still finish this answer; it will appear when you reload the conversation." });
      return { ...next, turn: null };
    }
    case "opened": {
      const epoch = state.epoch + 1;
      const t = state.turn;
      if (t && t.sentEpoch !== null) {
        const next = withEntry(state, {
          kind: "notice", tone: "interrupted",
          text: "The connection was lost while this answer was being prepared. It is stored with the conversation: reload the conversation to see it.",
        });
        return { ...next, epoch, turn: null };
      }
      // A turn whose frame waited in the outbox went out on this connection.
      return { ...state, epoch, turn: t && { ...t, sentEpoch: epoch } };
    }
    case "frame":
      return onFrame(state, action.frame, action.now);
  }
}

function newTurn(state: ChatState, kind: Turn["kind"], a: { turnId: string; now: number; connected: boolean }): Turn {
  return { id: a.turnId, kind, startedAt: a.now, steps: [], draft: "", sentEpoch: a.connected ? state.epoch : null };
}

function onFrame(state: ChatState, frame: WsServerFrame, now: number): ChatState {
  if (frame.type === "pong") return state;
  const turn = state.turn;
  const current = turn !== null && frame.turn_id === turn.id;
  switch (frame.type) {
    case "progress":
      return current ? { ...state, turn: { ...turn, steps: [...turn.steps, { step: frame.step, message: frame.message }] } } : state;
    case "token":
      return current ? { ...state, turn: { ...turn, draft: turn.draft + frame.delta } } : state;
    case "reset":
      return current ? { ...state, turn: { ...turn, draft: "" } } : state;
    case "answer": {
      if (!current) return state;
      const { type: _type, turn_id: _id, ...a } = frame;
      const meta: AnswerMeta = {
        route: a.trace.router.route, retrieval_source: a.retrieval_source, confidence: a.confidence, has_sufficient_info: a.has_sufficient_info,
        processing_time_ms: a.processing_time_ms, needs_disclaimer: a.needs_disclaimer, latency_ms: Math.max(0, Math.round(now - turn.startedAt)),
      };
      const next = withEntry(state, { kind: "answer", key: `m:${a.message_id}`, messageId: a.message_id, text: a.response, sources: a.sources, meta });
      return { ...next, turn: null };
    }
    case "clarification": {
      const { type: _type, turn_id: id, ...body } = frame;
      const identity = clarificationKey(body);
      if (current) return { ...withEntry(state, { kind: "clarification", identity, body, answer: null }), turn: null };
      // Without a turn id it is the server's resend of the pending clarification on connect: shown
      // once, and not while a turn (which replaces or answers it) runs.
      if (id !== undefined || turn || state.entries.some((e) => e.kind === "clarification" && e.identity === identity)) return state;
      return withEntry(state, { kind: "clarification", identity, body, answer: null });
    }
    case "error": {
      // An error without a turn id rejected a frame the server could not read (the running turn's).
      if (!current && !(turn && frame.turn_id === undefined)) return state;
      const next = withEntry(state, { kind: "notice", tone: "error", text: frame.message || "Something went wrong." });
      return { ...next, turn: null };
    }
  }
}

/** Figures of the stats panel. */
export interface SessionStats {
  /** Questions in this conversation (stored ones included; answers to clarifications are not questions). */
  questions: number;
  /** Answers with metadata (stored and live): what agents, server time and refusals cover. */
  answers: number;
  /** Stored answers kept before answers had metadata (counted nowhere else). */
  answersWithoutMeta: number;
  /** Answers received in this tab: what the client-measured latency covers. */
  liveAnswers: number;
  /** Answers per router route. */
  routes: Record<string, number>;
  /** Mean client-measured latency of the answers received in this tab, ms; null without any. */
  avgLatencyMs: number | null;
  /** Mean server processing time of all answers with metadata, ms; null without any. */
  avgServerMs: number | null;
  /** Share of answers with has_sufficient_info === false; null without any. */
  refusalRate: number | null;
}

const mean = (xs: number[]): number | null => (xs.length ? Math.round(xs.reduce((s, x) => s + x, 0) / xs.length) : null);

/** The stats panel's figures for the current state. */
export function sessionStats(state: ChatState): SessionStats {
  let questions = 0;
  let answersWithoutMeta = 0;
  const metas: AnswerMeta[] = [];
  for (const e of state.entries) {
    if (e.kind === "user" && e.role === "question") questions++;
    else if (e.kind === "answer") {
      if (e.meta) metas.push(e.meta);
      else answersWithoutMeta++;
    }
  }
  const routes: Record<string, number> = {};
  for (const m of metas) routes[m.route] = (routes[m.route] ?? 0) + 1;
  const latencies = metas.flatMap((m) => (m.latency_ms === null ? [] : [m.latency_ms]));
  return {
    questions,
    answers: metas.length,
    answersWithoutMeta,
    liveAnswers: latencies.length,
    routes,
    avgLatencyMs: mean(latencies),
    avgServerMs: mean(metas.map((m) => m.processing_time_ms)),
    refusalRate: metas.length ? metas.filter((m) => !m.has_sufficient_info).length / metas.length : null,
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
