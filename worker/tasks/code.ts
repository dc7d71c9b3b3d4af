/**
 * The steps of a code task: retrieve chunks that hold code for the description, then choose the
 * code blocks to show (pure ranking in ./code-blocks.ts, with the knowledge base's IDF).
 */
import { database } from "../db/client";
import { distinctContentTerms } from "../rag/text";
import { hybridSearch, type RetrievedChunk } from "../services/retrieve";
import { idfOf, termStats } from "../storage/lexical";
import { selectExamples, type CodeChunk, type CodeExample } from "./code-blocks";
import type { TaskDependencies } from "./providers";
import { searchScopeOf } from "./research";
import type { TaskScope } from "./types";

/** Chunks retrieved per search. */
const CANDIDATES = 20;
/** Below this many chunks with code, a second search asks for examples explicitly. */
const ENOUGH_CODE_CHUNKS = 3;

const hasCode = (c: RetrievedChunk) => /^\s*(```|~~~)/m.test(c.content);

/**
 * The retrieved chunks that hold a fenced code block, best first: the description's search, and
 * when it finds fewer than 3 such chunks, a second search for "<description> example code".
 *
 * @throws Error from retrieval (embedding provider, vector index, D1): the step retries it.
 */
export async function searchCode(deps: TaskDependencies, description: string, scope: TaskScope | null): Promise<CodeChunk[]> {
  const options = { scope: searchScopeOf(scope) };
  const first = await hybridSearch(deps.env, deps.providers, description, CANDIDATES, options);
  let found = first.results.filter(hasCode);
  if (found.length < ENOUGH_CODE_CHUNKS) {
    const second = await hybridSearch(deps.env, deps.providers, `${description} example code`, CANDIDATES, options);
    const seen = new Set(found.map((c) => c.chunk_id));
    found = [...found, ...second.results.filter((c) => hasCode(c) && !seen.has(c.chunk_id))];
  }
  return found.map((c, rank) => ({ chunk_id: c.chunk_id, document_id: c.document_id, title: c.title, source: c.source, heading: c.heading, content: c.content, rank }));
}

/** The code examples for the description among `chunks`, ranked with the knowledge base's IDF of its terms. */
export async function chooseExamples(deps: TaskDependencies, description: string, chunks: readonly CodeChunk[]): Promise<CodeExample[]> {
  const terms = distinctContentTerms(description);
  const stats = await termStats(database(deps.env.DB), terms);
  return selectExamples(description, chunks, new Map(terms.map((t) => [t, idfOf(stats, t)])));
}
