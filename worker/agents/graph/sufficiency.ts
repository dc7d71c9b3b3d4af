/**
 * Whether the knowledge base answers a question, decided from retrieval evidence that does not
 * collapse on long, conversational questions: the best retrieved chunk's IDF-weighted coverage of
 * the question's rarest terms (the words that say what the question is about), its coverage of all
 * the question's terms, the share of the question's IDF mass in words the knowledge base does not
 * contain at all (a neighbouring product, an option that does not exist), and whether BM25 and the
 * vector index agree on that chunk, and whether the message names something (an identifier, an
 * option, a product) the knowledge base never mentions. A logistic model over these features gives a score in 0..1;
 * the operating point (threshold) was fitted on the dev split of test/eval (BENCHMARKS.md).
 */
import { isTransposition } from "../../rag/spelling";
import { contentTerms, distinctContentTerms, hasTerm, isHangul } from "../../rag/text";
import type { RetrievedChunk } from "../../services/retrieve";

/** Evidence features of one question against its retrieved chunks, each in 0..1. */
export interface SufficiencyFeatures {
  /**
   * IDF-weighted share of the question's {@link RARE_TERMS} rarest terms found in the best chunk
   * (Latin-script terms unknown to the knowledge base included, as never found).
   */
  rare_coverage: number;
  /** IDF-weighted share of the question's known terms found in the best chunk, times (1 − unknown_share). */
  coverage: number;
  /**
   * Share of the IDF mass of the question's Latin-script terms that no chunk contains (after
   * spelling correction); Hangul terms are left out (see assessSufficiency).
   */
  unknown_share: number;
  /** 1 when the best chunk is in both the BM25 and the vector list, else 0. */
  agreement: number;
  /**
   * 1 when the message names something the knowledge base never mentions (an identifier, option or
   * product name, see rag/names.ts), else 0.
   */
  missing_name: number;
}

/** The decision and its evidence. */
export interface Sufficiency {
  /** Logistic score in 0..1 (see {@link SUFFICIENCY_MODEL}). */
  score: number;
  /** score ≥ the model's threshold. */
  sufficient: boolean;
  features: SufficiencyFeatures;
  /** chunk_id of the chunk the features were read from, or null without chunks. */
  best_chunk: string | null;
  /** The question's rarest known terms (index terms), rarest first. */
  rare_terms: string[];
  /** The question's Latin-script terms that no chunk contains. */
  unknown_terms: string[];
  /** Names of the message that the knowledge base never mentions, as written. */
  missing_names: string[];
}

/** Rare terms whose coverage is measured. */
export const RARE_TERMS = 3;

/**
 * Logistic model: score = σ(bias + Σ weight·feature). Fitted on the dev split of test/eval by
 * `npm run eval:answers -- --split dev` (features in each answer's trace); threshold = the
 * operating point.
 */
export const SUFFICIENCY_MODEL = {
  bias: -2.5,
  weights: { rare_coverage: 2, coverage: 8, unknown_share: -4, agreement: 0, missing_name: -6 },
  threshold: 0.5,
} as const;

/** Term statistics the assessment needs: IDF of known terms, and spelling corrections (from → to). */
export interface TermEvidence {
  /** IDF of index terms; a term absent from the map (or with df 0) is unknown to the knowledge base. */
  idf: ReadonlyMap<string, number>;
  /** Chunk frequency of index terms (0 or absent = unknown). */
  df: ReadonlyMap<string, number>;
  /** Corrections of misspelt query terms to index terms. */
  corrections: ReadonlyMap<string, string>;
  /** IDF of a term no chunk contains, ln(1 + (N + 0.5) / 0.5). */
  unknownIdf: number;
  /** Names of the message that no chunk mentions (rag/names.ts), as written; default none. */
  missingNames?: readonly string[];
}

/** Shortest stem (characters) whose one-edit spelling correction counts as a typo for sufficiency. */
export const TRUSTED_CORRECTION_LENGTH = 7;

/**
 * The correction of `term` when it is likely a typo: a stem of at least
 * {@link TRUSTED_CORRECTION_LENGTH} characters, or a swap of two adjacent letters. A shorter word one
 * edit from a vocabulary term is as likely another word ("bread" → "break", "tempo" → "tempor"),
 * so it stays unknown to the assessment (retrieval still searches the correction).
 */
