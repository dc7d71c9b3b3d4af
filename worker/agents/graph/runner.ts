/**
 * The graph executor: runs named nodes from a state, choosing each next node with the pure routing
 * functions, reporting progress, and stopping at `clarify_hitl` with an interrupt that
 * `applyClarificationAnswer` + `runGraph` resume.
 */
import type { Providers } from "../../config";
import { database, type Database } from "../../db/client";
import { ApiError } from "../../http/errors";
import type { GeneratedAnswer, GenerationContext, SourceChunk } from "../../rag/generation/types";
import { NOT_COVERED_MESSAGE } from "../../rag/generation/types";
import { ExtractiveGenerator } from "../../rag/generation/extractive";
import { combineParts } from "../../rag/generation/combine";
import { TokenRecorder, type TokenSink } from "./streaming";
import { contentTerms, distinctContentTerms, isHangul } from "../../rag/text";
import { introChunks, titlesBySource } from "../../storage/documents";
import { headingPath, qualifyCollidingTitles, sectionPageSources } from "../../rag/headings";
import { hybridSearch, type RetrievedChunk } from "../../services/retrieve";
import { spreadSources } from "../../services/chat-sources";
import { idfOf, namesFound, prefixChunkFrequencies, termStats, vocabularyNear } from "../../storage/lexical";
import { nearestTerm } from "../../rag/spelling";
import { nameTerm, questionNames } from "../../rag/names";
import type { GraphModels } from "./models";
import { isDefinitionQuestion, REWRITE_STRATEGIES } from "./offline";
import { averageRelevance, needsDisclaimer, routeAfterAnalysis, routeAfterEvaluation } from "./routing";
import { addContinuations, dropUncitedContinuations } from "./continuations";
import { assessSufficiency, TRUSTED_CORRECTION_LENGTH, trustedCorrection, unknownTerms } from "./sufficiency";
import type { GraphState, NodeName, RelevanceGrade } from "./state";

/** A source of the final answer: a retrieved chunk or a web result (then `web` and `url` are set). */
export interface AnswerSource extends SourceChunk {
  /** The retrieved chunk's id and its document's id (absent for web results). */
  chunk_id?: string;
  document_id?: string;
  web?: true;
  url?: string;
}

/** A web search client (see agents/web); null when web search is not configured. */
export interface WebSearch {
  readonly name: string;
  search(query: string, maxResults?: number): Promise<{ title: string; url: string; content: string; score: number }[]>;
}

/** What the graph needs from outside: bindings, providers, models, progress reporting. */
export interface GraphContext {
  env: Env;
  providers: Providers;
  models: GraphModels;
  webSearch: WebSearch | null;
  /** True when the question was resolved against earlier turns (a pronoun then has a referent). */
  hasContext: boolean;
  onProgress?: (step: NodeName, message: string) => void | Promise<void>;
  /** Receives the answer's text while it is written (streaming callers only). */
  tokens?: TokenSink;
  /** Cancels the run: checked before every node and passed to model calls; the run then throws its reason. */
  signal?: AbortSignal;
}

/** A run either stops for a clarification or finishes with an answer. */
export type GraphOutcome =
  | { kind: "interrupt"; state: GraphState }
  | { kind: "done"; state: GraphState; sources: AnswerSource[]; needs_disclaimer: boolean; confidence: number };

/** Sources offered to generation, and candidates retrieved per (sub-)question. */
const TOP_SOURCES = 8;
/** Sources that come first, one per page. */
const DISTINCT_SOURCES = 5;
const CANDIDATES = 15;
const PER_SUB_QUESTION = 3;
/** Sub-question id of the chunks retrieved for the whole question of a decomposed one. */
const WHOLE_QUESTION = 0;
/** Names of a message checked against the knowledge base (rag/names.ts), the first ones. */
const MAX_CHECKED_NAMES = 8;

const PROGRESS: Record<NodeName, string> = {
  analyze_query: "Analysing the question",
  clarify_hitl: "Asking for a clarification",
  decompose_query: "Breaking the question into parts",
  retrieve_documents: "Searching the knowledge base",
  evaluate_relevance: "Grading the retrieved documents",
  rewrite_query: "Rewriting the query",
  web_search: "Searching the web",
  generate_response: "Writing the answer",
  evaluate_quality: "Checking the answer",
};

