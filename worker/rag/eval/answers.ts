/**
 * Answer-level evaluation of chat turns (the realistic evaluation set in test/eval): whether an
 * answerable question got an answer, whether an unanswerable one got the honest refusal, whether
 * the answer holds the expected facts, whether a gold page is among the top-5 sources, and whether
 * every `[n]` citation points at a source that contains the cited text. Pure functions shared by
 * `npm run eval:answers`, the CI regression slice and the quality loop.
 */

/** One case of the evaluation set (test/eval/cases.json). */
export interface AnswerCase {
  id: string;
  corpus: "otel" | "react-en" | "react-ko";
  language: "en" | "ko";
  split: "dev" | "test";
  /** "hostile": a prompt injection or jailbreak, judged by worker/monitoring/guardrail-metric.ts (`guardrail_rate`). */
  scenario: "answer" | "not_covered" | "hostile";
  kind: "single" | "multi" | "comparison";
  query: string;
  /** Sources (paths relative to ../shared/data) of the pages holding the answer; empty for not_covered. */
  gold_pages: string[];
  /** Short literal strings of the gold page(s) that a correct answer contains. */
  keywords: string[];
  /** not_covered cases: the pages that look closest without answering. */
  near_pages?: string[];
  /** hostile cases: the expected handling. */
  hostile?: import("../../monitoring/guardrail-metric.ts").HostileExpectation;
  note?: string;
}

/** A cited source as the chat answer lists it, with the full text of its chunk. */
export interface CitedSource {
  /** 1-based number used by `[n]` markers. */
  index: number;
  source: string;
  title: string;
  heading: string;
  /** The chunk's whole text (not the 300-character snippet). */
  content: string;
}

/** What the harness observed of one chat turn. */
export interface TurnObservation {
  /** "answer", "refusal" (has_sufficient_info false) or "clarification". */
  outcome: "answer" | "refusal" | "clarification";
  response: string;
  /** Sources in rank order (source paths). */
  sources: string[];
  /** Sources with their chunk text, for citation checks. */
  cited: CitedSource[];
}

/** Per-case judgement. */
export interface CaseJudgement {
  id: string;
  /** Answerable case answered (not refused, not a clarification). */
  answered: boolean;
  /** Unanswerable case refused honestly. */
  refusedHonestly: boolean;
  /** A gold page is among the first 5 sources. */
  goldAt5: boolean;
  /** Every keyword occurs in the response (case-insensitive); false for a refusal. */
  allKeywords: boolean;
  /** Share of the keywords found, 0..1. */
  keywordRecall: number;
  /** Citation markers in the response. */
  citations: number;
  /** Markers whose segment text is contained in the cited source. */
  validCitations: number;
  /** Markers that point at a gold page (citation precision against gold pages). */
  goldCitations: number;
  /** Reasons the checks failed, for the report. */
  problems: string[];
}

