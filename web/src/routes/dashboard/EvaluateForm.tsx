/**
 * "Run an evaluation": dataset, corpus (splits only) and an optional case limit; starts a run
 * through POST /control/evaluate and follows it (RunProgress) until it completes, then shows its
 * metrics.
 */
import { useState } from "preact/hooks";
import { CORPUS_LABELS, DATASET_LABELS, startEvaluation, type EvaluateRequest, type StartedRun } from "./controlsApi";
import { ControlForm } from "./ControlForm";
import { RunProgress } from "./RunProgress";

type Dataset = EvaluateRequest["dataset"];
type Corpus = NonNullable<EvaluateRequest["corpus"]>;

/** Props of {@link EvaluateForm}. */
export interface EvaluateFormProps {
  /** After the run started and again when it finished (the page reloads its lists). */
  onChanged: () => void;
}

/** The form and the run it started. */
export function EvaluateForm({ onChanged }: EvaluateFormProps) {
  const [dataset, setDataset] = useState<Dataset>("test");
  const [corpus, setCorpus] = useState<Corpus | "">("");
  const [limit, setLimit] = useState("");
  const [run, setRun] = useState<StartedRun | null>(null);
  const limitNumber = limit.trim() === "" ? undefined : Number(limit);
  const limitInvalid = limitNumber !== undefined && (!Number.isInteger(limitNumber) || limitNumber < 1 || limitNumber > 1000);
  const isSplit = dataset !== "replays";

  return (
    <ControlForm
      id="evaluate"
      title="Run an evaluation"
      description="Asks the questions of a dataset through the chat path with the production configuration and computes the run's metrics."
      submitLabel="Start evaluation"
      busyLabel="Starting…"
      errorPrefix="Could not start the evaluation:"
      onSubmit={async () => {
        if (limitInvalid) return;
        const body: EvaluateRequest = { dataset };
        if (isSplit && corpus) body.corpus = corpus;
        if (limitNumber !== undefined) body.limit = limitNumber;
        setRun(await startEvaluation(body));
        onChanged();
      }}
      outcome={
        run && (
          <div class="started-run">
            <RunProgress key={run.id} runId={run.id} initial={run} label="Evaluation run" showMetrics onFinished={() => onChanged()} />
          </div>
        )
      }
    >
      <div class="field">
        <label for="eval-dataset">Dataset</label>
        <select id="eval-dataset" value={dataset} onChange={(e) => setDataset(e.currentTarget.value as Dataset)}>
          {(Object.keys(DATASET_LABELS) as Dataset[]).map((d) => (
            <option key={d} value={d}>
              {DATASET_LABELS[d]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="eval-corpus">Corpus</label>
        <select id="eval-corpus" value={isSplit ? corpus : ""} disabled={!isSplit} aria-describedby="eval-corpus-help" onChange={(e) => setCorpus(e.currentTarget.value as Corpus | "")}>
          <option value="">Every corpus in the knowledge base</option>
          {(Object.keys(CORPUS_LABELS) as Corpus[]).map((c) => (
            <option key={c} value={c}>
              {CORPUS_LABELS[c]}
            </option>
          ))}
        </select>
        <p id="eval-corpus-help" class="help">
          {isSplit ? "Only the questions of this corpus." : "Replays have no corpus."}
        </p>
      </div>
      <div class="field">
        <label for="eval-limit">Case limit (optional)</label>
        <input
          id="eval-limit"
          type="number"
          inputMode="numeric"
          min={1}
          max={1000}
          step={1}
          value={limit}
          placeholder="all cases"
          aria-invalid={limitInvalid ? "true" : undefined}
          aria-describedby="eval-limit-help"
          onInput={(e) => setLimit(e.currentTarget.value)}
        />
        <p id="eval-limit-help" class={limitInvalid ? "help field-error" : "help"}>
          {limitInvalid ? "Enter a whole number from 1 to 1000, or leave it empty." : "At most this many questions (a quick check)."}
        </p>
      </div>
    </ControlForm>
  );
}
