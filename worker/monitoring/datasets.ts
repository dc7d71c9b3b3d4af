/**
 * The evaluation datasets of the quality loop:
 * - the splits `test` and `dev` of the realistic evaluation set of `test/eval/cases.json` (250
 *   cases written for `npm run eval:answers`, with gold pages and keywords), imported here as
 *   JSON and bundled into the Worker: there is no copy to keep in sync;
 * - `replays`: the questions of answers that got a thumbs-down (`POST /api/feedback`), read from
 *   D1 and the sessions when a run starts (./replays.ts); they have no gold.
 */
import allCases from "../../test/eval/cases.json";
import { ANSWER_CORPORA, type AnswerCase } from "../rag/eval/answers";

/** A split of the evaluation set (cases with gold pages and keywords). */
export type SplitName = "test" | "dev";

/** A dataset of evaluation runs: a split of the evaluation set, or the thumbs-down replays. */
export type DatasetName = SplitName | "replays";

/** A corpus of the evaluation set (a key of {@link ANSWER_CORPORA}). */
export type CorpusName = keyof typeof ANSWER_CORPORA;

/** The dataset names, for validation. */
export const DATASET_NAMES = ["test", "dev", "replays"] as const satisfies readonly DatasetName[];

/** True for the splits of the evaluation set, false for `replays`. */
export function isSplit(dataset: DatasetName): dataset is SplitName {
  return dataset !== "replays";
}

/** The corpus names, for validation. */
export const CORPUS_NAMES = Object.keys(ANSWER_CORPORA) as [CorpusName, ...CorpusName[]];

const CASES = allCases as AnswerCase[];
const BY_ID = new Map(CASES.map((c) => [c.id, c]));

/**
 * The cases of a split, in file order, optionally of the given corpora only.
 *
 * @param dataset The split.
 * @param corpora Corpora to keep; undefined keeps every corpus.
 */
export function datasetCases(dataset: SplitName, corpora?: readonly CorpusName[]): AnswerCase[] {
  const keep = corpora ? new Set<string>(corpora) : null;
  return CASES.filter((c) => c.split === dataset && (!keep || keep.has(c.corpus)));
}

/** The case with this id, or undefined. */
export function caseById(id: string): AnswerCase | undefined {
  return BY_ID.get(id);
}
