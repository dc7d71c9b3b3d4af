/**
 * A clarification: the question, its options as buttons (with how many sources each has), and a
 * free-text answer. Once answered (or while a turn runs) it shows what was chosen instead.
 */
import { useId, useState } from "preact/hooks";
import type { Entry } from "./chatState";

export interface ClarificationViewProps {
  entry: Extract<Entry, { kind: "clarification" }>;
  /** False while a turn runs or when a later message superseded it. */
  active: boolean;
  onOption: (option: { id: string; label: string }) => void;
  onText: (text: string) => void;
}

export function ClarificationView({ entry, active, onOption, onText }: ClarificationViewProps) {
  const id = useId();
  const [text, setText] = useState("");
  const { body, answer } = entry;
  const open = answer === null && active;
  return (
    <section class="msg clarification" aria-labelledby={`${id}-q`} tabIndex={-1}>
      <p id={`${id}-q`} class="clar-question">
        <span class="visually-hidden">Clarification needed: </span>
        {body.clarification_question}
      </p>
      {answer !== null ? (
        <p class="muted small">You answered: {answer}</p>
      ) : open && body.options.length > 0 ? (
        <ul class="clar-options" aria-label="Options">
          {body.options.map((o) => (
            <li key={o.id}>
              <button type="button" class="ghost clar-option" onClick={() => onOption(o)}>
                {o.label}
                <span class="muted small">
                  {" "}
                  ({o.source_count} {o.source_count === 1 ? "source" : "sources"})
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {open && body.allow_custom_input && (
        <form
          class="clar-custom row"
          onSubmit={(e) => {
            e.preventDefault();
            if (text.trim()) onText(text);
          }}
        >
          <label for={`${id}-text`} class="visually-hidden">
            Or describe what you mean
          </label>
          <input
            id={`${id}-text`}
            type="text"
            placeholder="Or describe what you mean…"
            maxLength={2000}
            value={text}
            onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
          />
          <button type="submit" class="ghost" disabled={!text.trim()}>
            Answer
          </button>
        </form>
      )}
    </section>
  );
}
