/**
 * The running turn: the agent graph's steps as they are reported (the current one marked), the
 * answer's text as it streams in (plain text; the finished answer replaces it), and Stop.
 */
import type { Turn } from "./chatState";

export function ProgressView({ turn, onStop }: { turn: Turn; onStop: () => void }) {
  const last = turn.steps.length - 1;
  return (
    <div class="progress" aria-label="Answer progress" role="region">
      <div class="progress-body">
        <div aria-live="polite" aria-atomic="false">
          <p class="progress-head">
            <span class="spinner" aria-hidden="true" /> {last < 0 ? "Waiting for the assistant…" : "Working on it…"}
          </p>
          <ol class="steps">
            {turn.steps.map((s, i) => (
              <li key={i} class={i === last ? "current" : "done"} aria-current={i === last ? "step" : undefined} data-step={s.step}>
                <span aria-hidden="true" class="step-mark">
                  {i === last ? "▸" : "✓"}
                </span>{" "}
                {s.message}
                {i === last && <span class="visually-hidden"> (current step)</span>}
              </li>
            ))}
          </ol>
        </div>
        {turn.draft && (
          <p class="draft" data-testid="answer-draft">
            {turn.draft}
          </p>
        )}
      </div>
      <button type="button" class="ghost small" onClick={onStop}>
        Stop
      </button>
    </div>
  );
}
