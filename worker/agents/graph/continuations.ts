/**
 * Continuations: a chunk boundary often cuts a list, a table or a code block, or falls right after
 * the sentence that introduces a list ("… fall into the following categories:"), so the answer is
 * in the next chunk of the page. Before generation, the next chunk of every source that ends open
 * (rag/generation/passages.ts `endsOpen`) is added as a source that `continues` it; the offline
 * generator shows its first passages after a selected passage at the end of the chunk it continues.
 * After generation, continuations the answer does not cite are dropped and the citations renumbered,
 * so the sources list holds no chunk the answer did not need. Sufficiency is decided before them.
 */
import type { Database } from "../../db/client";
import type { GeneratedAnswer } from "../../rag/generation/types";
import { citedIndexes } from "../../rag/generation/types";
import { endsOpen } from "../../rag/generation/passages";
import { headingPath } from "../../rag/headings";
import { nextChunks } from "../../storage/documents";
import type { GraphState } from "./state";

/**
 * Appends to `state.documents` (and a grade to `state.grades`) the next chunk of each document
 * chunk that ends open and is not already a source; records continuation chunk id → the chunk id
 * it continues in `continuedBy`. Returns how many were added. One D1 statement (none when no chunk
 * ends open).
 */
export async function addContinuations(db: Database, state: GraphState, continuedBy: Map<string, string>): Promise<number> {
  const open = state.documents.filter((d) => endsOpen(d.content)).map((d) => d.chunk_id);
  if (open.length === 0) return 0;
  const known = new Set(state.documents.map((d) => d.chunk_id));
  const floor = Math.min(...state.documents.map((d) => d.score));
  // Each chunk has one next chunk, and no two chunks the same one.
  const next = (await nextChunks(db, open)).filter((n) => !known.has(n.id));
  for (const n of next) {
    continuedBy.set(n.id, n.previousId);
    state.documents.push({
      chunk_id: n.id, document_id: n.documentId, title: n.title, source: n.source, domain: n.domain, heading: headingPath(n.title, n.heading),
      content: n.content, score: floor, lexical_rank: null, vector_rank: null, expansion_rank: null,
    });
    state.grades.push({ chunk_id: n.id, relevance_score: 0, level: "low", reason: "continues a retrieved chunk of the same page", useful_parts: [] });
  }
  return next.length;
}

/**
 * Drops the last `added` documents of `state` (the continuations) that `answer` does not cite, and
 * renumbers the answer's citations of the kept ones and of any later source (web results).
 * `sourceCount` is the number of sources the answer was generated from. Returns the answer with
 * its citations renumbered.
 */
export function dropUncitedContinuations(state: GraphState, answer: GeneratedAnswer, added: number, sourceCount: number): GeneratedAnswer {
  if (added === 0) return answer;
  const first = state.documents.length - added; // 0-based position of the first continuation
  const cited = new Set(answer.citedIndexes);
  const renumber = new Map<number, number>();
  let next = first + 1;
  for (let i = first + 1; i <= sourceCount; i++) {
    const isContinuation = i <= first + added;
    if (isContinuation && !cited.has(i)) continue;
    renumber.set(i, next++);
  }
  const keep = state.documents.slice(first).filter((_, i) => cited.has(first + i + 1));
  const keepGrades = state.grades.slice(first).filter((_, i) => cited.has(first + i + 1));
  state.documents = [...state.documents.slice(0, first), ...keep];
  state.grades = [...state.grades.slice(0, first), ...keepGrades];
  const response = answer.response.replace(/\[(\d{1,3})\]/g, (marker, n: string) => {
    const to = renumber.get(Number(n));
    return to === undefined ? marker : `[${to}]`;
  });
  return { ...answer, response, citedIndexes: citedIndexes(response, next - 1) };
}
