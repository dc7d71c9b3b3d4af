/**
 * The answering step of a research task: one sub-question through the chat's retrieval and
 * generation path (the agent graph from retrieval on: grading, rewrites, web fallback when
 * configured, generation and its offline fallback), so that it is answered and cited exactly as
 * a chat answer is. No clarification is asked: the plan's sub-questions are specific already.
 */
import { offlineModels } from "../agents/graph/models";
import { runGraph, type AnswerSource } from "../agents/graph/runner";
import { initialState } from "../agents/graph/state";
import { countingEmbedder } from "../rag/embedding/counting";
import type { SearchScope } from "../schemas";
import { recordModelUsage, type UsageOwner } from "../services/model-quota";
import { snippetOf, type PartSource } from "./citations";
import type { TaskDependencies } from "./providers";
import type { PartAnswer } from "./report";
import type { TaskScope } from "./types";

/** The retrieval scope of a task's scope: a domain restricts retrieval; no scope (or document ids) searches everything. */
export function searchScopeOf(scope: TaskScope | null): SearchScope | undefined {
  return scope && "domain" in scope ? { domains: [scope.domain], tags: [] } : undefined;
}

/** The owner of a task created without a user: nothing is counted. */
export const NO_OWNER: UsageOwner = { userId: null, sessionId: null };

/** A graph source as a report part's source (its text shortened to a snippet). */
export function partSource(s: AnswerSource): PartSource {
  return {
    index: s.index, title: s.title, source: s.source, heading: s.heading, snippet: snippetOf(s.content),
    ...(s.chunk_id ? { chunk_id: s.chunk_id, document_id: s.document_id } : {}),
    ...(s.web ? { web: true as const, url: s.url } : {}),
  };
}

/**
 * Answers one sub-question (1 to 2,000 characters) within `scope`; its model calls count against
 * `owner`'s daily caps (the task's creator).
 *
 * @returns The answer with `[n]` markers into its own sources; `has_sufficient_info` false when
 *   the knowledge base does not cover it (the response is then the not-covered message).
 * @throws Error from retrieval (embedding provider, vector index, D1): the step retries it.
 */
export async function answerQuestion(deps: TaskDependencies, question: string, scope: TaskScope | null, owner: UsageOwner = NO_OWNER): Promise<PartAnswer> {
  const embedding = countingEmbedder(deps.providers.embedder);
  const outcome = await runGraph(
    initialState(question, searchScopeOf(scope)),
    { env: deps.env, providers: { ...deps.providers, embedder: embedding.embedder }, models: deps.models ?? offlineModels, webSearch: deps.webSearch, hasContext: false },
    "retrieve_documents",
  );
  const embedded = embedding.usage();
  await recordModelUsage(deps.env, owner, { calls: outcome.state.total_llm_calls + embedded.calls, tokens: (outcome.state.total_llm_tokens ?? 0) + embedded.tokens });
  if (outcome.kind !== "done") throw new Error("the agent graph stopped for a clarification");
  return {
    heading: question,
    response: outcome.state.response ?? "",
    has_sufficient_info: outcome.state.has_sufficient_info ?? false,
    sources: outcome.sources.map(partSource),
  };
}