/** The words a chosen clarification option adds to the question: the last two parts of its label ("Collector > Exporters" → "Collector Exporters"). */
export function clarificationTopic(label: string): string {
  return label.split(" > ").slice(-2).join(" ");
}

/**
 * Applies the user's answer to a pending clarification: the chosen option's topic (or the free
 * text) refines the question, the round is counted, and the run restarts at `analyze_query`.
 * Throws ApiError 422 when there is no pending clarification or the option is unknown.
 */
export function applyClarificationAnswer(state: GraphState, answer: { selected_option?: string; custom_input?: string }): GraphState {
  const pending = state.clarification;
  if (!pending) throw new ApiError(422, "invalid_request", "There is no pending clarification in this session");
  let text: string;
  let scope = state.search_scope;
  if (answer.selected_option !== undefined) {
    const option = pending.options.find((o) => o.id === answer.selected_option || o.label === answer.selected_option);
    if (!option) throw new ApiError(422, "invalid_request", `Unknown option '${answer.selected_option}'`, { options: pending.options.map((o) => o.id) });
    text = clarificationTopic(option.label);
    if (option.domain && !scope) scope = { domains: [option.domain], tags: [] };
  } else if (answer.custom_input?.trim()) {
    text = answer.custom_input.trim();
  } else {
    throw new ApiError(422, "invalid_request", "Answer with selected_option or custom_input");
  }
  const question = `${state.question} ${text}`.slice(0, 2000);
  return {
    ...state,
    question,
    current_query: question,
    search_scope: scope,
    clarification: undefined,
    clarification_answers: [...state.clarification_answers, text],
    interaction_count: state.interaction_count + 1,
  };
}

async function timed<T>(state: GraphState, node: NodeName, ctx: GraphContext, fn: () => Promise<T>): Promise<T> {
  ctx.signal?.throwIfAborted();
  await ctx.onProgress?.(node, PROGRESS[node]);
  const start = performance.now();
  try {
    return await fn();
  } finally {
    state.node_sequence.push(node);
    state.timings_ms[node] = Math.round(((state.timings_ms[node] ?? 0) + performance.now() - start) * 10) / 10;
  }
}

function sourcesOf(state: GraphState, continuedBy: ReadonlyMap<string, string> = new Map()): AnswerSource[] {
  const position = new Map(state.documents.map((d, i) => [d.chunk_id, i + 1]));
  const chunks: AnswerSource[] = state.documents.map((d, i) => {
    const previous = continuedBy.get(d.chunk_id);
    return {
      index: i + 1, title: d.title, source: d.source, heading: d.heading, content: d.content, score: d.score,
      chunk_id: d.chunk_id, document_id: d.document_id, ...(previous && position.has(previous) ? { continues: position.get(previous)! } : {}),
    };
  });
  const web: AnswerSource[] = state.web_results.map((w, i) => ({
    index: chunks.length + i + 1, title: w.title, source: w.url, heading: "Web", content: w.content, score: w.score, web: true, url: w.url,
  }));
  return [...chunks, ...web];
}

/**
 * Retrieval for one query: candidates, then at most 2 chunks per document. For a definition
 * question ("What is X?"), the introduction of a retrieved page titled X comes first: that is where
 * documentation defines its subject, while reference sections ("Specification") often rank higher.
 */
