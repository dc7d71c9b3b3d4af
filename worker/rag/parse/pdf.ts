/** PDF text extraction with `unpdf` (PDF.js built for serverless runtimes): one section per page. */
import { extractText, getDocumentProxy, getMeta } from "unpdf";
import type { ParsedDocument } from "./types";

/**
 * Extracts the text of every page. Throws when the bytes are not a readable PDF.
 * Pages without text (scans) are skipped.
 */
export async function parsePdf(bytes: Uint8Array): Promise<ParsedDocument> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(pdf, { mergePages: false });
  let title: string | null = null;
  try {
    const meta = await getMeta(pdf);
    const t = (meta.info as Record<string, unknown> | undefined)?.Title;
    if (typeof t === "string" && t.trim()) title = t.trim();
  } catch {
    // metadata is optional
  }
  const sections = text
    .map((page, i) => ({ headings: [`Page ${i + 1}`], text: page.replace(/[ \t]+/g, " ").replace(/\n{3,}/g, "\n\n").trim() }))
    .filter((s) => s.text.length > 0);
  return { title, metadata: { page_count: text.length }, sections };
}
