/**
 * The chat page's controller for one session: loads the stored conversation, owns the session's
 * WebSocket (ChatSocket), turns server frames and user actions into reducer actions
 * (chatState.ts), and sends the client frames, each question or response with a new turn id. State is exposed as signals for the views.
 */
import { signal } from "@preact/signals";
import { api, ApiRequestError, call, describeError } from "../../api/client";
import { ChatSocket, type SocketStatus } from "../../api/socket";
import { newSessionId, sessions, touchSession } from "../../state/sessions";
import { initialChatState, reduce, type ChatAction, type ChatState, type Entry } from "./chatState";

let turnCounter = 0;

/** A new client turn id, `t-<counter>-<random>` (the server accepts ^[A-Za-z0-9_.:-]{1,64}$ and echoes it on the turn's frames). */
export function newTurnId(): string {
  return `t-${++turnCounter}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Loading state of the stored conversation. */
export type HistoryStatus = { status: "idle" | "loading" | "loaded" } | { status: "error"; message: string };

/** Everything the chat page does for one session (or for a new one, created by the first question). */
export class ChatController {
  /** The conversation. */
  readonly state = signal<ChatState>(initialChatState());
  /** Loading state of the stored conversation. */
  readonly history = signal<HistoryStatus>({ status: "idle" });
  /** Stored ratings of this session's messages (message id → rating), loaded with the history. */
  readonly ratings = signal<ReadonlyMap<string, "up" | "down">>(new Map());
  /** The socket's state, null before it exists. */
  readonly socketStatus = signal<SocketStatus | null>(null);
  private socket: ChatSocket | null = null;
  private unsubscribe: (() => void) | null = null;
  private disposed = false;

  /**
   * @param sessionId The session of the URL, or null for a new conversation.
   * @param onCreated Called with the new session's id when the first question creates it (the page routes to it).
   */
  constructor(
    public sessionId: string | null,
    private readonly onCreated: (id: string) => void,
  ) {}

  /** Applies an action to the state. */
  dispatch(action: ChatAction): void {
    this.state.value = reduce(this.state.value, action);
  }

  /** Starts: loads the stored conversation of an existing session, then connects. */
  start(): void {
    if (this.sessionId) void this.loadHistory();
  }

  /** (Re)loads the stored conversation; a session without messages (404) is an empty conversation. */
  async loadHistory(): Promise<void> {
    const id = this.sessionId;
    if (!id) return;
    this.history.value = { status: "loading" };
    try {
      const body = await call(api.api.chat[":session_id"].$get({ param: { session_id: id } }));
      if (this.disposed) return;
      this.dispatch({ type: "history", messages: body.messages, pending: body.pending_clarification });
      const first = body.messages.find((m) => m.kind === "question");
      if (first && !sessions.value.some((s) => s.id === id)) touchSession(id, first.content);
      this.history.value = { status: "loaded" };
      void this.loadRatings(id);
    } catch (e) {
      if (this.disposed) return;
      if (e instanceof ApiRequestError && e.status === 404) {
        this.dispatch({ type: "history", messages: [], pending: null });
        this.history.value = { status: "loaded" };
      } else {
        this.history.value = { status: "error", message: describeError(e) };
        return;
      }
    }
    this.connect();
  }

  /** Loads the session's stored feedback, so that thumbs show what was rated before (failures only lose that). */
  private async loadRatings(id: string): Promise<void> {
    try {
      const { feedback } = await call(api.api.feedback.$get({ query: { session_id: id } }));
      if (!this.disposed) this.ratings.value = new Map(feedback.map((f) => [f.message_id, f.rating]));
    } catch {
      // not essential
    }
  }

  private connect(): ChatSocket {
    if (this.socket) return this.socket;
    const socket = new ChatSocket(this.sessionId!, (frame) => this.dispatch({ type: "frame", frame, now: performance.now() }));
    this.socket = socket;
    let previous: SocketStatus | null = null;
    this.unsubscribe = socket.status.subscribe((s) => {
      this.socketStatus.value = s;
      if (s === "open" && previous !== "open") this.dispatch({ type: "opened" });
      previous = s;
    });
    return socket;
  }

  /** True while a turn runs (a new question or answer waits). */
  get busy(): boolean {
    return this.state.value.turn !== null;
  }

  /** Asks a question; the first question of a new conversation creates the session. False when nothing was sent. */
  ask(text: string): boolean {
    const query = text.trim();
    if (!query || this.busy || this.disposed) return false;
    let created = false;
    if (!this.sessionId) {
      this.sessionId = newSessionId();
      this.history.value = { status: "loaded" };
      created = true;
    }
    touchSession(this.sessionId, query);
    const socket = this.connect();
    const turnId = newTurnId();
    this.dispatch({ type: "ask", query, turnId, now: performance.now(), connected: socket.status.value === "open" });
    socket.send({ type: "question", query, turn_id: turnId });
    if (created) this.onCreated(this.sessionId);
    return true;
  }

  /** Answers the open clarification with one of its options or with free text. */
  respond(entry: Extract<Entry, { kind: "clarification" }>, answer: { option: { id: string; label: string } } | { text: string }): boolean {
    if (this.busy || this.disposed || !this.sessionId) return false;
    const custom = "text" in answer ? answer.text.trim() : "";
    if ("text" in answer && !custom) return false;
    const socket = this.connect();
    const label = "option" in answer ? answer.option.label : custom;
    const turnId = newTurnId();
    this.dispatch({ type: "respond", clarificationKey: entry.key, label, turnId, now: performance.now(), connected: socket.status.value === "open" });
    touchSession(this.sessionId, label);
    socket.send({ type: "response", turn_id: turnId, ...("option" in answer ? { selected_option: answer.option.id } : { custom_input: custom }) });
    return true;
  }

  /** Stops waiting for the running turn (the server still finishes and stores it; its late frames are dropped by their turn id). */
  stop(): void {
    this.dispatch({ type: "stop" });
  }

  /** Asks the last question again. */
  retry(): boolean {
    const q = this.state.value.lastQuestion;
    return q ? this.ask(q) : false;
  }

  /** Closes the socket for good. */
  dispose(): void {
    this.disposed = true;
    this.unsubscribe?.();
    this.socket?.dispose();
  }
}
