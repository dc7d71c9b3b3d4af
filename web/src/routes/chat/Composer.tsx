/** The question field: Enter sends, Shift+Enter adds a new line. */
import type { RefObject } from "preact";
import { useState } from "preact/hooks";

export interface ComposerProps {
  /** False while a turn runs or the conversation loads: typing stays possible, sending not. */
  canSend: boolean;
  onSend: (text: string) => boolean;
  inputRef: RefObject<HTMLTextAreaElement | null>;
}

export function Composer({ canSend, onSend, inputRef }: ComposerProps) {
  const [text, setText] = useState("");
  const send = () => {
    if (!canSend || !text.trim()) return;
    if (onSend(text)) setText("");
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label for="chat-input" class="visually-hidden">
        Your question
      </label>
      <textarea
        id="chat-input"
        ref={inputRef}
        rows={2}
        maxLength={2000}
        placeholder="Ask a question about the documentation…"
        aria-describedby="chat-input-hint"
        value={text}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      <button type="submit" disabled={!canSend || !text.trim()}>
        Send
      </button>
      <p id="chat-input-hint" class="muted small composer-hint">
        Enter sends · Shift+Enter for a new line
      </p>
    </form>
  );
}
