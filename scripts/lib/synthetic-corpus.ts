/**
 * Synthetic corpora for the scale benchmark: documents made of real sentences, drawn with a seeded
 * PRNG so that a seed always gives the same documents. Each document is Markdown with one `##`
 * section per planned chunk, every section shorter than the chunk size, so that the product's
 * heading-aware chunker turns each section into exactly one chunk and the corpus holds the
 * requested number of chunks. Pure functions only (no I/O), so the generator can be tested in
 * workerd; `synthetic-sources.ts` reads the sentences from `../shared/data`.
 */

/** mulberry32, the seeded PRNG shared with the bootstrap of proposal validation. */
export { mulberry32 } from "../../worker/monitoring/bootstrap.ts";
import { mulberry32 } from "../../worker/monitoring/bootstrap.ts";

/** Sentences of one real source, with the domain its documents get. */
export interface SentencePool {
  /** Source name, e.g. `beir-scifact`. */
  name: string;
  /** `metadata.domain` of the documents drawn from this pool, e.g. `science`. */
  domain: string;
  /** Sentences, each 40..400 characters; must not be empty. */
  sentences: readonly string[];
  /** Document titles to pick from; must not be empty. */
  titles: readonly string[];
  /** Relative share of the documents drawn from this pool (> 0). */
  weight: number;
}

/** Options of {@link syntheticDocuments}. */
export interface SyntheticOptions {
  /** Chunks (sections) to produce in total, ≥ 1. */
  chunks: number;
  /** PRNG seed. */
  seed: number;
  /** Sections per document, inclusive range; default 3..7 (5 on average). */
  sections?: readonly [number, number];
  /**
   * Target characters of a section's text, inclusive range; default 500..950. Must stay below the
   * chunk size (CHUNK_SIZE, 1000 by default) for one chunk per section.
   */
  sectionChars?: readonly [number, number];
}

/** One generated document, in the shape of a `POST /api/ingest/jobs` item. */
export interface SyntheticDocument {
  source: string;
  title: string;
  content: string;
  content_type: "markdown";
  metadata: { domain: string };
}

/** The result of {@link syntheticDocuments}. */
export interface SyntheticCorpus {
  documents: SyntheticDocument[];
  /** Sections generated, i.e. the chunks expected after ingestion. */
  sections: number;
  /** UTF-8 bytes of all contents. */
  bytes: number;
}

/** Splits prose into sentences at `.`, `!` or `?` followed by white space and a capital or digit. */
export function splitSentences(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?])\s+(?=[A-Z0-9])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Whether a sentence is usable: 40..400 characters, at least 6 words, ends with `.`, `!` or `?`, and
 * holds no character that Markdown would turn into markup at the start of a line or inline
 * (`#`, `|`, `` ` ``, `<`, `>`, `*`, `_`, `[`, `]`, `{`, `}`), so that its text reaches the index unchanged.
 */
export function usableSentence(s: string): boolean {
  return s.length >= 40 && s.length <= 400 && /[.!?]$/.test(s) && s.split(" ").length >= 6 && !/[#|`<>*_[\]{}\\]/.test(s);
}

/** A whole number in `min..max` from `rand`. */
function between(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

/** The first `n` words of a sentence without its final punctuation, as a heading. */
function headingOf(sentence: string, n: number): string {
  return sentence.replace(/[.!?]+$/, "").split(" ").slice(0, n).join(" ");
}

/**
 * Generates documents until `options.chunks` sections exist (the last document is shortened).
 * Each document draws its pool by weight, then its title and, per section, sentences of that pool
 * until the section's target length would be exceeded (at least one sentence per section). The
 * body is `# <title>`, then per section `## <first words of its first sentence>` and the text.
 * Sources are `synthetic/<seed>/<domain>/<number>.md`, unique within a corpus.
 *
 * @param pools Sentence pools, each with at least one sentence and title.
 * @param options Chunk count, seed, section count and length ranges.
 * @returns The documents, the section count (= `options.chunks`) and the content bytes.
 * @throws RangeError when `chunks` < 1, a range is empty or inverted, the section length reaches
 *   1000, or a pool is empty or has a non-positive weight.
 */
export function syntheticDocuments(pools: readonly SentencePool[], options: SyntheticOptions): SyntheticCorpus {
  const [minSections, maxSections] = options.sections ?? [3, 7];
  const [minChars, maxChars] = options.sectionChars ?? [500, 950];
  if (!Number.isInteger(options.chunks) || options.chunks < 1) throw new RangeError(`chunks must be a positive integer, got ${options.chunks}`);
  if (!(minSections >= 1 && maxSections >= minSections)) throw new RangeError(`invalid sections range ${minSections}..${maxSections}`);
  if (!(minChars >= 1 && maxChars >= minChars && maxChars < 1000)) throw new RangeError(`invalid section length range ${minChars}..${maxChars} (must stay below 1000)`);
  if (pools.length === 0 || pools.some((p) => p.sentences.length === 0 || p.titles.length === 0 || !(p.weight > 0))) {
    throw new RangeError("every pool needs sentences, titles and a positive weight");
  }
  const rand = mulberry32(options.seed);
  const totalWeight = pools.reduce((s, p) => s + p.weight, 0);
  const encoder = new TextEncoder();
  const documents: SyntheticDocument[] = [];
  let sections = 0;
  let bytes = 0;
  while (sections < options.chunks) {
    let r = rand() * totalWeight;
    const pool = pools.find((p) => (r -= p.weight) < 0) ?? pools[pools.length - 1];
    const count = Math.min(between(rand, minSections, maxSections), options.chunks - sections);
    const title = pick(rand, pool.titles);
    const parts = [`# ${title}`];
    for (let s = 0; s < count; s++) {
      const target = between(rand, minChars, maxChars);
      let text = pick(rand, pool.sentences);
      for (;;) {
        const next = pick(rand, pool.sentences);
        if (text.length + 1 + next.length > target) break;
        text += ` ${next}`;
      }
      parts.push(`## ${headingOf(text, 6)}`, text);
    }
    const content = `${parts.join("\n\n")}\n`;
    documents.push({
      source: `synthetic/${options.seed}/${pool.domain}/${String(documents.length).padStart(6, "0")}.md`,
      title,
      content,
      content_type: "markdown",
      metadata: { domain: pool.domain },
    });
    sections += count;
    bytes += encoder.encode(content).byteLength;
  }
  return { documents, sections, bytes };
}

/**
 * `count` distinct queries: the given ones first (deduplicated, shuffled with `seed`), then, if
 * more are needed, the first 6..12 words of sentences drawn from `pools`.
 *
 * @param given Real queries (e.g. SciFact claims, OpenTelemetry questions).
 * @param pools Pools for the extra queries.
 * @param count Queries wanted.
 * @param seed PRNG seed of the shuffle and the draws.
 * @throws Error when `count` distinct queries cannot be formed after 100 × `count` draws.
 */
export function uniqueQueries(given: readonly string[], pools: readonly SentencePool[], count: number, seed: number): string[] {
  const rand = mulberry32(seed ^ 0x5bd1e995);
  const out = [...new Set(given.map((q) => q.trim()).filter(Boolean))];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  const seen = new Set(out);
  for (let tries = 0; out.length < count; tries++) {
    if (tries > 100 * count) throw new Error(`could not form ${count} distinct queries`);
    const words = pick(rand, pick(rand, pools).sentences).replace(/[.!?]+$/, "").split(" ");
    const q = words.slice(0, between(rand, 6, 12)).join(" ");
    if (seen.has(q)) continue;
    seen.add(q);
    out.push(q);
  }
  return out.slice(0, count);
}
