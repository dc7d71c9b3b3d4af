/**
 * A completed validation: per metric the baseline and candidate means, the delta (candidate −
 * baseline), its paired-bootstrap interval, whether the interval excludes 0, and a
 * direction-aware reading in words ("Better", "Worse", "No clear change"), not only in colour;
 * then the per-question flips (cases that passed in one run and failed in the other).
 */
import { excludesZero, metricInfo, verdictOf, type ValidationView, type Verdict } from "./proposalsApi";
import { formatSigned, formatValue } from "./valueFormat";
import "./tables.css";
import { TableHead } from "../../components/TableHead";

type Completed = Extract<ValidationView, { status: "completed" }>;

const VERDICT_TEXT: Record<Verdict, string> = {
  better: "Better",
  worse: "Worse",
  unclear: "No clear change",
  unchanged: "No change",
};

/** Props of {@link ValidationDeltas}. */
export interface ValidationDeltasProps {
  validation: Completed;
}

/** The deltas table and the flips. */
export function ValidationDeltas({ validation }: ValidationDeltasProps) {
  const pct = Math.round(validation.level * 100);
  const better = validation.metrics.filter((m) => m.delta && verdictOf(m.delta, metricInfo(m.name).direction) === "better").length;
  const worse = validation.metrics.filter((m) => m.delta && verdictOf(m.delta, metricInfo(m.name).direction) === "worse").length;
  return (
    <div class="validation-result">
      <p>
        {validation.pairedCases} cases compared in pairs
        {validation.resamples ? `, ${validation.resamples} bootstrap resamples` : ""}.{" "}
        <strong class="validation-summary">
          {better} {better === 1 ? "metric" : "metrics"} clearly better, {worse} clearly worse
        </strong>{" "}
        (the {pct}% interval of the delta excludes 0).
      </p>
      <table class="data-table stack-table deltas-table">
        <caption>Per-metric deltas (candidate − baseline) with {pct}% intervals</caption>
        <TableHead columns={["Metric", { label: "Cases", num: true }, { label: "Baseline", num: true }, { label: "Candidate", num: true }, { label: "Delta", num: true }, `${pct}% interval`, "Excludes 0", "Reading"]} />
        <tbody>
          {validation.metrics.map(({ name, delta }) => {
            const info = metricInfo(name);
            const direction = info.direction === "higher_is_better" ? "higher is better" : info.direction === "lower_is_better" ? "lower is better" : "";
            if (!delta)
              return (
                <tr key={name} data-metric={name} class="verdict-none">
                  <th scope="row">
                    <code>{name}</code>
                  </th>
                  <td colSpan={7} class="muted">
                    Not computed: no case of this kind among the compared ones.
                  </td>
                </tr>
              );
            const verdict = verdictOf(delta, info.direction);
            return (
              <tr key={name} data-metric={name} data-verdict={verdict} class={`verdict-${verdict}`}>
                <th scope="row">
                  <code>{name}</code>
                  {direction && <span class="metric-direction muted"> ({direction})</span>}
                </th>
                <td class="num" data-label="Cases">
                  {delta.n}
                </td>
                <td class="num" data-label="Baseline">
                  {formatValue(delta.baseline, info.unit)}
                </td>
                <td class="num" data-label="Candidate">
                  {formatValue(delta.candidate, info.unit)}
                </td>
                <td class="num delta" data-label="Delta">
                  {formatSigned(delta.delta, info.unit)}
                </td>
                <td class="interval" data-label={`${pct}% interval`}>
                  [{formatSigned(delta.ci_low, info.unit)}, {formatSigned(delta.ci_high, info.unit)}]
                </td>
                <td class="excludes" data-label="Excludes 0">
                  {excludesZero(delta) ? "Yes" : "No"}
                </td>
                <td class="verdict" data-label="Reading">
                  <span class={`verdict-mark verdict-${verdict}`}>{VERDICT_TEXT[verdict]}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Flips validation={validation} />
    </div>
  );
}

/** The cases whose judgement flipped between the two runs. */
function Flips({ validation }: ValidationDeltasProps) {
  const fixed = validation.flips.filter((f) => f.to === "pass").length;
  const broken = validation.flips.length - fixed;
  return (
    <section class="flips" aria-labelledby="flips-title">
      <h3 id="flips-title">Per-question flips</h3>
      {validation.flips.length === 0 ? (
        <p class="muted">No case changed between pass and fail.</p>
      ) : (
        <>
          <p>
            {fixed} fixed (failed in the baseline, pass with the candidate), {broken} broken (passed in the baseline, fail with the candidate).
          </p>
          <ul class="flip-list">
            {validation.flips.map((f) => (
              <li key={f.case_id} data-case-id={f.case_id} class={f.to === "pass" ? "flip-fixed" : "flip-broken"}>
                <code>{f.case_id}</code>: {f.from} → {f.to} <strong>({f.to === "pass" ? "fixed" : "broken"})</strong>
                {(f.baseline_problems.length > 0 || f.candidate_problems.length > 0) && (
                  <span class="flip-problems muted">
                    {f.baseline_problems.length > 0 && ` Baseline problems: ${f.baseline_problems.join(", ")}.`}
                    {f.candidate_problems.length > 0 && ` Candidate problems: ${f.candidate_problems.join(", ")}.`}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
