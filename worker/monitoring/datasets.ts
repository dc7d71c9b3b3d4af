/**
 * The evaluation datasets of the quality loop. The cases are the realistic evaluation set of
 * `test/eval/cases.json` (250 cases, split dev/test, written for `npm run eval:answers`), imported
 * here as JSON and bundled into the Worker: there is no copy to keep in sync.
 */
import allCases from "../../test/eval/cases.json";
import { ANSWER_CORPORA, type AnswerCase } from "../rag/eval/answers";

/** A split of the evaluation set. */
export type DatasetName = "test" | "dev";

/** A corpus of the evaluation set (a key of {@link ANSWER_CORPORA}). */
export type CorpusName = keyof typeof ANSWER_CORPORA;

/** The split names, for validation. */
export const DATASET_NAMES = ["test", "dev"] as const;

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
export function datasetCases(dataset: DatasetName, corpora?: readonly CorpusName[]): AnswerCase[] {
  const keep = corpora ? new Set<string>(corpora) : null;
  return CASES.filter((c) => c.split === dataset && (!keep || keep.has(c.corpus)));
}

/** The case with this id, or undefined. */
export function caseById(id: string): AnswerCase | undefined {
  return BY_ID.get(id);
}
