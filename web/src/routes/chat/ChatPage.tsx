/**
 * The chat page (`/chat`, `/chat/:session_id`): the conversations (a signed-in user's from the
 * server, else this browser's) beside the
 * conversation, the running turn's progress, and the composer. A new conversation gets its
 * session id when the first question is sent (the URL becomes `/chat/<id>`); an existing one loads
 * its history first (a session without messages is an empty conversation).
 */
import { useEffect, useMemo, useRef } from "preact/hooks";
import { useLocation, useRoute } from "preact-iso";
import { currentUser } from "../../auth";
import { loadServerSessions, sessions } from "../../state/sessions";
import { ChatController } from "./chatController";
import { sessionStats } from "./chatState";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";
import { ProgressView } from "./ProgressView";
import { SessionList } from "./SessionList";
import { SocketStatusView } from "./SocketStatusView";
import { StatsPanel } from "./StatsPanel";
import "./chat.css";

export default function ChatPage() {
  const { params } = useRoute();
  const { route } = useLocation();
  const routeId: string | null = params.session_id ?? null;
  const ref = useRef<ChatController | null>(null);
  if (!ref.current || ref.current.sessionId !== routeId) ref.current = new ChatController(routeId, (id) => route(`/chat/${encodeURIComponent(id)}`));
  const ctrl = ref.current;
  const inputRef = useRef<HTMLTextAreaElement | null>(null);
  const logRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    ctrl.start();
    return () => ctrl.dispose();
  }, [ctrl]);

  // A signed-in user's conversations come from the server (the same on every device).
  const userId = currentUser.value?.id ?? null;
  useEffect(() => {
    loadServerSessions(userId !== null).catch(() => undefined);
  }, [userId]);

  const state = ctrl.state.value;
  const history = ctrl.history.value;
  const stats = useMemo(() => sessionStats(state), [state]);
  const title = sessions.value.find((s) => s.id === ctrl.sessionId)?.title ?? (routeId ? "Conversation" : "New chat");

  // Something new in the conversation: bring it into view. When a turn ended and the control that
  // had focus went away with it (Stop, an option), focus the new message instead of losing focus.
  const count = state.entries.length;
  const running = state.turn !== null;
  const wasRunning = useRef(false);
  useEffect(() => {
    const turnEnded = wasRunning.current && !running;
    wasRunning.current = running;
    if (count === 0) return;
    const items = logRef.current?.querySelectorAll<HTMLElement>(".messages > .msg");
    const last = items?.[items.length - 1];
    if (!last) return;
    last.scrollIntoView?.({ block: "nearest" });
    const active = document.activeElement;
    if (turnEnded && (!active || active === document.body || !active.isConnected)) last.focus({ preventScroll: true });
  }, [count, running]);

  useEffect(() => {
    document.title = `${title} · edge-rag`;
  }, [title]);

  const newChat = () => {
    route("/chat");
    inputRef.current?.focus();
  };

  return (
    <div class="chat-page">
      <SessionList activeId={ctrl.sessionId} onNewChat={newChat} onDeletedActive={newChat} />
      <section class="chat-main" aria-labelledby="chat-title">
        <header class="chat-head">
          <h1 id="chat-title">{title}</h1>
          <SocketStatusView status={ctrl.socketStatus.value} />
          <StatsPanel stats={stats} />
        </header>
        <div class="chat-body" ref={logRef}>
          {history.status === "loading" && (
            <p class="notice" role="status">
              <span class="spinner" aria-hidden="true" /> Loading the conversation…
            </p>
          )}
          {history.status === "error" && (
            <div class="alert" role="alert">
              <p>Could not load this conversation: {history.message}</p>
              <button type="button" class="ghost small" onClick={() => void ctrl.loadHistory()}>
                Try again
              </button>
            </div>
          )}
          {history.status !== "loading" && history.status !== "error" && state.entries.length === 0 && !state.turn && (
            <div class="chat-empty">
              <p>Ask a question about the documentation in the knowledge base. Answers cite their sources; hover or focus a [1] to see one.</p>
              <p class="muted small">Arithmetic and equations (“solve 2x + 3 = 11”) go to the math agent.</p>
            </div>
          )}
          <MessageList state={state} sessionId={ctrl.sessionId} controller={ctrl} onAnswered={() => inputRef.current?.focus()} />
          {state.turn && <ProgressView turn={state.turn} onStop={() => ctrl.stop()} />}
        </div>
        <Composer canSend={!state.turn && history.status !== "loading" && history.status !== "error"} onSend={(t) => ctrl.ask(t)} inputRef={inputRef} />
      </section>
    </div>
  );
}
