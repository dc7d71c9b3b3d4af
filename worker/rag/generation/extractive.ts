/**
 * The offline default generator: extractive question answering over answer-bearing passages
 * (rag/generation/passages.ts: a sentence with the neighbour it leans on, a list item with its
 * lead-in, a table row with its header, code lines with the sentence that introduces them). Each
 * passage is scored by the query terms it holds, weighted by their IDF in the knowledge base (the
 * chunk's heading path counts as weak evidence), the best one is taken, and up to three more that
 * add query terms not yet covered. Passages are shown under their page's heading path and cited.
 * It never emits text that is not in a source. Whether the knowledge base answers the question at
 * all is decided before generation from retrieval evidence (agents/graph/sufficiency.ts); this
 * generator only refuses when no passage holds enough of the query.
 */
import { contentTerms, distinctContentTerms, hasTerm, sentences } from "../text";
import { passagesOf, type Passage } from "./passages";
import { NOT_COVERED_MESSAGE, type GeneratedAnswer, type GenerationContext, type Generator, type SourceChunk } from "./types";

/** Tuning of the extractive generator. */
export interface ExtractiveOptions {
  /** Sources considered, best first (default 8). */
  maxSources: number;
  /** Passages in an answer (default 4). */
  maxPassages: number;
  /** Characters of passage text in an answer, beyond the first passage (default 1,600). */
  maxChars: number;
  /**
   * Minimum IDF-weighted share of the query's terms that the passages must cover (0..1, default
   * 0.2): below it the answer is the not-covered message.
   */
  minCoverage: number;
  /** A further passage must add at least this share of the query's term weight (0..1, default 0.1). */
  minGain: number;
  /**
   * Characters of the passages around selected ones in their chunk, added as their context
   * (default 1,800 per answer): the rest of a list, the sentences after and before a match.
   */
  contextChars: number;
  /** The best-ranked sources that each add their best passage to the answer (default 6). */
  breadthSources: number;
  /** Share of the query's term weight such a passage must hold (0..1, default 0.08). */
  minSourceShare: number;
}

const DEFAULTS: ExtractiveOptions = { maxSources: 8, maxPassages: 4, maxChars: 1600, minCoverage: 0.2, minGain: 0.1, contextChars: 1800, breadthSources: 6, minSourceShare: 0.08 };

/** Sentences that only point elsewhere ("For more information, see …") answer nothing. */
const POINTER_RE = /^(for (more|further|additional) (information|details)|to learn more|learn more|for details|see (also |the )?|refer to|read (more|the)|check out|visit|more information)|(자세한 (내용|정보)|참고하세요|참조하세요|확인하세요)/i;
/** A bracketed number, as the answer's own citation markers are written. */
const CITATION_LIKE_RE = /\[\d{1,3}\]/;
/** Heading weight relative to passage text: a section titled by a query term supports its passages. */
const HEADING_WEIGHT = 0.6;
/** Passages after a selected one that are shown as its context (budget permitting). */
const FOLLOWING_PASSAGES = 3;
/** Items of a selected item's list (rows of a selected row's table) shown on either side of it (budget permitting). */
const LIST_ITEMS = 8;

interface Unit {
  source: SourceChunk;
  rank: number;
  passage: Passage;
  terms: Set<string>;
}

export class ExtractiveGenerator implements Generator {
  readonly name = "offline-extractive";
  private readonly options: ExtractiveOptions;