export function trustedCorrection(term: string, correction: string | undefined): string | undefined {
  if (correction === undefined) return undefined;
  return term.length >= TRUSTED_CORRECTION_LENGTH || isTransposition(term, correction) ? correction : undefined;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The score of features under {@link SUFFICIENCY_MODEL}. */
export function sufficiencyScore(f: SufficiencyFeatures): number {
  const { bias, weights } = SUFFICIENCY_MODEL;
  return sigmoid(bias + weights.rare_coverage * f.rare_coverage + weights.coverage * f.coverage + weights.unknown_share * f.unknown_share + weights.agreement * f.agreement + weights.missing_name * f.missing_name);
}

/** The question's distinct index terms, with the spelling corrections that are likely typos applied. */
function questionTerms(question: string, evidence: TermEvidence): string[] {
  return [...new Set(distinctContentTerms(question).map((t) => trustedCorrection(t, evidence.corrections.get(t)) ?? t))];
}

/** The question's Latin-script index terms that no chunk contains (as {@link Sufficiency.unknown_terms}). */
export function unknownTerms(question: string, evidence: TermEvidence): string[] {
  return questionTerms(question, evidence).filter((t) => !isHangul(t) && (evidence.df.get(t) ?? 0) === 0);
}

/**
 * Assesses `question` against `docs` (best first). `messageUnknowns` are index terms of the whole
 * message the knowledge base lacks ({@link unknownTerms}), added to the terms of a part of a
 * decomposed message: "is there a useMountEffect hook? what arguments does it take?" must not pass
 * on its generic part. A question without content terms, or without chunks, is insufficient with
 * all features 0.
 */
export function assessSufficiency(question: string, docs: readonly RetrievedChunk[], evidence: TermEvidence, messageUnknowns: readonly string[] = []): Sufficiency {
  const unique = [...new Set([...questionTerms(question, evidence), ...messageUnknowns])];
  const known = unique.filter((t) => (evidence.df.get(t) ?? 0) > 0);
  const weight = (t: string) => ((evidence.df.get(t) ?? 0) > 0 ? (evidence.idf.get(t) ?? evidence.unknownIdf) : evidence.unknownIdf);
  const empty: Sufficiency = { score: 0, sufficient: false, features: { rare_coverage: 0, coverage: 0, unknown_share: 0, agreement: 0, missing_name: 0 }, best_chunk: null, rare_terms: [], unknown_terms: [], missing_names: [] };
  const missingNames = [...(evidence.missingNames ?? [])];
  if (unique.length === 0 || docs.length === 0) return { ...empty, missing_names: missingNames };
  // Conversational Korean ("건가요", "써도") is rare in documentation, so its words have a high IDF
  // or none: Hangul words count as unknown never, and as rare only when a retrieved chunk has them.
  // Unknown Latin-script words (a product, an option the documents lack) are the signal.
  const latin = unique.filter((t) => !isHangul(t));
  const latinWeight = latin.reduce((s, t) => s + weight(t), 0);
  const unknownShare = latinWeight > 0 ? latin.filter((t) => !known.includes(t)).reduce((s, t) => s + weight(t), 0) / latinWeight : 0;
  const docTerms = docs.map((d) => new Set(contentTerms(`${d.title} ${d.heading} ${d.content}`)));
  // Latin-script words the knowledge base lacks are the rarest of all and are never covered: "the
  // capital of Australia" must not pass on "capital" alone.
  const rare = [...known.filter((t) => !isHangul(t) || docTerms.some((ts) => hasTerm(ts, t))), ...latin.filter((t) => !known.includes(t))]
    .sort((a, b) => weight(b) - weight(a))
    .slice(0, RARE_TERMS);
  const rareWeight = rare.reduce((s, t) => s + weight(t), 0);

  let best = empty;
  for (const [i, d] of docs.entries()) {
    const chunkTerms = docTerms[i];
    const covered = (ts: readonly string[]) => ts.filter((t) => hasTerm(chunkTerms, t)).reduce((s, t) => s + weight(t), 0);
    const features: SufficiencyFeatures = {
      rare_coverage: rareWeight > 0 ? covered(rare) / rareWeight : 0,
      coverage: covered(known) / Math.max(known.reduce((s, t) => s + weight(t), 0), 1e-9) * (1 - unknownShare),
      unknown_share: unknownShare,
      agreement: d.lexical_rank !== null && d.vector_rank !== null ? 1 : 0,
      missing_name: missingNames.length > 0 ? 1 : 0,
    };
    const score = sufficiencyScore(features);
    if (score > best.score) best = { ...empty, score, features, best_chunk: d.chunk_id };
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    ...best,
    missing_names: missingNames,
    rare_terms: rare,
    unknown_terms: latin.filter((t) => !known.includes(t)),
    score: round(best.score),
    sufficient: best.score >= SUFFICIENCY_MODEL.threshold,
    features: Object.fromEntries(Object.entries(best.features).map(([k, v]) => [k, round(v)])) as unknown as SufficiencyFeatures,
  };
}
