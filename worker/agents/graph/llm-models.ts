/**
 * Model-backed implementations of the graph's steps over any JSON-producing chat model (an
 * OpenAI-compatible endpoint or Workers AI). Every step validates the model's JSON with zod and
 * falls back to the offline implementation when the model fails (rate limits and timeouts after
 * their retries, unparseable output after one simpler retry). Clarification options always come
 * from retrieval, so they stay grounded in the knowledge base.
 */
import { z } from "zod";
import type { AiRunner } from "../../rag/embedding/workers-ai";
import type { RetrievedChunk } from "../../services/retrieve";
import { offlineModels, type Counted, type GraphModels } from "./models";
import { topicsOf, MAX_QUERY_CHARS } from "./offline";
import { confidenceFrom, relevanceLevel } from "./routing";
import { block, questionBlock, sourceBlock, withUntrustedRules } from "../../guardrails/prompt";
import { messageChars, tokensOf } from "../../usage/caps";

/** A chat model that answers with JSON validated by a zod schema. Throws when it cannot. */
export interface JsonCompleter {
  readonly name: string;
  /** `tokens`: prompt + completion tokens of the calls (worker/usage/caps.ts `tokensOf`); absent counts 0. */
  complete<T>(params: { system: string; user: string; schema: z.ZodType<T>; simplerUser?: string }): Promise<{ value: T; llmCalls: number; tokens?: number }>;
}

const Score = z.number().min(0).max(1);

const AnalysisSchema = z.object({
  complexity: z.enum(["simple", "complex"]),
  is_ambiguous: z.boolean(),
  ambiguity_type: z.enum(["none", "vague_term", "missing_context", "broad_topic"]),
  clarity_confidence: Score,
  refined_query: z.string().min(1).max(MAX_QUERY_CHARS),
});
const ClarifySchema = z.object({ clarification_question: z.string().min(1).max(500) });
const DecomposeSchema = z.object({
  sub_questions: z.array(z.string().min(1).max(500)).min(1).max(5),
  parallel_groups: z.array(z.array(z.number().int().min(1).max(5))).min(1),
  synthesis_guide: z.string().max(1000),
});
const GradeSchema = z.object({
  grades: z.array(z.object({ index: z.number().int().min(1), relevance_score: Score, reason: z.string().max(500), useful_parts: z.array(z.string()).max(3) })),
});
const RewriteSchema = z.object({ query: z.string().min(1).max(MAX_QUERY_CHARS) });
const QualitySchema = z.object({ completeness: Score, accuracy: Score, clarity: Score });

const STRATEGY_HINTS: Record<string, string> = {
  keyword_focus: "Reduce the question to its essential search keywords.",
  pseudo_relevance_feedback: "Add the specific terms the documentation itself uses for this topic (see the excerpts).",
  drop_unknown_terms: "Rephrase with more general, common words; drop words that look misspelled or overly specific.",
};

function topicsText(probe: readonly RetrievedChunk[]): string {
  return topicsOf(probe).map((t) => `- ${t.label} (${t.count} sources${t.domain ? `, domain ${t.domain}` : ""})`).join("\n") || "- (nothing found)";
}

/** Runs `llm`, or the offline step when it throws; LLM calls and their tokens are counted either way. */
async function withFallback<T>(step: string, llm: () => Promise<Counted<T>>, offline: () => Promise<Counted<T>>): Promise<Counted<T>> {
  try {
    return await llm();
  } catch (e) {
    const calls = (e as { llmCalls?: number }).llmCalls ?? 1;
    const tokens = (e as { tokens?: number }).tokens ?? 0;
    console.error(JSON.stringify({ level: "warn", message: `${step}: model failed, using the offline step`, error: e instanceof Error ? e.message : String(e) }));
    const fallback = await offline();
    return { value: fallback.value, llmCalls: fallback.llmCalls + calls, tokens: (fallback.tokens ?? 0) + tokens };
  }
}

