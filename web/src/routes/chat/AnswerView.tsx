/**
 * An assistant answer: Markdown (no HTML sink) whose `[n]` references to a listed source become
 * citation buttons, what the answer's metadata tells (agent, latency or server time, low-coverage warning), the
 * sources, and the actions (copy, retry, feedback).
 */
import { useMemo, useState } from "preact/hooks";
import { Markdown } from "../../components/Markdown";
import type { AnswerMeta, Entry } from "./chatState";
import { splitCitations } from "./chatState";
import { Citation } from "./Citation";
import { CopyButton } from "./CopyButton";
import { FeedbackControls } from "./FeedbackControls";
import { SourcesList } from "./SourcesList";

/** Label of an answer's agent. */
export function agentLabel(route: string): string {
  return route === "math" ? "Math agent" : route === "knowledge" ? "Knowledge (RAG)" : route;
}

/** An answer's time: the latency measured in this tab, or the server's time for a stored answer. */
function metaTime(meta: AnswerMeta): string {
  return meta.latency_ms === null ? `${meta.processing_time_ms} ms server time` : `${meta.latency_ms} ms`;
}

export interface AnswerViewProps {
  entry: Extract<Entry, { kind: "answer" }>;
  sessionId: string;
  /** Shown on the latest answer: asks the last question again. */
  onRetry?: () => void;
  /** The stored rating of this answer, if any. */
  rating?: "up" | "down";
}

export function AnswerView({ entry, sessionId, onRetry, rating }: AnswerViewProps) {
  const bySource = useMemo(() => new Map(entry.sources.map((s) => [s.index, s])), [entry.sources]);
  const indexes = useMemo(() => new Set(bySource.keys()), [bySource]);
  const [idBase] = useState(() => `a-${entry.key.replace(/[^A-Za-z0-9_-]/g, "")}`);
  const meta = entry.meta;
  const renderText = (text: string) =>
    splitCitations(text, indexes).map((p, i) => (typeof p === "string" ? p : <Citation key={i} source={bySource.get(p.index)!} />));
  return (
    <article class="msg answer" tabIndex={-1} aria-labelledby={`${idBase}-h`} data-message-id={entry.messageId}>
      <h2 class="visually-hidden" id={`${idBase}-h`}>
        Answer
      </h2>
      {meta && !meta.has_sufficient_info && (
        <p class="notice small">The knowledge base may not cover this question.</p>
      )}
      <Markdown text={entry.text} renderText={renderText} />
      {meta?.needs_disclaimer && meta.has_sufficient_info && (
        <p class="muted small">Check the sources: this answer may be incomplete.</p>
      )}
      <SourcesList sources={entry.sources} labelId={`${idBase}-src`} />
      <div class="answer-foot">
        <span class="muted small answer-meta">{meta ? `${agentLabel(meta.route)} · ${metaTime(meta)}` : "From history"}</span>
        <div class="answer-actions">
          <CopyButton text={entry.text} />
          {onRetry && (
            <button type="button" class="ghost small" onClick={onRetry}>
              Retry
            </button>
          )}
        </div>
        <FeedbackControls sessionId={sessionId} messageId={entry.messageId} stored={rating} />
      </div>
    </article>
  );
}
