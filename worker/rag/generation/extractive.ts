/**
 * The offline default generator: extractive question answering. It scores every sentence of the
 * top sources by the query terms it contains (each term weighted by its rarity across the
 * candidate sentences, a local IDF), picks the best few that add new query terms, and cites each
 * one. It never emits text that is not in a source; when no sentence covers enough of the query,
 * it says the knowledge base does not cover the question.
 */
import { contentTerms, distinctContentTerms, hasTerm, sentences } from "../text";
import { NOT_COVERED_MESSAGE, type GeneratedAnswer, type Generator, type SourceChunk } from "./types";

/** Tuning of the extractive generator. */
export interface ExtractiveOptions {
  /** Sources considered, best first (default 5). */
  maxSources: number;
  /** Sentences in an answer (default 4). */
  maxSentences: number;
  /** Minimum weighted query-term coverage of the selected sentences for an answer (0..1, default 0.5). */
  minCoverage: number;
  /**
   * Minimum weighted coverage of the best single sentence (0..1, default 0.4), so that words of
   * the question scattered over unrelated sentences do not pass for an answer.
   */
  minSentenceCoverage: number;
  /** Sentences longer than this many characters are skipped (default 600). */
  maxSentenceChars: number;
}

const DEFAULTS: ExtractiveOptions = { maxSources: 5, maxSentences: 4, minCoverage: 0.5, minSentenceCoverage: 0.4, maxSentenceChars: 600 };

interface Candidate {
  source: number;
  position: number;
  text: string;
  terms: Set<string>;
  /** True when the sentence reads as a definition of a query term ("Baggage is …"). */
  defines: boolean;
}

