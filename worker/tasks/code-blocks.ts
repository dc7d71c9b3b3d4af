/**
 * Code examples from the documents (pure): the fenced code blocks of retrieved chunks, each with
 * the sentence that introduces it, ranked by the description's terms, and turned into report parts
 * that cite their chunk. The code is copied as written, never changed.
 */
import { contentTerms, distinctContentTerms, hasTerm } from "../rag/text";
import { snippetOf, type PartSource } from "./citations";
import type { PartAnswer } from "./report";

/** Most examples in a code report, and per chunk. */
export const MAX_EXAMPLES = 4;
const MAX_PER_CHUNK = 2;
/** Blocks shorter than this (characters of code) are not examples ("$ npm i"). */
const MIN_CODE_CHARS = 20;
/** Weight of the introduction and heading against the code's own identifiers. */
const PROSE_WEIGHT = 1;
const CODE_WEIGHT = 0.5;

/** A fenced code block of a chunk. */
export interface CodeBlock {
  /** The fence's info string ("python", "yaml"), or "" when it has none. */
  language: string;
  /** The code, without its fences. */
  code: string;
  /** The prose line just before the block (within two lines), which introduces it; null when none. */
  intro: string | null;
  /** True when the chunk ends inside the block (the rest is in the next chunk). */
  truncated: boolean;
}

/** A retrieved chunk that may hold code. */
export interface CodeChunk {
  chunk_id: string;
  document_id: string;
  title: string;
  source: string;
  heading: string;
  content: string;
  /** Rank in retrieval, 0 = best. */
  rank: number;
}

/** A code block chosen as an example, with the chunk it comes from. */
export interface CodeExample {
  chunk: Omit<CodeChunk, "content">;
  block: CodeBlock;
  score: number;
}

const FENCE_RE = /^\s*(`{3,}|~{3,})\s*([\w+#.-]*)/;

/** The fenced code blocks of `content`, in order. */
export function codeBlocksOf(content: string): CodeBlock[] {
  const lines = content.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_RE.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trim().startsWith(fence)) body.push(lines[j++]);
    let intro: string | null = null;
    for (let k = i - 1; k >= Math.max(0, i - 2); k--) {
      const line = lines[k].trim();
      if (!line) continue;
      if (!FENCE_RE.test(line) && !/^[#|]/.test(line)) intro = line;
      break;
    }
    blocks.push({ language: open[2].toLowerCase(), code: body.join("\n").replace(/\s+$/, ""), intro, truncated: j >= lines.length });
    i = j;
  }
  return blocks;
}

/**
 * The best code blocks of `chunks` for `description`: blocks of at least 20 characters, scored by
 * the description's terms found in the block's introduction, page title and heading (weight 1)
 * and in the code (weight 0.5), weighted by `idf` when given, plus a little for the chunk's
 * retrieval rank. At most {@link MAX_EXAMPLES} blocks, 2 per chunk, no code twice; blocks that
 * match no term are left out.
 */
export function selectExamples(description: string, chunks: readonly CodeChunk[], idf?: ReadonlyMap<string, number>): CodeExample[] {
  const terms = distinctContentTerms(description);
  const weight = (t: string) => idf?.get(t) ?? 1;
  const total = terms.reduce((s, t) => s + weight(t), 0) || 1;
  const candidates: CodeExample[] = [];
  for (const { content, ...chunk } of chunks) {
    for (const block of codeBlocksOf(content)) {
      if (block.code.trim().length < MIN_CODE_CHARS) continue;
      const prose = new Set(contentTerms(`${block.intro ?? ""} ${chunk.title} ${chunk.heading}`));
      const code = new Set(contentTerms(block.code.replace(/[_.]/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2")));
      let matched = 0;
      for (const t of terms) matched += hasTerm(prose, t) ? PROSE_WEIGHT * weight(t) : hasTerm(code, t) ? CODE_WEIGHT * weight(t) : 0;
      if (matched === 0) continue;
      candidates.push({ chunk, block, score: matched / total + 0.1 / (1 + chunk.rank) });
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.chunk.rank - b.chunk.rank);
  const chosen: CodeExample[] = [];
  const perChunk = new Map<string, number>();
  const seen = new Set<string>();
  for (const c of candidates) {
    if (chosen.length >= MAX_EXAMPLES) break;
    const n = perChunk.get(c.chunk.chunk_id) ?? 0;
    const key = c.block.code.replace(/\s+/g, " ").trim();
    if (n >= MAX_PER_CHUNK || seen.has(key)) continue;
    perChunk.set(c.chunk.chunk_id, n + 1);
    seen.add(key);
    chosen.push(c);
  }
  return chosen;
}

/**
 * A chosen example as a report part cited to its chunk: the introduction (or "From <heading>:")
 * with the marker `[1]`, then the code in a fence of its language (a truncated block ends with a
 * comment line saying the rest is on the page).
 */
export function exampleAsPart(example: CodeExample): PartAnswer {
  const { chunk, block } = example;
  const source: PartSource = {
    index: 1, title: chunk.title, source: chunk.source, heading: chunk.heading, snippet: snippetOf(block.intro ?? block.code),
    chunk_id: chunk.chunk_id, document_id: chunk.document_id,
  };
  const fence = block.code.includes("```") ? "~~~" : "```";
  const intro = block.intro?.replace(/\s+$/, "");
  const lead = intro ? `${/[.:!?]$/.test(intro) ? intro : `${intro}:`} [1]` : `From ${chunk.heading}: [1]`;
  const code = block.truncated ? `${block.code}\n… (continued on the page)` : block.code;
  return {
    heading: `${block.language ? `${block.language} example` : "Example"}: ${chunk.heading}`,
    response: `${lead}\n\n${fence}${block.language}\n${code}\n${fence}`,
    has_sufficient_info: true,
    sources: [source],
  };
}
