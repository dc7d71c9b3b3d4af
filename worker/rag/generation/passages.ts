/**
 * Answer-bearing passages of a chunk for the extractive generator. A chunk's text (as the
 * Markdown parser writes it: blocks separated by blank lines, list items as "- " lines, table rows
 * as " | "-joined cells, code in ``` fences) is cut into units a reader can use on their own:
 * - a prose sentence with the neighbour it leans on (a following sentence that starts with "It",
 *   "This", …; the next one when it ends with ":");
 * - a list item with its lead-in (the sentence before the list);
 * - a table row with the table's header row;
 * - a short code or configuration block whole, or a few lines of a longer one around a line with
 *   query terms, with the sentence that introduces the block.
 * Every unit's text is copied from the chunk (lines kept whole), so citations can be checked.
 */
import { sentences } from "../text";

/** What a passage is made of. */
export type PassageKind = "prose" | "list" | "table" | "code";

/** One answer unit. `text` is what the answer shows; `lead` (if any) precedes it. */
export interface Passage {
  kind: PassageKind;
  /** The introducing sentence (list lead-in, sentence before a code block), or "" */
  lead: string;
  /** The unit's own text: sentences, a "- item" line, "header\nrow", or a fenced code excerpt. */
  text: string;
  /** Text matched against the query (lead + text, code without fences). */
  searchable: string;
  /** Position of the unit in the chunk (0-based), for reading order. */
  position: number;
}

/** Longest prose unit in characters (two sentences of a normal paragraph fit). */
const MAX_PROSE_CHARS = 700;
/** Lines of a code block shown around a matching line, and the block length shown whole. */
const CODE_CONTEXT_LINES = 3;
const WHOLE_CODE_LINES = 16;
/** Sentences that lean on the one before. */
const LEANING_RE = /^(it|this|these|they|that|those|such|then|otherwise|however|for example|for instance|in that case|in this case|이|이것|그|그것|이러한|따라서|하지만|예를 들어)\b/iu;

interface Block {
  kind: "paragraph" | "list" | "table" | "code";
  lines: string[];
  lang: string;
}

/** Splits chunk text into blocks; a fence left open at either end of the chunk still holds code. */
export function blocksOf(content: string): Block[] {
  const blocks: Block[] = [];
  const lines = content.split("\n");
  const fences = lines.filter((l) => /^\s*```/.test(l)).length;
  // An odd number of fences: the chunk starts inside a code block when its first fence has no language.
  let inCode = fences % 2 === 1 && /^\s*```\s*$/.test(lines.find((l) => /^\s*```/.test(l)) ?? "");
  let current: Block | null = inCode ? { kind: "code", lines: [], lang: "" } : null;
  const push = () => {
    if (current && current.lines.some((l) => l.trim())) blocks.push(current);
    current = null;
  };
  for (const line of lines) {
    const fence = /^\s*```\s*([\w+-]*)/.exec(line);
    if (fence) {
      if (inCode) {
        push();
        inCode = false;
      } else {
        push();
        inCode = true;
        current = { kind: "code", lines: [], lang: fence[1] ?? "" };
      }
      continue;
    }
    if (inCode) {
      current!.lines.push(line);
      continue;
    }
    if (!line.trim()) {
      push();
      continue;
    }
    const kind: Block["kind"] = /^\s*[-*+]\s+/.test(line) ? "list" : / \| /.test(line) ? "table" : "paragraph";
    if (current && current.kind !== kind && !(current.kind === "list" && kind === "paragraph" && /^\s+/.test(line))) push();
    current ??= { kind, lines: [], lang: "" };
    current.lines.push(line);
  }
  push();
  return blocks;
}

/** The last sentence of a paragraph block, as a lead-in ("" when there is none). */
function lastSentence(block: Block | undefined): string {
  if (!block || block.kind !== "paragraph") return "";
  const s = sentences(block.lines.join(" "));
  return s.at(-1) ?? "";
}

/**
 * The passages of a chunk's content, in reading order. `matches(line)` tells which code lines hold
 * query terms (only those lines, with their neighbours, become code passages).
 */
export function passagesOf(content: string, matches: (line: string) => boolean): Passage[] {
  const out: Passage[] = [];
  const blocks = blocksOf(content);
  let position = 0;
  blocks.forEach((block, b) => {
    const before = blocks[b - 1];
    if (block.kind === "paragraph") {
      const ss = sentences(block.lines.join(" "));
      for (let i = 0; i < ss.length; i++) {
        let text = ss[i];
        const next = ss[i + 1];
        if (next && (/[:：]$/.test(text) || LEANING_RE.test(next)) && text.length + next.length < MAX_PROSE_CHARS) text = `${text} ${next}`;
        if (text.length > MAX_PROSE_CHARS) text = ss[i];
        out.push({ kind: "prose", lead: "", text, searchable: text, position: position++ });
      }
    } else if (block.kind === "list") {
      const lead = lastSentence(before);
      for (const line of block.lines) {
        if (!/^\s*[-*+]\s+/.test(line)) continue;
        const item = line.trim();
        out.push({ kind: "list", lead, text: item, searchable: `${lead} ${item.replace(/^[-*+]\s+/, "")}`, position: position++ });
      }
    } else if (block.kind === "table") {
      const [header, ...rows] = block.lines;
      for (const row of rows) {
        if (/^[\s|:-]+$/.test(row)) continue;
        out.push({ kind: "table", lead: lastSentence(before), text: `${header}\n${row}`, searchable: `${header} ${row}`, position: position++ });
      }
      if (rows.length === 0) out.push({ kind: "table", lead: "", text: header, searchable: header, position: position++ });
    } else {
      const lead = lastSentence(before);
      const fence = (ls: string[]) => `\`\`\`${block.lang}\n${ls.join("\n")}\n\`\`\``;
      if (block.lines.length <= WHOLE_CODE_LINES) {
        out.push({ kind: "code", lead, text: fence(block.lines), searchable: `${lead} ${block.lines.join(" ")}`, position: position++ });
        return;
      }
      let covered = -1;
      block.lines.forEach((line, i) => {
        if (i <= covered || !matches(line)) return;
        const from = Math.max(0, i - CODE_CONTEXT_LINES);
        const to = Math.min(block.lines.length, i + CODE_CONTEXT_LINES + 1);
        covered = to - 1;
        const excerpt = block.lines.slice(from, to);
        out.push({ kind: "code", lead, text: fence(excerpt), searchable: `${lead} ${excerpt.join(" ")}`, position: position++ });
      });
    }
  });
  return out;
}

/**
 * Whether a chunk's text stops where its page goes on with the same thing: it ends in a list, a
 * table or a code block, or in a paragraph whose last sentence ends with ":" (a lead-in whose list
 * is in the next chunk).
 */
export function endsOpen(content: string): boolean {
  const last = blocksOf(content).at(-1);
  if (!last) return false;
  return last.kind !== "paragraph" || /[:：]\s*$/.test(last.lines.at(-1) ?? "");
}