const DEFINITION_QUESTION_RE = /^\s*(what\s+(is|are)|what's|define|explain)\b|(이란|란)\s*(무엇|뭔가)/i;
const DEFINITION_VERB_RE = /\b(is|are|refers to|means|describes|defines|lets you|allows you|enables|provides)\b/i;
/** Korean subject particles: "Reducer는 …", "순수 함수란 …". */
const KOREAN_SUBJECT_RE = /^(\S+?)(은|는|이|가|란|이란)\s/u;

/**
 * True when `sentence` opens with a short subject holding a query term, followed by a defining
 * verb: "Baggage is …", "In OpenTelemetry, baggage is …", "The Collector lets you …".
 */
function isDefinition(sentence: string, queryTerms: readonly string[]): boolean {
  const korean = KOREAN_SUBJECT_RE.exec(sentence);
  if (korean) {
    const subject = new Set(contentTerms(korean[1]));
    if (queryTerms.some((t) => subject.has(t))) return true;
  }
  const head = sentence.split(/\s+/).slice(0, 9).join(" ");
  const verb = DEFINITION_VERB_RE.exec(head);
  if (!verb) return false;
  let subject = head.slice(0, verb.index);
  const comma = subject.indexOf(",");
  if (comma >= 0 && subject.slice(0, comma).split(/\s+/).length <= 4) subject = subject.slice(comma + 1);
  if (subject.trim().split(/\s+/).length > 4) return false;
  const terms = new Set(contentTerms(subject));
  return queryTerms.some((t) => terms.has(t));
}

const FENCED_CODE_RE = /```[\s\S]*?(?:```|$)/g;
const CODE_LINE_RE = /^\s*(?:\/\/|#|\$|>|\*|--|<!--)/;
/** A sentence ends with terminal punctuation (Latin, CJK, or a closing quote/bracket after it). */
const TERMINATED_RE = /[.!?。！？]["')\]]?$/;

/** Sentences that only point elsewhere ("For more information, see …") answer nothing. */
const POINTER_RE = /^(for (more|further|additional) (information|details)|to learn more|learn more|for details|see (also |the )?|refer to|read (more|the)|check out|visit|more information)|(자세한 (내용|정보)|참고하세요|참조하세요|확인하세요)/i;

/** True for complete prose sentences: not code, tables, pointers or heading-like fragments. */
function looksLikeProse(s: string): boolean {
  if (s.length < 25 || CODE_LINE_RE.test(s) || POINTER_RE.test(s)) return false;
  const wordCount = s.split(/\s+/).length;
  if (!(TERMINATED_RE.test(s) ? wordCount >= 5 : wordCount >= 12)) return false;
  const letters = (s.match(/[\p{L}\s]/gu) ?? []).length;
  if (letters / s.length < 0.75) return false;
  return !/[{};=<>]{2,}|^\s*[$#>]|\|.*\|/.test(s);
}

export class ExtractiveGenerator implements Generator {
  readonly name = "offline-extractive";
  private readonly options: ExtractiveOptions;

  constructor(options: Partial<ExtractiveOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  async generate(query: string, sources: readonly SourceChunk[]): Promise<GeneratedAnswer> {
    const queryTerms = distinctContentTerms(query);
    const wantsDefinition = DEFINITION_QUESTION_RE.test(query);
    const notCovered: GeneratedAnswer = { response: NOT_COVERED_MESSAGE, hasSufficientInfo: false, citedIndexes: [], coverage: 0 };
    if (queryTerms.length === 0 || sources.length === 0) return notCovered;

    const candidates: Candidate[] = [];
    for (const src of sources.slice(0, this.options.maxSources)) {
      const lines = src.content.replace(FENCED_CODE_RE, "\n").split(/\n+/);
      let position = 0;
      for (const line of lines) {
        const cleaned = line.replace(/^\s*[-*+]\s+/, "").trim();
        for (const s of sentences(cleaned)) {
          position++;
          if (s.length > this.options.maxSentenceChars || !looksLikeProse(s)) continue;
          candidates.push({
            source: src.index, position, text: s, terms: new Set(contentTerms(s)),
            defines: wantsDefinition && isDefinition(s, queryTerms),
          });
        }
      }
    }
    if (candidates.length === 0) return notCovered;

    // Local IDF over the candidate sentences, plus the heading/title as weak evidence.
    const idf = new Map<string, number>();
    for (const term of queryTerms) {
      const df = candidates.filter((c) => hasTerm(c.terms, term)).length;
      idf.set(term, df === 0 ? 0 : Math.log(1 + candidates.length / df));
    }
    // A term found in no sentence still counts in the denominator: the answer cannot cover it.
    const maxIdf = Math.max(...[...idf.values()], 1e-9);
    const weight = (term: string) => (idf.get(term) === 0 ? maxIdf : idf.get(term)!);
    const totalWeight = queryTerms.reduce((s, t) => s + weight(t), 0);

    const sourceRank = new Map(sources.map((s, i) => [s.index, i]));
    const scoreOf = (c: Candidate, covered: Set<string>) => {
      let gain = 0, overlap = 0;
      for (const term of queryTerms) {
        if (!hasTerm(c.terms, term)) continue;
        overlap += weight(term);
        if (!covered.has(term)) gain += weight(term);
      }
      const rankBonus = 1 / (1 + (sourceRank.get(c.source) ?? 9));
      const density = overlap / Math.sqrt(Math.max(c.terms.size, 4));
      const definition = c.defines && covered.size === 0 ? 0.5 * totalWeight : 0;
      return { gain, value: gain + 0.5 * density + 0.3 * rankBonus * (overlap > 0 ? 1 : 0) + definition };
    };

    const selected: Candidate[] = [];
    const covered = new Set<string>();
    const pool = [...candidates];
    while (selected.length < this.options.maxSentences && pool.length > 0) {
      let best = -1, bestValue = 0, bestGain = 0;
      pool.forEach((c, i) => {
        const { gain, value } = scoreOf(c, covered);
        if (value > bestValue) [best, bestValue, bestGain] = [i, value, gain];
      });
      if (best < 0) break;
      // After the first sentence, only add sentences that bring new query terms or are strongly on topic.
      if (selected.length > 0 && bestGain === 0 && bestValue < 0.6 * totalWeight / Math.max(queryTerms.length, 1)) break;
      const [c] = pool.splice(best, 1);
      selected.push(c);
      for (const term of queryTerms) if (hasTerm(c.terms, term)) covered.add(term);
    }

    const coveredWeight = [...covered].reduce((s, t) => s + weight(t), 0);
    const coverage = totalWeight > 0 ? coveredWeight / totalWeight : 0;
    const sentenceCoverage = (c: Candidate) => queryTerms.reduce((s, t) => s + (hasTerm(c.terms, t) ? weight(t) : 0), 0) / totalWeight;
    const bestSentence = Math.max(0, ...selected.map(sentenceCoverage));
    if (selected.length === 0 || coverage < this.options.minCoverage || bestSentence < this.options.minSentenceCoverage) {
      return { ...notCovered, coverage };
    }

    // Present in source order, then reading order, one citation per sentence.
    selected.sort((a, b) => (sourceRank.get(a.source)! - sourceRank.get(b.source)!) || a.position - b.position);
    const response = selected.map((c) => `${c.text} [${c.source}]`).join(" ");
    const cited = [...new Set(selected.map((c) => c.source))].sort((a, b) => a - b);
    return { response, hasSufficientInfo: true, citedIndexes: cited, coverage };
  }
}
