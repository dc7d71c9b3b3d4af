/** Figures of this session: questions, agents used, latency in this tab, server time and refusal rate of all answers. */
import type { SessionStats } from "./chatState";
import { agentLabel } from "./AnswerView";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

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
        <dt>Average latency (this tab)</dt>
        <dd data-stat="latency">{stats.avgLatencyMs === null ? "–" : `${stats.avgLatencyMs} ms`}</dd>
        <dt>Average server time</dt>
        <dd data-stat="server-time">{stats.avgServerMs === null ? "–" : `${stats.avgServerMs} ms`}</dd>
        <dt>Refusal rate</dt>
        <dd data-stat="refusals">{stats.refusalRate === null ? "–" : `${Math.round(stats.refusalRate * 100)} %`}</dd>
      </dl>
      <p class="muted small">
        Agents, server time and refusals (answers without sufficient information) cover all {plural(stats.answers, "answer", "answers")}; latency (from
        sending to the answer, measured in this browser) covers the {stats.liveAnswers} received in this tab.
        {stats.answersWithoutMeta > 0 && ` ${plural(stats.answersWithoutMeta, "older answer was", "older answers were")} stored without these figures.`}
      </p>
    </details>
  );
}