/** Graph steps backed by `model`, each falling back to `offlineModels`. */
export function llmModels(model: JsonCompleter): GraphModels {
  const ask = async <T>(system: string, user: string, schema: z.ZodType<T>): Promise<Counted<T>> => {
    const r = await model.complete({ system: withUntrustedRules(`${system}\nAnswer with a JSON object only.`), user, schema });
    return { value: r.value, llmCalls: r.llmCalls, tokens: r.tokens ?? 0 };
  };
  return {
    name: model.name,
    analyze: (question, probe, hasContext) =>
      withFallback("analyze_query", async () => {
        const r = await ask(
          "TASK:analyze. You analyse questions sent to a documentation assistant. complexity is \"complex\" when the question compares things or asks several things. is_ambiguous is true only when the question could mean several of the listed topics and the user must choose, or it refers to something not given (missing_context). refined_query restates the question clearly in its own language.",
          `Question:\n${questionBlock(question)}\nConversation context available: ${hasContext}\nTopics the knowledge base returns for it:\n${topicsText(probe)}\nJSON keys: complexity, is_ambiguous, ambiguity_type (none|vague_term|missing_context|broad_topic), clarity_confidence (0..1), refined_query.`,
          AnalysisSchema,
        );
        const domains = [...new Set(probe.map((c) => c.domain).filter((d): d is string => !!d))];
        return { value: { ...r.value, detected_domains: domains.slice(0, 5) }, llmCalls: r.llmCalls, tokens: r.tokens };
      }, () => offlineModels.analyze(question, probe, hasContext)),
    clarify: (question, probe, korean) =>
      withFallback("clarify_hitl", async () => {
        const offline = (await offlineModels.clarify(question, probe, korean)).value;
        const r = await ask(
          "TASK:clarify. Write one short clarification question asking the user which of the listed topics they mean, in the language of their question.",
          `Question:\n${questionBlock(question)}\nTopics:\n${block("untrusted_text", topicsText(probe))}\nJSON key: clarification_question.`,
          ClarifySchema,
        );
        return { value: { question: r.value.clarification_question, options: offline.options }, llmCalls: r.llmCalls, tokens: r.tokens };
      }, () => offlineModels.clarify(question, probe, korean)),
    decompose: (question) =>
      withFallback("decompose_query", async () => {
        const r = await ask(
          "TASK:decompose. Split a complex question into at most 5 self-contained sub-questions. parallel_groups lists 1-based sub-question numbers that can be searched at the same time; groups run in order. synthesis_guide says how to combine the answers.",
          `Question:\n${questionBlock(question)}\nJSON keys: sub_questions, parallel_groups, synthesis_guide.`,
          DecomposeSchema,
        );
        const subs = r.value.sub_questions.map((q, i) => ({ id: i + 1, question: q }));
        const valid = new Set(subs.map((s) => s.id));
        const groups = r.value.parallel_groups.map((g) => g.filter((id) => valid.has(id))).filter((g) => g.length > 0);
        const covered = new Set(groups.flat());
        const missing = subs.filter((s) => !covered.has(s.id)).map((s) => s.id);
        return {
          value: { sub_questions: subs, parallel_groups: missing.length ? [...groups, missing] : groups, synthesis_guide: r.value.synthesis_guide },
          llmCalls: r.llmCalls,
          tokens: r.tokens,
        };
      }, () => offlineModels.decompose(question)),
    grade: (query, docs, idf) =>
      withFallback("evaluate_relevance", async () => {
        if (docs.length === 0) return { value: [], llmCalls: 0 };
        const r = await ask(
          "TASK:grade. Grade how well each numbered document helps answer the question: relevance_score 0..1 (1 = answers it directly), a short reason, and up to 3 useful sentences copied from the document.",
          `Question:\n${questionBlock(query)}\n\n${docs.map((d, i) => sourceBlock(i + 1, d.heading, d.content.slice(0, 1500))).join("\n\n")}\nJSON key: grades (one per document, with index).`,
          GradeSchema,
        );
        const byIndex = new Map(r.value.grades.map((g) => [g.index, g]));
        if (docs.some((_, i) => !byIndex.has(i + 1))) throw new Error("a document was not graded");
        return {
          value: docs.map((d, i) => {
            const g = byIndex.get(i + 1)!;
            return { chunk_id: d.chunk_id, relevance_score: g.relevance_score, level: relevanceLevel(g.relevance_score), reason: g.reason, useful_parts: g.useful_parts };
          }),
          llmCalls: r.llmCalls,
          tokens: r.tokens,
        };
      }, () => offlineModels.grade(query, docs, idf)),
    rewrite: (query, strategy, docs, df) =>
      withFallback("rewrite_query", async () => {
        const r = await ask(
          `TASK:rewrite. Rewrite a search query for a documentation search engine. Strategy ${strategy}: ${STRATEGY_HINTS[strategy] ?? ""}`,
          `Query:\n${questionBlock(query)}\nExcerpts of what the search found:\n${block("untrusted_sources", docs.slice(0, 3).map((d) => `- ${d.heading}: ${d.content.slice(0, 300)}`).join("\n"))}\nJSON key: query.`,
          RewriteSchema,
        );
        return { value: r.value.query, llmCalls: r.llmCalls, tokens: r.tokens };
      }, () => offlineModels.rewrite(query, strategy, docs, df)),
    quality: (question, subQuestions, response, sourceTexts, sufficient) =>
      withFallback("evaluate_quality", async () => {
        if (!sufficient) return offlineModels.quality(question, subQuestions, response, sourceTexts, sufficient);
        const r = await ask(
          "TASK:quality. Score an answer from 0 to 1: completeness (covers every part of the question), accuracy (every statement is supported by the sources), clarity (clear and concise).",
          `Question:\n${questionBlock(question)}\n${subQuestions.length > 1 ? `Parts:\n${block("untrusted_text", subQuestions.map((s) => s.question).join(" | "))}\n` : ""}Answer:\n${block("untrusted_text", response)}\nSources:\n${sourceTexts.map((t, i) => sourceBlock(i + 1, "", t.slice(0, 800))).join("\n")}\nJSON keys: completeness, accuracy, clarity.`,
          QualitySchema,
        );
        return { value: { ...r.value, confidence: confidenceFrom(r.value) }, llmCalls: r.llmCalls, tokens: r.tokens };
      }, () => offlineModels.quality(question, subQuestions, response, sourceTexts, sufficient)),
  };
}