async function retrieve(ctx: GraphContext, query: string, state: GraphState, k: number, cache: SearchCache, feedback = true): Promise<RetrievedChunk[]> {
  // Repeated searches of one query (same scope, same feedback) within a turn run once.
  const key = `${query}\u0000${JSON.stringify(state.search_scope ?? null)}\u0000${feedback}`;
  let ranked = cache.results.get(key);
  if (!ranked) {
    const found = await hybridSearch(ctx.env, ctx.providers, query, Math.max(k, CANDIDATES), { scope: state.search_scope, feedback });
    ranked = found.results;
    cache.results.set(key, ranked);
    for (const c of found.spelling_corrections) cache.corrections.set(c.from, c.to);
  }
  if (isDefinitionQuestion(query)) {
    const topical = distinctContentTerms(query);
    const titled = ranked.find((c) => {
      const title = new Set(contentTerms(c.title));
      return topical.length > 0 && topical.every((t) => title.has(t));
    });
    if (titled) {
      const isIntro = (c: RetrievedChunk) => c.document_id === titled.document_id && c.chunk_id.endsWith(":0");
      let intro = ranked.find(isIntro);
      if (!intro) {
        const [row] = await introChunks(database(ctx.env.DB), [titled.document_id]);
        if (row) {
          intro = {
            chunk_id: row.id, document_id: row.documentId, title: row.title, source: row.source, domain: row.domain,
            heading: headingPath(row.title, row.heading), content: row.content, score: titled.score, lexical_rank: titled.lexical_rank, vector_rank: titled.vector_rank, expansion_rank: titled.expansion_rank,
          };
        }
      }
      if (intro) ranked = [intro, ...ranked.filter((c) => !isIntro(c))];
    }
  }
  return spreadSources(ranked, k, DISTINCT_SOURCES, 2);
}

/**
 * The names of `question` (rag/names.ts) that the knowledge base never mentions, as written, among
 * its first {@link MAX_CHECKED_NAMES}. A likely typo of a known word is no such name: one that
 * retrieval spell-corrected, or, for one it could not (a name joined to a Korean particle:
 * "useFormStaus로"), one within the spelling distance of an index term of at least
 * {@link TRUSTED_CORRECTION_LENGTH} letters. One D1 statement, two when a one-word name is missing.
 */
async function namesMissing(db: Database, question: string, corrections: ReadonlyMap<string, string>): Promise<string[]> {
  const names = questionNames(question)
    .map((name) => ({ name, term: nameTerm(name) }))
    .filter(({ term }) => !(term && trustedCorrection(term, corrections.get(term))))
    .slice(0, MAX_CHECKED_NAMES);
  const found = await namesFound(db, names.map(({ name }) => name.words), MAX_CHECKED_NAMES);
  const unfound = names.filter((_, i) => !found.has(i));
  const near = await vocabularyNear(db, unfound.flatMap(({ term }) => (term !== null && term.length >= TRUSTED_CORRECTION_LENGTH ? [term] : [])));
  return unfound.filter(({ term }) => !(term && near.has(term) && nearestTerm(term, near.get(term)!) !== null)).map(({ name }) => name.surface);
}

/**
 * The chunks with pages that share a title ("Exporters" per language) told apart by their section
 * page's title (rag/headings.ts), as the analysis and clarification options name them.
 */
async function named(db: Database, chunks: RetrievedChunk[]): Promise<RetrievedChunk[]> {
  const sections = [...new Set(chunks.flatMap((c) => sectionPageSources(c.source)))];
  const titles = await titlesBySource(db, sections);
  return qualifyCollidingTitles(chunks, (source) => sectionPageSources(source).map((s) => titles.get(s)).find(Boolean));
}

/** Searches of one turn: ranked chunks per (query, scope, feedback), and every spelling correction made. */
interface SearchCache {
  results: Map<string, RetrievedChunk[]>;
  corrections: Map<string, string>;
}

