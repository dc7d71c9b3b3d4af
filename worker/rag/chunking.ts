/**
 * Heading-aware recursive chunking: every section of a parsed document is split on its own with
 * LangChain's `RecursiveCharacterTextSplitter` (paragraph, line, sentence, word boundaries, in
 * that order), so no chunk straddles two headings and each chunk keeps its heading path.
 */
import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import type { Section } from "./parse";

/** Chunking parameters, in characters (UTF-16 code units). */
export interface ChunkingOptions {
  /** Maximum chunk length; default 1000, range 100..8000. */
  chunkSize: number;
  /** Characters shared by consecutive chunks of one section; default 200, < chunkSize. */
  chunkOverlap: number;
}

export const DEFAULT_CHUNKING: ChunkingOptions = { chunkSize: 1000, chunkOverlap: 200 };

/** A chunk before storage. `heading` is the path joined with " > ", the title first. */
export interface TextChunk {
  index: number;
  heading: string;
  content: string;
}

const SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "。", " ", ""];

/**
 * Splits sections into chunks. `prefix` (the breadcrumbs and title, " > "-joined) heads every
 * heading path. Throws RangeError on invalid options (overlap ≥ size, size out of range).
 */
export async function chunkSections(
  prefix: string,
  sections: readonly Section[],
  options: ChunkingOptions = DEFAULT_CHUNKING,
): Promise<TextChunk[]> {
  const { chunkSize, chunkOverlap } = options;
  if (!(chunkSize >= 100 && chunkSize <= 8000)) throw new RangeError(`chunkSize must be 100..8000, got ${chunkSize}`);
  if (!(chunkOverlap >= 0 && chunkOverlap < chunkSize)) throw new RangeError(`chunkOverlap must be 0..chunkSize-1, got ${chunkOverlap}`);
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize, chunkOverlap, separators: SEPARATORS, keepSeparator: true });
  const chunks: TextChunk[] = [];
  for (const section of sections) {
    const heading = [prefix, ...section.headings].filter(Boolean).join(" > ");
    for (const piece of await splitter.splitText(section.text)) {
      const content = piece.trim();
      if (content) chunks.push({ index: chunks.length, heading, content });
    }
  }
  return chunks;
}

/**
 * The text of a chunk that is embedded: its heading path, a newline, its content. Ingestion embeds
 * it for the vector index; pseudo-relevance feedback reads the same text to pick expansion terms
 * (and reads the chunks' stored embeddings back from the vector index for Rocchio).
 */
export function chunkEmbeddingText(chunk: { heading: string; content: string }): string {
  return `${chunk.heading}\n${chunk.content}`;
}
