/**
 * HTML to heading sections with `node-html-parser`: `<title>` or the first `<h1>` is the title,
 * `<h1>`…`<h6>` open sections, scripts, styles and navigation chrome are dropped.
 */
import { parse, NodeType, type HTMLElement, type Node } from "node-html-parser";
import type { ParsedDocument, Section } from "./types";

const SKIP = new Set(["script", "style", "noscript", "nav", "header", "footer", "template", "svg", "iframe", "head"]);
const BLOCK = new Set([
  "p", "div", "section", "article", "main", "li", "ul", "ol", "pre", "blockquote", "table", "tr",
  "td", "th", "dt", "dd", "dl", "br", "hr", "figure", "figcaption", "aside", "details", "summary",
]);

/** Parses an HTML document or fragment into sections. */
export function parseHtml(source: string): ParsedDocument {
  const root = parse(source, { comment: false, blockTextElements: { pre: true } });
  const docTitle = root.querySelector("title")?.textContent.trim() || null;
  const description = root.querySelector('meta[name="description"]')?.getAttribute("content")?.trim();

  const sections: Section[] = [];
  const stack: { depth: number; text: string }[] = [];
  let title: string | null = docTitle;
  let buffer = "";
  const flush = () => {
    const text = buffer.replace(/[ \t]+/g, " ").replace(/ *\n */g, "\n").replace(/\n{3,}/g, "\n\n").trim();
    if (text) sections.push({ headings: stack.map((h) => h.text), text });
    buffer = "";
  };

  const walk = (node: Node) => {
    if (node.nodeType === NodeType.TEXT_NODE) {
      buffer += node.textContent;
      return;
    }
    if (node.nodeType !== NodeType.ELEMENT_NODE) return;
    const el = node as HTMLElement;
    const tag = el.rawTagName?.toLowerCase() ?? "";
    if (SKIP.has(tag)) return;
    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      const depth = Number(heading[1]);
      const text = el.textContent.replace(/\s+/g, " ").trim();
      flush();
      if (depth === 1 && !title && stack.length === 0) {
        title = text;
        return;
      }
      if (depth === 1 && text === title && stack.length === 0) return;
      while (stack.length > 0 && stack[stack.length - 1].depth >= depth) stack.pop();
      if (text) stack.push({ depth, text });
      return;
    }
    const block = BLOCK.has(tag);
    const newline = () => {
      if (!buffer.endsWith("\n")) buffer += "\n";
    };
    if (block) newline();
    for (const child of el.childNodes) walk(child);
    if (block) newline();
  };
  walk(root);
  flush();
  return { title, metadata: description ? { description } : {}, sections };
}
