/**
 * Real sentences for the synthetic corpora of `synthetic-corpus.ts`, read from `../shared/data`:
 * SciFact abstracts (`beir-scifact/corpus.jsonl`) and the prose of Markdown documentation such as
 * `docs-opentelemetry` and `docs-react-en` (front matter, code blocks, tables, lists and markup
 * left out).
 * Plain TypeScript run by Node's type stripping; only `node:` built-ins.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { collectDocuments } from "./ingest-client.ts";
import { splitSentences, usableSentence, type SentencePool } from "./synthetic-corpus.ts";

/** Distinct usable sentences of `texts`, in first-seen order. */
function sentencesOf(texts: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const text of texts) for (const s of splitSentences(text)) if (usableSentence(s)) out.add(s);
  return [...out];
}

/**
 * SciFact abstracts as a pool (domain `science`): sentences of every abstract, titles of every
 * document.
 *
 * @param dir The `beir-scifact` folder.
 * @param weight Relative share of documents drawn from the pool.
 * @throws Error when `corpus.jsonl` cannot be read or parsed.
 */
export async function scifactPool(dir: string, weight: number): Promise<SentencePool> {
  const lines = (await readFile(path.join(dir, "corpus.jsonl"), "utf8")).split("\n").filter((l) => l.trim());
  const docs = lines.map((l) => JSON.parse(l) as { title?: string; text?: string });
  return {
    name: path.basename(dir),
    domain: "science",
    sentences: sentencesOf(docs.map((d) => d.text ?? "")),
    titles: [...new Set(docs.map((d) => (d.title ?? "").trim().replace(/[#|`<>*_[\]{}\\]/g, "")).filter((t) => t.length >= 10 && t.length <= 300))],
    weight,
  };
}

/** Prose paragraphs of a Markdown page: lines that start with a letter, joined per paragraph. */
function proseParagraphs(markdown: string): string[] {
  const body = markdown.replace(/^---\n[\s\S]*?\n---\n/, "").replace(/```[\s\S]*?```/g, "\n\n").replace(/\{\{[<%][\s\S]*?[%>]\}\}/g, "");
  const paragraphs: string[] = [];
  for (const block of body.split(/\n\s*\n/)) {
    const lines = block.split("\n").map((l) => l.trim());
    if (lines.length === 0 || !lines.every((l) => /^[A-Za-z]/.test(l))) continue;
    // Links keep their text; inline code keeps its content.
    paragraphs.push(lines.join(" ").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/`([^`]*)`/g, "$1"));
  }
  return paragraphs;
}

/**
 * A folder of Markdown documentation as a pool: prose sentences of every Markdown page (licence
 * files left out), page titles from their front matter.
 *
 * @param dir E.g. the `docs-opentelemetry` folder.
 * @param domain `metadata.domain` of the documents drawn from the pool, e.g. `observability`.
 * @param weight Relative share of documents drawn from the pool.
 * @throws Error from {@link collectDocuments} when the folder cannot be read.
 */
export async function docsPool(dir: string, domain: string, weight: number): Promise<SentencePool> {
  const { documents } = await collectDocuments(dir);
  const pages = documents.filter((d) => d.content_type === "markdown" && !/(^|\/)LICENSE[^/]*$/i.test(d.source));
  const titles = pages
    .map((d) => /^title:\s*(.+)$/m.exec(d.content)?.[1]?.trim().replace(/^["']|["']$/g, "") ?? "")
    .map((t) => t.replace(/[#|`<>*_[\]{}\\]/g, ""))
    .filter((t) => t.length >= 3);
  return { name: path.basename(dir), domain, sentences: sentencesOf(pages.flatMap((d) => proseParagraphs(d.content))), titles: [...new Set(titles)], weight };
}

/**
 * SciFact claims (`queries.jsonl`, all splits) as real queries.
 *
 * @param dir The `beir-scifact` folder.
 */
export async function scifactQueries(dir: string): Promise<string[]> {
  const lines = (await readFile(path.join(dir, "queries.jsonl"), "utf8")).split("\n").filter((l) => l.trim());
  return lines.map((l) => (JSON.parse(l) as { text?: string }).text ?? "").filter(Boolean);
}