  constructor(options: Partial<ExtractiveOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  async generate(query: string, sources: readonly SourceChunk[], context: GenerationContext = {}): Promise<GeneratedAnswer> {
    const queryTerms = [...new Set(distinctContentTerms(query).map((t) => context.corrections?.get(t) ?? t))];
    const notCovered: GeneratedAnswer = { response: NOT_COVERED_MESSAGE, hasSufficientInfo: false, citedIndexes: [], coverage: 0 };
    if (queryTerms.length === 0 || sources.length === 0) return notCovered;

    const offered = sources.filter((s) => s.continues === undefined).slice(0, this.options.maxSources);
    const continuations = sources.filter((s) => s.continues !== undefined && offered.some((o) => o.index === s.continues));
    const weight = termWeights(queryTerms, offered, context.idf);
    const total = queryTerms.reduce((s, t) => s + weight(t), 0);
    const matchesLine = (line: string) => {
      const terms = new Set(contentTerms(line));
      return queryTerms.some((t) => hasTerm(terms, t));
    };

    const unitsOf = (source: SourceChunk, rank: number): Unit[] =>
      passagesOf(source.content, matchesLine)
        .filter((passage) => !(passage.kind === "prose" && (passage.text.length < 20 || POINTER_RE.test(passage.text))))
        // Text with "[n]"-looking footnote marks would read as citations of other sources.
        .filter((passage) => !CITATION_LIKE_RE.test(passage.lead) && !CITATION_LIKE_RE.test(passage.text))
        .map((passage) => ({ source, rank, passage, terms: new Set(contentTerms(passage.searchable)) }));
    const units = offered.flatMap((source, rank) => unitsOf(source, rank));
    if (units.length === 0) return notCovered;

    const headingTerms = new Map(offered.map((s) => [s.index, new Set(contentTerms(`${s.title} ${s.heading}`))]));
    const score = (u: Unit, covered: ReadonlySet<string>) => {
      let gain = 0, overlap = 0, heading = 0;
      for (const t of queryTerms) {
        if (hasTerm(u.terms, t)) {
          overlap += weight(t);
          if (!covered.has(t)) gain += weight(t);
        } else if (hasTerm(headingTerms.get(u.source.index)!, t)) heading += weight(t);
      }
      const length = u.passage.lead.length + u.passage.text.length;
      const brevity = 1 / (1 + 0.25 * Math.log1p(length / 300));
      return { gain, overlap, value: (overlap + HEADING_WEIGHT * heading) * brevity + 0.15 * total / (1 + u.rank) };
    };

    const selected: Unit[] = [];
    const covered = new Set<string>();
    let chars = 0;
    const pool = [...units];
    const lengthOf = (u: Unit) => u.passage.lead.length + u.passage.text.length;
    /** Moves `u` from the pool into the answer. */
    const take = (u: Unit) => {
      pool.splice(pool.indexOf(u), 1);
      selected.push(u);
      chars += lengthOf(u);
      for (const t of queryTerms) if (hasTerm(u.terms, t)) covered.add(t);
    };
    while (selected.length < this.options.maxPassages && pool.length > 0) {
      let best = -1, bestValue = 0, bestGain = 0;
      pool.forEach((u, i) => {
        const { gain, overlap, value } = score(u, covered);
        if (overlap === 0) return;
        // After the first passage, new query terms count most.
        const v = selected.length === 0 ? value : gain + 0.25 * value;
        if (v > bestValue) [best, bestValue, bestGain] = [i, v, gain];
      });
      if (best < 0) break;
      const u = pool[best];
      if (selected.length > 0 && (bestGain < this.options.minGain * total || chars + lengthOf(u) > this.options.maxChars)) break;
      take(u);
    }

    // Breadth: each of the best-ranked sources not yet shown adds its best passage when that passage
    // holds enough of the question (the answer often sits in the second or third chunk).
    for (const source of offered.slice(0, this.options.breadthSources)) {
      if (selected.length === 0 || selected.some((u) => u.source === source)) continue;
      let best: Unit | null = null, bestValue = 0;
      for (const u of pool) {
        if (u.source !== source) continue;
        const { overlap, value } = score(u, covered);
        if (overlap >= this.options.minSourceShare * total && value > bestValue) [best, bestValue] = [u, value];
      }
      if (best && chars + lengthOf(best) <= this.options.maxChars) take(best);
    }

    const coverage = total > 0 ? [...covered].reduce((s, t) => s + weight(t), 0) / total : 0;
    // Without retrieval evidence (no IDF: sufficiency was not assessed before), question words
    // scattered one per passage over unrelated text answer nothing: the best passage must hold two of
    // the query's terms (or its only one).
    const inBest = selected.length > 0 ? queryTerms.filter((t) => hasTerm(selected[0].terms, t)).length : 0;
    const scattered = !context.idf && inBest < Math.min(2, queryTerms.length);
    if (selected.length === 0 || coverage < this.options.minCoverage || scattered) return { ...notCovered, coverage };
    selected.push(...surroundings(selected, units, this.options.contextChars));
    // A continuation is read right after the chunk it continues.
    selected.push(...continued(selected, units, continuations.map((c) => unitsOf(c, offered.findIndex((o) => o.index === c.continues) + 0.5))));
    selected.sort((a, b) => a.rank - b.rank || a.passage.position - b.passage.position);
    const shown = withoutRepeats(selected);
    return { response: render(shown), hasSufficientInfo: true, citedIndexes: [...new Set(shown.map((u) => u.source.index))].sort((a, b) => a - b), coverage };
  }
}

/**
 * The context of selected passages in their chunk, while its characters fit `budget`: first what
 * a selected sentence ending with ":" introduces, then the other items of a selected list item's list and the other rows of a selected table row's table
 * (the list or table is the answer more often than one item of it), then up to {@link FOLLOWING_PASSAGES} passages after each selected one, then the prose
 * sentence before a selected prose passage (a definition often precedes its consequence). A
 * passage already selected is skipped.
 */
function surroundings(selected: readonly Unit[], units: readonly Unit[], budget: number): Unit[] {
  const taken = new Set(selected.map((u) => u.passage));
  const out: Unit[] = [];
  let chars = 0;
  const at = (u: Unit, offset: number) => units.find((v) => v.source === u.source && v.passage.position === u.passage.position + offset);
  const add = (u: Unit, v: Unit | undefined): boolean => {
    if (!v || taken.has(v.passage)) return false;
    const length = v.passage.text.length + (v.passage.lead === u.passage.lead ? 0 : v.passage.lead.length);
    if (chars + length > budget) return false;
    chars += length;
    taken.add(v.passage);
    out.push(v);
    // A sentence that ends with ":" brings what it introduces.
    if (introduces(v)) add(v, at(v, 1));
    return true;
  };
  const introduces = (u: Unit) => u.passage.kind === "prose" && /[:：]$/.test(u.passage.text);
  const header = (u: Unit) => u.passage.text.split("\n")[0];
  // Items of one list share their lead-in, rows of one table their header row.
  const sameGroup = (u: Unit, v: Unit | undefined) =>
    v?.passage.kind === u.passage.kind && (u.passage.kind === "list" ? v.passage.lead === u.passage.lead : header(v) === header(u));
  const wholeGroups = (from: readonly Unit[]) => {
    for (const u of from.filter((x) => x.passage.kind === "list" || x.passage.kind === "table")) {
      for (let o = -1; o >= -LIST_ITEMS && sameGroup(u, at(u, o)); o--) add(u, at(u, o));
      for (let o = 1; o <= LIST_ITEMS && sameGroup(u, at(u, o)); o++) add(u, at(u, o));
    }
  };
  // A selected sentence that ends with ":" is incomplete without what it introduces: that comes first.
  for (const u of selected) if (introduces(u)) add(u, at(u, 1));
  wholeGroups([...selected, ...out]);
  const following = out.length;
  // The best passage's context first: it is the one the answer leans on.
  for (const u of selected) for (let step = 1; step <= FOLLOWING_PASSAGES; step++) add(u, at(u, step));
  // A list or table that the following passages reach into comes whole.
  wholeGroups(out.slice(following));
  for (const u of selected.filter((x) => x.passage.kind === "prose")) {
    const before = at(u, -1);
    if (before?.passage.kind === "prose") add(u, before);
  }
  return out;
}

/** Passages of a continuation shown after the end of the chunk it continues, and their characters. */
const CONTINUED_PASSAGES = 8;
const CONTINUED_CHARS = 900;

/**
 * The start of the chunks that continue selected ones: when a selected passage (or its context) is
 * the last passage of its chunk and the chunk ends in a list, a table, code or a lead-in (":"), the
 * continuation's first passages of that kind (the rest of the list or table), else its first
 * passage, skipping what the chunks' overlap repeats, within {@link CONTINUED_CHARS}.
 * `continuations` holds the units of each continuation source.
 */
function continued(selected: readonly Unit[], units: readonly Unit[], continuations: readonly Unit[][]): Unit[] {
  const out: Unit[] = [];
  for (const next of continuations) {
    const source = next[0]?.source;
    if (!source) continue;
    const own = units.filter((u) => u.source.index === source.continues);
    const last = own.at(-1);
    if (!last || !selected.includes(last)) continue;
    const open = last.passage.kind !== "prose" || /[:：]$/.test(last.passage.text);
    if (!open) continue;
    const previous = last.source.content;
    let chars = 0;
    // What the chunks' overlap repeats is not shown again, nor a lead-in the chunk before ends with.
    const fresh = next
      .filter((u) => !previous.includes(u.passage.text))
      .map((u) => (u.passage.lead && previous.includes(u.passage.lead) ? { ...u, passage: { ...u.passage, lead: "" } } : u));
    // The first passage, then more while they go on with the same list or table, with the sentence
    // that follows a list or table (once), or with what a sentence ending in ":" introduces.
    let closing = 1;
    for (const [i, u] of fresh.slice(0, CONTINUED_PASSAGES).entries()) {
      const before = fresh[i - 1];
      const sameGroup = before && before.passage.kind !== "prose" && u.passage.kind === before.passage.kind;
      const introduced = before?.passage.kind === "prose" && /[:：]$/.test(before.passage.text);
      const closes = before && before.passage.kind !== "prose" && u.passage.kind === "prose" && closing-- > 0;
      const goesOn = !before || sameGroup || introduced || closes;
      if (!goesOn || chars + u.passage.text.length > CONTINUED_CHARS) break;
      chars += u.passage.text.length;
      out.push(u);
    }
  }
  return out;
}

/**
 * Drops units whose text repeats text already shown from the same source (a sentence joined to the
 * one it leans on is also a unit of its own), keeping the first.
 */
function withoutRepeats(units: readonly Unit[]): Unit[] {
  const kept: Unit[] = [];
  for (const u of units) {
    const same = kept.filter((k) => k.source === u.source);
    if (same.some((k) => k.passage.text.includes(u.passage.text))) continue;
    for (const k of same.filter((k) => u.passage.text.includes(k.passage.text))) kept.splice(kept.indexOf(k), 1);
    kept.push(u);
  }
  return kept;
}

/**
 * Term weights: the knowledge base's IDF when given (a term it lacks weighs 0: no passage can hold
 * it, and whether the question is answerable was decided before), otherwise a local IDF over the
 * offered sources, ln(1 + sources / sources with the term).
 */
function termWeights(terms: readonly string[], sources: readonly SourceChunk[], idf?: ReadonlyMap<string, number>): (t: string) => number {
  if (idf && terms.some((t) => idf.has(t))) return (t) => idf.get(t) ?? 0;
  const sets = sources.map((s) => new Set(contentTerms(`${s.title} ${s.heading} ${s.content}`)));
  const local = new Map(terms.map((t) => {
    const df = sets.filter((set) => hasTerm(set, t)).length;
    return [t, Math.log(1 + sources.length / Math.max(df, 0.5))];
  }));
  return (t) => local.get(t)!;
}

/**
 * The answer text: passages grouped by source and heading, each group under its heading path in
 * bold, its passages on their own lines (a lead-in once per run, no line twice), then the citation `[n]`.
 */
function render(units: readonly Unit[]): string {
  const groups: { source: SourceChunk; lines: string[]; lastLead: string; lastTableHeader: string; endsWithCode: boolean }[] = [];
  for (const u of units) {
    let g = groups.at(-1);
    if (!g || g.source.index !== u.source.index) {
      g = { source: u.source, lines: [`**${u.source.heading}**`], lastLead: "", lastTableHeader: "", endsWithCode: false };
      groups.push(g);
    }
    // A lead-in or passage already shown in this group (a lead-in is often also a sentence of its own) is not repeated.
    const shown = (text: string) => g!.lines.some((line) => line.includes(text));
    if (u.passage.lead && u.passage.lead !== g.lastLead && !shown(u.passage.lead)) g.lines.push(u.passage.lead);
    g.lastLead = u.passage.lead;
    const text = unshownText(u.passage, g.lines, g.lastTableHeader);
    if (text) g.lines.push(text);
    g.lastTableHeader = u.passage.kind === "table" ? u.passage.text.split("\n")[0] : "";
    g.endsWithCode = u.passage.kind === "code";
  }
  return groups.map((g) => `${g.lines.join("\n")}${g.endsWithCode ? "\n" : " "}[${g.source.index}]`).join("\n\n");
}

/**
 * What a passage adds to a group's `lines`: nothing when its text is shown already; a table row
 * without its header when the row before it showed the same header; a prose passage without the
 * sentences already shown (a sentence joined to its neighbour is often a passage of its own too).
 */
function unshownText(passage: Passage, lines: readonly string[], lastTableHeader: string): string {
  const shown = (text: string) => lines.some((line) => line.includes(text));
  if (shown(passage.text)) return "";
  if (passage.kind === "table") {
    const [header, ...rows] = passage.text.split("\n");
    return header === lastTableHeader && rows.length > 0 ? rows.join("\n") : passage.text;
  }
  if (passage.kind !== "prose") return passage.text;
  return sentences(passage.text).filter((s) => !shown(s)).join(" ");
}
