/** The conversation: questions, answers, clarifications and notices, in a polite live region. */
import type { ChatController } from "./chatController";
import { openClarification, type ChatState } from "./chatState";
import { AnswerView } from "./AnswerView";
import { ClarificationView } from "./ClarificationView";

export interface MessageListProps {
  state: ChatState;
  sessionId: string | null;
  controller: ChatController;
  /** Called after a clarification was answered (the page moves focus to the composer). */
  onAnswered: () => void;
}

export function MessageList({ state, sessionId, controller, onAnswered }: MessageListProps) {
  const open = openClarification(state);
  const lastAnswerKey = [...state.entries].reverse().find((e) => e.kind === "answer")?.key;
  return (
    <div class="messages" role="log" aria-label="Conversation" aria-live="polite" aria-relevant="additions">
      {state.entries.map((e) => {
        switch (e.kind) {
          case "user":
            return (
              <div key={e.key} class={`msg user${e.role === "response" ? " response" : ""}`} tabIndex={-1}>
                <span class="visually-hidden">{e.role === "response" ? "Your answer: " : "You asked: "}</span>
                <p>{e.text}</p>
              </div>
            );
          case "answer":
            return (
              <AnswerView
                key={e.key}
                entry={e}
                sessionId={sessionId ?? ""}
                rating={controller.ratings.value.get(e.messageId)}
                onRetry={e.key === lastAnswerKey && !state.turn && state.lastQuestion ? () => controller.retry() : undefined}
              />
            );
          case "clarification":
            return (
              <ClarificationView
                key={e.key}
                entry={e}
                active={open?.key === e.key && !state.turn}
                onOption={(o) => controller.respond(e, { option: o }) && onAnswered()}
                onText={(t) => controller.respond(e, { text: t }) && onAnswered()}
              />
            );
          case "notice":
            return (
              <div key={e.key} class={`msg ${e.tone === "error" ? "alert" : "notice"}`} data-tone={e.tone} tabIndex={-1}>
                <p>
                  {e.tone === "error" ? "Error: " : ""}
                  {e.text}
                </p>
                {e.tone === "interrupted" ? (
                  <button type="button" class="ghost small" onClick={() => void controller.loadHistory()}>
                    Reload conversation
                  </button>
                ) : (
                  state.lastQuestion &&
                  !state.turn &&
                  e.key === state.entries.at(-1)?.key && (
                    <button type="button" class="ghost small" onClick={() => controller.retry()}>
                      Retry
                    </button>
                  )
                )}
              </div>
            );
        }
      })}
    </div>
  );
}