/** Runs the graph from `start` until it finishes or interrupts. Mutates and returns `state`. */
export async function runGraph(initial: GraphState, ctx: GraphContext, start: NodeName = "analyze_query"): Promise<GraphOutcome> {
  const state = initial;
  const db = database(ctx.env.DB);
  let probe: RetrievedChunk[] = [];
  let next: NodeName | "END" = start;
  let answer: GeneratedAnswer | null = null;
  let docSubQuestion = new Map<string, number>();
  const searches: SearchCache = { results: new Map(), corrections: new Map() };
  /** IDF of the question's terms in the knowledge base, read by evaluate_relevance for generation. */
  let questionIdf = new Map<string, number>();

  while (next !== "END") {
    const node: NodeName = next;
    switch (node) {
      case "analyze_query": {
        const result = await timed(state, node, ctx, async () => {
          // Short questions, which may be vague, are probed without pseudo-relevance feedback, which
          // would hide the less likely interpretations; longer ones cannot be (analyzeOffline) and
          // share the search that retrieve_documents makes next.
          const vague = distinctContentTerms(state.question).length <= 2;
          probe = await named(db, await retrieve(ctx, state.question, state, 10, searches, !vague));
          return ctx.models.analyze(state.question, probe, ctx.hasContext);
        });
        state.analysis = result.value;
        countLlm(state, result);
        state.current_query = result.value.refined_query;
        next = routeAfterAnalysis(state);
        break;
      }
      case "clarify_hitl": {
        const result = await timed(state, node, ctx, () => ctx.models.clarify(state.question, probe, isHangul(state.question)));
        countLlm(state, result);
        if (result.value.options.length < 2) {
          // Nothing to choose between: answer as best we can.
          state.analysis = { ...state.analysis!, is_ambiguous: false };
          next = state.analysis.complexity === "complex" ? "decompose_query" : "retrieve_documents";
          break;
        }
        state.clarification = {
          clarification_question: result.value.question,
          options: result.value.options,
          allow_custom_input: true,
          interaction_count: state.interaction_count,
        };
        return { kind: "interrupt", state };
      }
      case "decompose_query": {
        const result = await timed(state, node, ctx, () => ctx.models.decompose(state.current_query));
        countLlm(state, result);
        Object.assign(state, result.value);
        // A later part searches with the names of the message it lacks ("… and what is its
        // default?" → "… OTEL_TRACES_SAMPLER"): it was written leaning on the first.
        const messageNames = questionNames(state.current_query).map((n) => n.surface);
        state.sub_queries = state.sub_questions.map((s, i) => {
          const lacking = i === 0 ? [] : messageNames.filter((n) => !s.question.includes(n));
          return lacking.length > 0 ? `${s.question} ${lacking.join(" ")}` : s.question;
        });
        next = "retrieve_documents";
        break;
      }
      case "retrieve_documents": {
        await timed(state, node, ctx, async () => {
          if (state.sub_questions.length > 1) {
            // Each part's chunks, taken in turns with the whole question's (sub-question id 0, the
            // search analyze_query already made): a later ask ("and where do its logs go?") lacks
            // the subject that the whole question carries.
            const lists: { id: number; chunks: RetrievedChunk[] }[] = [{ id: WHOLE_QUESTION, chunks: probe.slice(0, PER_SUB_QUESTION) }];
            for (const group of state.parallel_groups) {
              const results = await Promise.all(
                // Without pseudo-relevance feedback: each part takes only its best 3 chunks, and the
                // expanded BM25 pass would double the cost of every part's search.
                group.map((id) => retrieve(ctx, state.sub_queries[state.sub_questions.findIndex((s) => s.id === id)], state, PER_SUB_QUESTION, searches, false)),
              );
              results.forEach((chunks, i) => lists.push({ id: group[i], chunks }));
            }
            const docs: RetrievedChunk[] = [];
            docSubQuestion = new Map();
            for (let rank = 0; rank < PER_SUB_QUESTION; rank++) {
              for (const { id, chunks } of lists) {
                const c = chunks[rank];
                if (!c || docSubQuestion.has(c.chunk_id)) continue;
                docSubQuestion.set(c.chunk_id, id);
                docs.push(c);
              }
            }
            state.documents = docs;
          } else {
            // A rewritten query searches without pseudo-relevance feedback: the rewrite strategies
            // already expand or focus it, and the second BM25 pass would double each retry's cost.
            state.documents = await retrieve(ctx, state.current_query, state, TOP_SOURCES, searches, state.retry_count === 0);
          }
        });
        next = "evaluate_relevance";
        break;
      }
      case "evaluate_relevance": {
        await timed(state, node, ctx, async () => {
          // Graded against what the user asked: a rewrite's expansion terms must not inflate relevance.
          const queries = state.sub_questions.length > 1 ? state.sub_questions.map((s) => s.question) : [state.question];
          const stats = await termStats(db, [...queries.flatMap((q) => contentTerms(q)), ...searches.corrections.values()]);
          // Korean words are indexed with their particles ("상태를", "usestate를"): unknown stems are counted as prefixes followed by Hangul.
          const unseen = [...stats.df.keys()].filter((t) => stats.df.get(t) === 0);
          for (const [t, df] of await prefixChunkFrequencies(db, unseen, stats.n)) stats.df.set(t, df);
          const idf = new Map([...stats.df.keys()].map((t) => [t, idfOf(stats, t)]));
          questionIdf = new Map([...idf].filter(([t]) => (stats.df.get(t) ?? 0) > 0));
          const missingNames = await namesMissing(db, state.question, searches.corrections);
          const evidence = { idf, df: stats.df, corrections: searches.corrections, unknownIdf: Math.log(1 + (stats.n + 0.5) / 0.5), missingNames };
          if (state.sub_questions.length > 1) {
            // Words of the message the knowledge base lacks count against every part.
            const unknown = unknownTerms(state.question, evidence);
            state.sub_sufficiency = state.sub_questions.map((sub) =>
              assessSufficiency(sub.question, state.documents.filter((d) => [sub.id, WHOLE_QUESTION].includes(docSubQuestion.get(d.chunk_id) ?? -1)), evidence, unknown));
            state.sufficiency = state.sub_sufficiency.reduce((a, b) => (b.score > a.score ? b : a));
          } else {
            state.sub_sufficiency = [];
            state.sufficiency = assessSufficiency(state.question, state.documents, evidence);
          }
          if (state.sub_questions.length > 1) {
            const grades: RelevanceGrade[] = [];
            const whole = state.documents.filter((d) => docSubQuestion.get(d.chunk_id) === WHOLE_QUESTION);
            if (whole.length > 0) {
              const g = await ctx.models.grade(state.question, whole, idf);
              countLlm(state, g);
              grades.push(...g.value);
            }
            for (const sub of state.sub_questions) {
              const docs = state.documents.filter((d) => docSubQuestion.get(d.chunk_id) === sub.id);
              const g = await ctx.models.grade(sub.question, docs, idf);
              countLlm(state, g);
              grades.push(...g.value);
            }
            state.grades = state.documents.map((d) => grades.find((g) => g.chunk_id === d.chunk_id)!);
          } else {
            const g = await ctx.models.grade(state.question, state.documents, idf);
            countLlm(state, g);
            state.grades = g.value;
          }
        });
        const avg = Math.round(averageRelevance(state.grades) * 1000) / 1000;
        state.initial_avg_relevance ??= avg;
        state.final_avg_relevance = avg;
        next = routeAfterEvaluation(state, ctx.webSearch !== null);
        break;
      }
      case "rewrite_query": {
        await timed(state, node, ctx, async () => {
          const strategy = REWRITE_STRATEGIES[state.retry_count % REWRITE_STRATEGIES.length];
          const targets = state.sub_questions.length > 1 ? state.sub_queries : [state.current_query];
          const stats = await termStats(db, targets.flatMap((q) => contentTerms(q)));
          const rewritten: string[] = [];
          for (const q of targets) {
            const r = await ctx.models.rewrite(q, strategy, state.documents, stats.df);
            countLlm(state, r);
            rewritten.push(r.value);
          }
          if (state.sub_questions.length > 1) state.sub_queries = rewritten;
          else state.current_query = rewritten[0];
          state.rewritten_queries.push({ query: rewritten.join(" | "), strategy });
        });
        state.retry_count++;
        state.correction_triggered = true;
        next = "retrieve_documents";
        break;
      }
      case "web_search": {
        await timed(state, node, ctx, async () => {
          state.web_search_triggered = true;
          try {
            state.web_results = (await ctx.webSearch!.search(state.question, 3)).map((r) => ({ ...r }));
          } catch (e) {
            console.error(JSON.stringify({ level: "warn", message: "web search failed", error: String(e) }));
            state.web_results = [];
          }
        });
        next = "generate_response";
        break;
      }
      case "generate_response": {
        const recorder = ctx.tokens ? new TokenRecorder(ctx.tokens) : null;
        answer = await timed(state, node, ctx, async () => {
          if (state.sufficiency && !state.sufficiency.sufficient && state.web_results.length === 0) {
            return { response: NOT_COVERED_MESSAGE, hasSufficientInfo: false, citedIndexes: [], coverage: 0 };
          }
          const continuedBy = new Map<string, string>();
          const added = await addContinuations(db, state, continuedBy);
          const sources = sourcesOf(state, continuedBy);
          return dropUncitedContinuations(state, await generate(sources), added, sources.length);
        });
        async function generate(sources: AnswerSource[]): Promise<GeneratedAnswer> {
          // Keep the graded-relevant chunks (and web results) for generation.
          const usable = sources.filter((s, i) => s.web || (state.grades[i]?.level ?? "low") !== "low" || state.grades.length === 0);
          const offered = [...usable, ...sources.filter((s) => !usable.includes(s))];
          if (state.sub_questions.length > 1) {
            const parts: GeneratedAnswer[] = [];
            for (const [i, sub] of state.sub_questions.entries()) {
              // A part the knowledge base does not answer is left out (the others are still answered).
              if (state.sub_sufficiency[i] && !state.sub_sufficiency[i].sufficient && state.web_results.length === 0) continue;
              // Its own chunks first, then the others: a later ask ("and where do its logs go?") often
              // lacks the subject that the whole question's chunks carry.
              const own = (s: AnswerSource) => s.web || docSubQuestion.get(state.documents[s.index - 1]?.chunk_id) === sub.id || !docSubQuestion.size;
              const subSources = [...offered.filter(own), ...offered.filter((s) => !own(s))];
              parts.push(await generateWithFallback(ctx, state, sub.question, subSources, { idf: questionIdf, corrections: searches.corrections, signal: ctx.signal }));
            }
            if (parts.length === 0) return { response: NOT_COVERED_MESSAGE, hasSufficientInfo: false, citedIndexes: [], coverage: 0 };
            if (!parts.some((p) => p.hasSufficientInfo)) return parts[0];
            return combineParts(parts, sources.length);
          }
          // The first source (for a definition question, the page's introduction), then the rest by
          // retrieval score (the sources list puts one chunk per page first, for the reader).
          const byScore = [offered[0], ...offered.slice(1).sort((a, b) => b.score - a.score)];
          return generateWithFallback(ctx, state, state.question, byScore, {
            idf: questionIdf, corrections: searches.corrections, onToken: recorder?.onToken, signal: ctx.signal,
          });
        }
        // The stream ends on the finished answer (a reset first when something else was streamed).
        await recorder?.finish(answer.response);
        state.response = answer.response;
        state.has_sufficient_info = answer.hasSufficientInfo;
        state.cited_indexes = answer.citedIndexes;
        state.coverage = answer.coverage;
        next = "evaluate_quality";
        break;
      }
      case "evaluate_quality": {
        const result = await timed(state, node, ctx, () =>
          ctx.models.quality(state.question, state.sub_questions, state.response ?? "", sourcesOf(state).map((s) => s.content), state.has_sufficient_info ?? false),
        );
        countLlm(state, result);
        state.quality = result.value;
        next = "END";
        break;
      }
    }
  }
  const confidence = state.quality?.confidence ?? 0;
  return {
    kind: "done",
    state,
    sources: sourcesOf(state),
    confidence,
    needs_disclaimer: !state.has_sufficient_info || needsDisclaimer(confidence, state.web_results.length > 0 && state.cited_indexes.some((i) => i > state.documents.length)),
  };
}

/** Adds a step's LLM calls and their tokens to the state's totals. */
function countLlm(state: GraphState, step: { llmCalls: number; tokens?: number }): void {
  state.total_llm_calls += step.llmCalls;
  state.total_llm_tokens = (state.total_llm_tokens ?? 0) + (step.tokens ?? 0);
}

/** Generates with the configured generator, falling back to the offline one on provider failure. */
async function generateWithFallback(ctx: GraphContext, state: GraphState, query: string, sources: AnswerSource[], evidence: GenerationContext): Promise<GeneratedAnswer> {
  if (sources.length === 0) return { response: NOT_COVERED_MESSAGE, hasSufficientInfo: false, citedIndexes: [], coverage: 0 };
  try {
    const answer = await ctx.providers.generator.generate(query, sources, evidence);
    if (!ctx.providers.generator.name.startsWith("offline")) countLlm(state, { llmCalls: 1, tokens: answer.tokens });
    return answer;
  } catch (e) {
    if (ctx.signal?.aborted) throw e;
    console.error(JSON.stringify({ level: "warn", message: "generator failed, using offline fallback", provider: ctx.providers.generator.name, error: String(e) }));
    return new ExtractiveGenerator().generate(query, sources, evidence);
  }
}