/**
 * A JsonCompleter over Workers AI text generation: JSON mode, zod validation, one retry with the
 * simpler prompt on unparseable output; throws after that.
 */
export function workersAiCompleter(ai: AiRunner, model: string): JsonCompleter {
  return {
    name: `workers-ai:${model}`,
    async complete({ system, user, schema, simplerUser }) {
      let calls = 0;
      let tokens = 0;
      for (const prompt of [user, simplerUser ?? `${user}\nAnswer with JSON only.`]) {
        calls++;
        const messages = [{ role: "system", content: system }, { role: "user", content: prompt }];
        const res = (await ai.run(model, { messages, response_format: { type: "json_object" } })) as { response?: unknown; usage?: unknown };
        const raw = typeof res?.response === "string" ? res.response : JSON.stringify(res?.response ?? null);
        // Recent Workers AI models return OpenAI-style usage; older ones none (then estimated).
        tokens += tokensOf(res?.usage, messageChars(messages), raw.length);
        try {
          const parsed = schema.safeParse(JSON.parse(raw));
          if (parsed.success) return { value: parsed.data, llmCalls: calls, tokens };
        } catch {
          // not JSON: retry once with the simpler prompt
        }
      }
      throw Object.assign(new Error("Workers AI returned no valid JSON"), { llmCalls: calls, tokens });
    },
  };
}
