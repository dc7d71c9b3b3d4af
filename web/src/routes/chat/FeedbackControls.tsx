/**
 * Thumbs up/down on an assistant message (POST /api/feedback). Down opens a small form: reasons
 * as checkboxes ("Other" needs a comment) and an optional comment.
 */
import { useId, useRef, useState } from "preact/hooks";
import type { z } from "zod";
import type { FeedbackReasonSchema } from "../../../../worker/schemas";
import { api, call, describeError } from "../../api/client";
import { ThumbDownIcon, ThumbUpIcon } from "./icons";

type Reason = z.infer<typeof FeedbackReasonSchema>;

/** The reasons of a thumbs down, in the form's order, with their labels. */
export const FEEDBACK_REASONS: { value: Reason; label: string }[] = [
  { value: "irrelevant_documents", label: "Retrieved documents were not relevant" },
  { value: "misread_documents", label: "Misread the documents" },
  { value: "wrong_citation", label: "Cited source is wrong" },
  { value: "other", label: "Other" },
];

type Status = { state: "idle" | "sending" | "sent" } | { state: "error"; message: string };

export interface FeedbackControlsProps {
  sessionId: string;
  messageId: string;
  /** The rating stored before (from GET /api/feedback), if any. */
  stored?: "up" | "down";
}

export function FeedbackControls({ sessionId, messageId, stored }: FeedbackControlsProps) {
  const id = useId();
  const [sent, setRating] = useState<"up" | "down" | null>(null);
  const rating = sent ?? stored ?? null;
  const [formOpen, setFormOpen] = useState(false);
  const [reasons, setReasons] = useState<Reason[]>([]);
  const [comment, setComment] = useState("");
  const [status, setStatus] = useState<Status>({ state: "idle" });
  const [invalid, setInvalid] = useState<string | null>(null);
  const downRef = useRef<HTMLButtonElement>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);

  const send = async (r: "up" | "down", why: Reason[] = [], text = "") => {
    setStatus({ state: "sending" });
    try {
      await call(
        api.api.feedback.$post({
          json: { session_id: sessionId, message_id: messageId, rating: r, ...(why.length ? { reasons: why } : {}), ...(text.trim() ? { comment: text.trim() } : {}) },
        }),
      );
      setRating(r);
      setFormOpen(false);
      setStatus({ state: "sent" });
    } catch (e) {
      setStatus({ state: "error", message: describeError(e) });
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    if (reasons.includes("other") && !comment.trim()) {
      setInvalid("Please describe the problem in the comment when you choose “Other”.");
      commentRef.current?.focus();
      return;
    }
    setInvalid(null);
    void send("down", reasons, comment);
  };

  const busy = status.state === "sending";
  return (
    <>
      <div class="feedback" role="group" aria-label="Rate this answer">
        <button type="button" class="ghost small icon" aria-label="Good answer" aria-pressed={rating === "up"} disabled={busy} onClick={() => void send("up")}>
          <ThumbUpIcon />
        </button>
        <button
          type="button"
          class="ghost small icon"
          ref={downRef}
          aria-label="Bad answer"
          aria-pressed={rating === "down"}
          aria-expanded={formOpen}
          aria-controls={formOpen ? `${id}-form` : undefined}
          disabled={busy}
          onClick={() => {
            setFormOpen(!formOpen);
            if (status.state === "error") setStatus({ state: "idle" });
          }}
        >
          <ThumbDownIcon />
        </button>
        <span role="status" class="small feedback-status">
          {status.state === "sent" ? "Thanks for the feedback." : status.state === "sending" ? "Sending…" : ""}
        </span>
      </div>
      {status.state === "error" && (
        <p class="alert small" role="alert">
          Feedback not saved: {status.message}
        </p>
      )}
      {formOpen && (
        <form
          class="feedback-form"
          id={`${id}-form`}
          onSubmit={submit}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              setFormOpen(false);
              downRef.current?.focus();
            }
          }}
        >
          <fieldset>
            <legend>What went wrong?</legend>
            {FEEDBACK_REASONS.map((r) => (
              <label key={r.value} class="check">
                <input
                  type="checkbox"
                  name="reason"
                  value={r.value}
                  checked={reasons.includes(r.value)}
                  onChange={(e) => {
                    const on = (e.currentTarget as HTMLInputElement).checked;
                    setReasons((prev) => (on ? [...prev, r.value] : prev.filter((x) => x !== r.value)));
                  }}
                />
                {r.label}
              </label>
            ))}
          </fieldset>
          <label for={`${id}-comment`}>Comment {reasons.includes("other") ? "(required for “Other”)" : "(optional)"}</label>
          <textarea
            id={`${id}-comment`}
            ref={commentRef}
            rows={2}
            maxLength={2000}
            value={comment}
            aria-invalid={invalid ? true : undefined}
            aria-describedby={invalid ? `${id}-invalid` : undefined}
            onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)}
          />
          {invalid && (
            <p class="error-text small" id={`${id}-invalid`}>
              {invalid}
            </p>
          )}
          <div class="row">
            <button type="submit" disabled={busy}>
              Send feedback
            </button>
            <button
              type="button"
              class="ghost"
              onClick={() => {
                setFormOpen(false);
                downRef.current?.focus();
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
    </>
  );
}
