/**
 * The steps of an analysis task: choose the documents of its scope, then digest each one for
 * the description (its most relevant chunks through the configured generator, cited like a chat
 * answer). The comparison is pure (./compare.ts).
 */
import { database } from "../db/client";
import { ExtractiveGenerator } from "../rag/generation/extractive";
import type { GeneratedAnswer, SourceChunk } from "../rag/generation/types";
import { headingPath } from "../rag/headings";
import { contentTerms, distinctContentTerms, hasTerm, sentences } from "../rag/text";
import { recordModelUsage, type UsageOwner } from "../services/model-quota";
import { hybridSearch } from "../services/retrieve";
import { documentChunks } from "../storage/documents";
import { idfOf, termStats } from "../storage/lexical";
import { documentRefs, domainDocuments, type TaskDocumentRef } from "../storage/tasks";
import { snippetOf } from "./citations";
import { PermanentTaskError } from "./errors";
import type { TaskDependencies } from "./providers";
import type { PartAnswer } from "./report";
import { NO_OWNER } from "./research";
import type { TaskScope } from "./types";

/** Documents an analysis of a domain covers (the most relevant to the description). */
export const MAX_DOMAIN_DOCUMENTS = 5;
/** Chunks of a document offered to the generator. */
const DIGEST_CHUNKS = 4;
/** Sentences of a page's introduction used when no passage matches the description. */
const INTRO_SENTENCES = 2;

/**
 * The documents an analysis works on: the named ones in the order given, or the documents of the
 * domain most relevant to the description (at most {@link MAX_DOMAIN_DOCUMENTS}; the most recent
 * ones when retrieval finds none).
 *
 * @throws PermanentTaskError when a named document no longer exists or the domain has no documents.
 */
export async function selectDocuments(deps: TaskDependencies, description: string, scope: TaskScope): Promise<TaskDocumentRef[]> {
  const db = database(deps.env.DB);
  if ("document_ids" in scope) {
    const found = await documentRefs(db, scope.document_ids);
    const missing = scope.document_ids.filter((id) => !found.has(id));
    if (missing.length) throw new PermanentTaskError(`Document ${missing.join(", ")} no longer exists`);
    return scope.document_ids.map((id) => found.get(id)!);
  }
  const search = await hybridSearch(deps.env, deps.providers, description, MAX_DOMAIN_DOCUMENTS, {
    scope: { domains: [scope.domain], tags: [] }, groupBy: "document",
  });
  if (search.results.length > 0) {
    return search.results.map((r) => ({ id: r.document_id, title: r.title, source: r.source, domain: r.domain }));
  }
  const recent = await domainDocuments(db, scope.domain, MAX_DOMAIN_DOCUMENTS);
  if (recent.length === 0) throw new PermanentTaskError(`The domain "${scope.domain}" has no documents`);
  return recent;
}

/** The not-covered fallback of a digest: the first sentences of the page's introduction, cited. */
function introDigest(source: SourceChunk): GeneratedAnswer {
  const text = sentences(source.content.replace(/```[\s\S]*?(?:```|$)/g, " ")).slice(0, INTRO_SENTENCES).join(" ");
  return { response: `**${source.heading}**\n${text} [${source.index}]`, hasSufficientInfo: text.length > 0, citedIndexes: [source.index], coverage: 0 };
}

/**
 * Digests one document for the description: its chunks ranked by the description's terms
 * (weighted by their IDF in the knowledge base; reading order breaks ties), the best
 * {@link DIGEST_CHUNKS} given to the configured generator. When no passage answers the
 * description, the digest is the page's introduction. A failing model is retried by the step;
 * on its last attempt (`lastAttempt`) the offline extractive generator answers instead. A model's
 * call counts against `owner`'s daily caps (the task's creator).
 *
 * @throws PermanentTaskError when the document no longer exists; Error from the generator (not on the last attempt) or D1.
 */
export async function digestDocument(deps: TaskDependencies, doc: TaskDocumentRef, description: string, lastAttempt: boolean, owner: UsageOwner = NO_OWNER): Promise<PartAnswer> {
  const db = database(deps.env.DB);
  const chunks = await documentChunks(db, doc.id);
  if (chunks.length === 0) throw new PermanentTaskError(`Document ${doc.id} no longer exists`);
  const terms = distinctContentTerms(description);
  const stats = await termStats(db, terms);
  const idf = new Map(terms.map((t) => [t, idfOf(stats, t)]));
  const scored = chunks.map((c) => {
    const have = new Set(contentTerms(`${c.heading} ${c.content}`));
    return { c, score: terms.reduce((s, t) => s + (hasTerm(have, t) ? idf.get(t)! : 0), 0) };
  });
  const best = scored.filter((x) => x.score > 0).sort((a, b) => b.score - a.score || a.c.index - b.c.index).slice(0, DIGEST_CHUNKS);
  const picked = best.length > 0 ? best.map((x) => x.c) : [chunks[0]];
  const sources: SourceChunk[] = picked.map((c, i) => ({
    index: i + 1, title: doc.title, source: doc.source, heading: headingPath(doc.title, c.heading), content: c.content, score: 1 / (1 + i),
  }));
  const chunkIds = picked.map((c) => c.id);
  let answer: GeneratedAnswer;
  try {
    answer = await deps.providers.generator.generate(description, sources, { idf });
    if (!deps.providers.generator.name.startsWith("offline")) await recordModelUsage(deps.env, owner, { calls: 1, tokens: answer.tokens ?? 0 });
  } catch (e) {
    if (!lastAttempt) throw e;
    answer = await new ExtractiveGenerator().generate(description, sources, { idf });
  }
  if (!answer.hasSufficientInfo) {
    const intro = chunks[0];
    const introSource: SourceChunk = { index: sources.length + 1, title: doc.title, source: doc.source, heading: headingPath(doc.title, intro.heading), content: intro.content, score: 0 };
    sources.push(introSource);
    chunkIds.push(intro.id);
    answer = introDigest(introSource);
  }
  return {
    heading: doc.title,
    response: answer.response,
    has_sufficient_info: answer.hasSufficientInfo,
    sources: sources.map((s) => ({ index: s.index, title: s.title, source: s.source, heading: s.heading, snippet: snippetOf(s.content), chunk_id: chunkIds[s.index - 1], document_id: doc.id })),
  };
}
