/**
 * Markdown (CommonMark/GFM, Hugo and MDX flavoured) to heading sections, with `marked`'s lexer.
 * Front matter (YAML between `---` fences) becomes metadata; Hugo shortcodes (`{{< … >}}`,
 * `{{% … %}}`) and MDX/JSX components are removed with their inner text kept.
 */
import { marked, type Token, type Tokens } from "marked";
import { parse as parseYaml } from "yaml";
import type { ParsedDocument, Section } from "./types";

const FRONT_MATTER_RE = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const SHORTCODE_RE = /\{\{[<%][\s\S]*?[%>]\}\}/g;
/** MDX ESM statements: `import … from '…'`, `export const|default|function …` (not shell `export X=1`). */
const MDX_ESM_RE = /^(?:import\s[^\n]*\bfrom\s+['"][^'"]+['"];?|import\s+['"][^'"]+['"];?|export\s+(?:const|let|var|default|function|async|class)\b[^\n]*)[ \t]*(?:\n|$)/gm;
const TAG_RE = /<\/?[A-Za-z][\w.:-]*(?:\s(?:[^<>"'{}]|"[^"]*"|'[^']*'|\{[^{}]*\})*)?\/?>/g;
const COMMENT_RE = /<!--[\s\S]*?-->|\{\/\*[\s\S]*?\*\/\}/g;

/** Splits off YAML front matter. Malformed YAML is reported in `error`, never thrown. */
export function splitFrontMatter(source: string): { data: Record<string, unknown>; body: string; error?: string } {
  const m = FRONT_MATTER_RE.exec(source);
  if (!m) return { data: {}, body: source };
  const body = source.slice(m[0].length);
  try {
    const data = parseYaml(m[1]);
    return { data: data && typeof data === "object" && !Array.isArray(data) ? data : {}, body };
  } catch (e) {
    return { data: {}, body, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Removes Hugo shortcode tags, MDX import/export lines, comments and JSX/HTML tags (inner text kept). */
export function stripMarkup(text: string): string {
  return text.replace(SHORTCODE_RE, "").replace(COMMENT_RE, "").replace(TAG_RE, "");
}

function inlineText(tokens: Token[] | undefined, fallback: string): string {
  if (!tokens) return fallback;
  let out = "";
  for (const t of tokens) {
    switch (t.type) {
      case "html":
        break;
      case "br":
        out += "\n";
        break;
      case "image":
        out += (t as Tokens.Image).text;
        break;
      case "codespan":
        out += (t as Tokens.Codespan).text;
        break;
      case "escape":
        out += (t as Tokens.Escape).text;
        break;
      default:
        out += "tokens" in t && Array.isArray(t.tokens) ? inlineText(t.tokens, "") : "text" in t ? String(t.text) : "";
    }
  }
  return out;
}

function blockText(token: Token): string {
  switch (token.type) {
    case "paragraph":
    case "text":
      // Soft line breaks inside a paragraph are spaces.
      return inlineText((token as Tokens.Paragraph).tokens, (token as Tokens.Paragraph).text).replace(/[ \t]*\n[ \t]*/g, " ")
        // a removed shortcode or component can leave "for ." behind
        .replace(/[ \t]+([.,;:!?])(?=\s|$)/g, "$1");
    case "code": {
      // Fences stay in the chunk text so answer extraction can tell code from prose.
      const code = token as Tokens.Code;
      return "```" + (code.lang ?? "") + "\n" + code.text + "\n```";
    }
    case "blockquote":
      return (token as Tokens.Blockquote).tokens.map(blockText).filter(Boolean).join("\n");
    case "list":
      return (token as Tokens.List).items
        .map((item) => "- " + item.tokens.map(blockText).filter(Boolean).join("\n"))
        .join("\n");
    case "table": {
      const t = token as Tokens.Table;
      const row = (cells: Tokens.TableCell[]) => cells.map((c) => inlineText(c.tokens, c.text)).join(" | ");
      return [row(t.header), ...t.rows.map(row)].join("\n");
    }
    case "html":
      return stripMarkup((token as Tokens.HTML).text).trim();
    case "def":
    case "hr":
    case "space":
      return "";
    default:
      return "tokens" in token && Array.isArray(token.tokens) ? inlineText(token.tokens, "") : "";
  }
}

/**
 * Parses Markdown into sections keyed by heading path. The page title (front matter `title`,
 * else the first H1) is not part of the heading paths; callers prefix it.
 */
export function parseMarkdown(source: string): ParsedDocument {
  const fm = splitFrontMatter(source.replace(/\r\n?/g, "\n"));
  const body = fm.body.replace(SHORTCODE_RE, "").replace(MDX_ESM_RE, "").replace(COMMENT_RE, "");
  const tokens = marked.lexer(body, { gfm: true });

  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fm.data)) {
    if (v === null || ["string", "number", "boolean"].includes(typeof v) || Array.isArray(v)) metadata[k] = v;
  }
  if (fm.error) metadata.front_matter_error = fm.error;
  let title = typeof fm.data.title === "string" && fm.data.title.trim() ? stripMarkup(fm.data.title).trim() : null;

  const sections: Section[] = [];
  const stack: { depth: number; text: string }[] = [];
  let buffer: string[] = [];
  const flush = () => {
    const text = buffer.join("\n\n").replace(/\n{3,}/g, "\n\n").trim();
    if (text) sections.push({ headings: stack.map((h) => h.text), text });
    buffer = [];
  };

  for (const token of tokens) {
    if (token.type === "heading") {
      const h = token as Tokens.Heading;
      const text = stripMarkup(inlineText(h.tokens, h.text)).replace(/\s*\{#[^}]*\}\s*$/, "").trim();
      flush();
      if (h.depth === 1 && !title && stack.length === 0) {
        title = text;
        continue;
      }
      while (stack.length > 0 && stack[stack.length - 1].depth >= h.depth) stack.pop();
      if (text) stack.push({ depth: h.depth, text });
      continue;
    }
    const text = blockText(token);
    // Code keeps its angle brackets (`Array<string>`); prose loses leftover tags.
    if (text.trim()) buffer.push(token.type === "code" ? text.trim() : stripMarkup(text).trim());
  }
  flush();
  return { title, metadata, sections };
}