/** Lower case, markdown decoration removed, heading separators and whitespace folded. */
export function normaliseForContainment(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/```[a-z0-9_-]*/gi, " ")
    .replace(/[*_`#>›|]+/g, " ")
    .replace(/^\s*[-+]\s+/gm, " ")
    .replace(/…/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

/** A response's cited segments: the text before each run of `[n]` markers, with those markers. */
export function citedSegments(response: string): { text: string; indexes: number[] }[] {
  const out: { text: string; indexes: number[] }[] = [];
  const re = /((?:\s*\[\d{1,3}\])+)/g;
  let last = 0;
  for (const m of response.matchAll(re)) {
    const text = response.slice(last, m.index);
    const indexes = [...m[1].matchAll(/\[(\d{1,3})\]/g)].map((x) => Number(x[1]));
    out.push({ text, indexes });
    last = m.index! + m[0].length;
  }
  return out;
}

/** Pieces of a segment checked one by one: its lines (and "…"-separated parts) of ≥ 8 characters. */
function pieces(segment: string): string[] {
  return segment
    .split(/\n|…/)
    .map((p) => normaliseForContainment(p).replace(/^[:;,.\s]+|[:;,\s]+$/g, ""))
    .filter((p) => p.length >= 8);
}

/**
 * True when every piece of `segment` occurs in the text of at least one of `sources`
 * (title, heading path and content, normalised alike).
 */
export function segmentSupported(segment: string, sources: readonly CitedSource[]): boolean {
  const texts = sources.map((s) => normaliseForContainment(`${s.title}\n${s.heading}\n${s.content}`));
  const ps = pieces(segment);
  return ps.every((p) => texts.some((t) => t.includes(p)));
}

/**
 * Checks every `[n]` marker of an answered turn: it must point at a listed source whose text
 * contains the cited segment ({@link segmentSupported}). Nothing is checked for a refusal or a
 * clarification (all counts 0).
 *
 * @param gold Gold page sources; markers citing one are counted in `goldCitations`.
 * @returns The marker counts and a problem line per failed marker.
 */
export function checkCitations(turn: TurnObservation, gold: ReadonlySet<string> = new Set()): { citations: number; validCitations: number; goldCitations: number; problems: string[] } {
  const problems: string[] = [];
  let citations = 0, validCitations = 0, goldCitations = 0;
  if (turn.outcome === "answer") {
    for (const seg of citedSegments(turn.response)) {
      for (const n of seg.indexes) {
        citations++;
        const src = turn.cited.find((s) => s.index === n);
        if (!src) {
          problems.push(`[${n}] points at no source`);
          continue;
        }
        if (segmentSupported(seg.text, [src])) validCitations++;
        else problems.push(`[${n}] text not in its source: "${seg.text.trim().slice(0, 80)}"`);
        if (gold.has(src.source)) goldCitations++;
      }
    }
  }
  return { citations, validCitations, goldCitations, problems };
}

/**
 * Judges a turn that has no gold (a replayed thumbs-down question): only what needs no gold,
 * whether it was answered and whether its citations are valid. The gold fields are false or 0
 * (`goldAt5`, `allKeywords`, `keywordRecall`, `goldCitations`) and must not be aggregated as
 * gold metrics; `refusedHonestly` is false (nobody knows whether a refusal is honest).
 *
 * @param id The case id the judgement is stored under.
 */
export function judgeWithoutGold(id: string, turn: TurnObservation): CaseJudgement {
  const c = checkCitations(turn);
  return {
    id, answered: turn.outcome === "answer", refusedHonestly: false, goldAt5: false, allKeywords: false, keywordRecall: 0,
    citations: c.citations, validCitations: c.validCitations, goldCitations: 0, problems: c.problems,
  };
}

/** Judges one turn against its case. */
export function judgeAnswer(c: AnswerCase, turn: TurnObservation): CaseJudgement {
  const answered = turn.outcome === "answer";
  const text = turn.response.toLowerCase();
  const found = answered ? c.keywords.filter((k) => text.includes(k.toLowerCase())) : [];
  const gold = new Set(c.gold_pages);
  const goldAt5 = turn.sources.slice(0, 5).some((s) => gold.has(s));
  const { citations, validCitations, goldCitations, problems } = checkCitations(turn, gold);
  if (c.scenario === "answer") {
    if (!answered) problems.push(`answerable question got ${turn.outcome}`);
    const missing = c.keywords.filter((k) => !found.includes(k));
    if (answered && missing.length) problems.push(`missing keywords: ${missing.join(", ")}`);
    if (!goldAt5) problems.push("no gold page in the top-5 sources");
  } else if (turn.outcome !== "refusal") problems.push(`unanswerable question got ${turn.outcome}`);
  return {
    id: c.id,
    answered,
    refusedHonestly: c.scenario === "not_covered" && turn.outcome === "refusal",
    goldAt5,
    allKeywords: c.keywords.length > 0 && found.length === c.keywords.length,
    keywordRecall: c.keywords.length ? found.length / c.keywords.length : 0,
    citations,
    validCitations,
    goldCitations,
    problems,
  };
}

/** Aggregate figures over a group of cases (a split, a language). NaN where a group is empty. */
export interface AnswerMetrics {
  cases: number;
  answerable: number;
  unanswerable: number;
  /** Answerable cases with a gold page in the top-5 sources, share. */
  goldAt5: number;
  /** Of those, share answered (not refused): the "answer rate when the page is found". */
  answeredWhenFound: number;
  /** Answerable cases answered, share. */
  answered: number;
  /** Unanswerable cases refused, share. */
  honestRefusal: number;
  /** Answerable cases whose answer holds every keyword, share. */
  allKeywords: number;
  /** Mean share of keywords found over answerable cases. */
  keywordRecall: number;
  /** Valid citations over all citations (1 when there were none). */
  citationValidity: number;
  /** Citations of a gold page over citations in answers to answerable cases. */
  citationPrecision: number;
}

/** Aggregates judgements of `cases` (same order or matched by id). */
export function aggregate(cases: readonly AnswerCase[], judgements: readonly CaseJudgement[]): AnswerMetrics {
  const byId = new Map(judgements.map((j) => [j.id, j]));
  const answerable = cases.filter((c) => c.scenario === "answer").map((c) => byId.get(c.id)!).filter(Boolean);
  const unanswerable = cases.filter((c) => c.scenario === "not_covered").map((c) => byId.get(c.id)!).filter(Boolean);
  const share = (xs: readonly CaseJudgement[], f: (j: CaseJudgement) => boolean) => (xs.length ? xs.filter(f).length / xs.length : Number.NaN);
  const found = answerable.filter((j) => j.goldAt5);
  const all = [...answerable, ...unanswerable];
  const citations = all.reduce((s, j) => s + j.citations, 0);
  const answerCitations = answerable.reduce((s, j) => s + j.citations, 0);
  return {
    cases: all.length,
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    goldAt5: share(answerable, (j) => j.goldAt5),
    answeredWhenFound: share(found, (j) => j.answered),
    answered: share(answerable, (j) => j.answered),
    honestRefusal: share(unanswerable, (j) => j.refusedHonestly),
    allKeywords: share(answerable, (j) => j.allKeywords),
    keywordRecall: answerable.length ? answerable.reduce((s, j) => s + j.keywordRecall, 0) / answerable.length : Number.NaN,
    citationValidity: citations ? all.reduce((s, j) => s + j.validCitations, 0) / citations : 1,
    citationPrecision: answerCitations ? answerable.reduce((s, j) => s + j.goldCitations, 0) / answerCitations : Number.NaN,
  };
}

/**
 * Where each corpus of the evaluation set lives under ../shared/data; a case's pages are sources
 * `<folder>/<path below it>`, as a user of `POST /api/documents` would send them.
 */
export const ANSWER_CORPORA = {
  otel: "docs-opentelemetry/content/en/docs",
  "react-en": "docs-react-en/src/content",
  "react-ko": "docs-react-ko/src/content",
} as const;

/** The fields of a `POST /api/chat` response body that the evaluation reads. */
export interface ChatTurnBody {
  clarification_needed?: boolean;
  clarification_question?: string;
  has_sufficient_info?: boolean;
  response?: string;
  sources?: { index: number; source: string; title: string; heading: string; snippet: string; chunk_id?: string; document_id?: string }[];
}

/**
 * A `chunkContent` function for {@link observeTurn} that reads each document's chunks once
 * (`chunksOf(documentId)`, e.g. the body of `GET /api/documents/:id/chunks`) and remembers them.
 */
export function chunkContentReader(
  chunksOf: (documentId: string) => Promise<readonly { id: string; content: string }[]>,
): (documentId: string, chunkId: string) => Promise<string | undefined> {
  const byDocument = new Map<string, Promise<Map<string, string>>>();
  return async (documentId, chunkId) => {
    let chunks = byDocument.get(documentId);
    if (!chunks) {
      chunks = chunksOf(documentId).then((list) => new Map(list.map((c) => [c.id, c.content])));
      byDocument.set(documentId, chunks);
    }
    return (await chunks).get(chunkId);
  };
}

/**
 * What the harness observes of a chat turn's response body. `chunkContent(documentId, chunkId)`
 * gives a cited chunk's whole text (e.g. through `GET /api/documents/:id/chunks`); the 300-character
 * snippet stands in when it gives undefined.
 */
export async function observeTurn(
  body: ChatTurnBody,
  chunkContent: (documentId: string, chunkId: string) => Promise<string | undefined>,
): Promise<TurnObservation> {
  if (body.clarification_needed) return { outcome: "clarification", response: body.clarification_question ?? "", sources: [], cited: [] };
  const cited: CitedSource[] = [];
  for (const s of body.sources ?? []) {
    const content = s.chunk_id && s.document_id ? await chunkContent(s.document_id, s.chunk_id) : undefined;
    cited.push({ index: s.index, source: s.source, title: s.title, heading: s.heading, content: content ?? s.snippet });
  }
  return {
    outcome: body.has_sufficient_info ? "answer" : "refusal",
    response: body.response ?? "",
    sources: (body.sources ?? []).map((s) => s.source),
    cited,
  };
}

