/** Figures of this session: questions, agents used, average latency, refusal rate (live answers only where stored messages lack the data). */
import type { SessionStats } from "./chatState";
import { agentLabel } from "./AnswerView";

export function StatsPanel({ stats }: { stats: SessionStats }) {
  const routes = Object.entries(stats.routes);
  return (
    <details class="stats">
      <summary>Session stats</summary>
      <dl>
        <dt>Questions asked</dt>
        <dd data-stat="questions">{stats.questions}</dd>
        <dt>Agents used</dt>
        <dd data-stat="agents">{routes.length ? routes.map(([r, n]) => `${agentLabel(r)}: ${n}`).join(", ") : "–"}</dd>
        <dt>Average latency</dt>
        <dd data-stat="latency">{stats.avgLatencyMs === null ? "–" : `${stats.avgLatencyMs} ms`}</dd>
        <dt>Refusal rate</dt>
        <dd data-stat="refusals">{stats.refusalRate === null ? "–" : `${Math.round(stats.refusalRate * 100)} %`}</dd>
      </dl>
      <p class="muted small">
        Agents, latency (measured in this browser from sending to the answer) and refusals (answers without sufficient information) cover the{" "}
        {stats.liveAnswers} {stats.liveAnswers === 1 ? "answer" : "answers"} received in this tab.
        {stats.storedAnswers > 0 &&
          ` ${stats.storedAnswers} stored ${stats.storedAnswers === 1 ? "answer was" : "answers were"} loaded from history, which keeps no agent, timing or confidence data; stored questions are told apart from clarification answers by estimate.`}
      </p>
    </details>
  );
}
