/**
 * Markdown rendered without any raw-HTML sink: `marked`'s lexer gives tokens, and each token maps
 * to a Preact element, so document and model text only ever becomes text nodes. Raw HTML in the
 * source is shown as text; images are shown as their alt text (no external requests); links keep
 * only http, https and mailto URLs (others render as plain text). `renderText` lets the caller
 * turn plain text into richer nodes (the chat's `[n]` citation buttons).
 */
import type { ComponentChildren, JSX } from "preact";
import { marked, type Token, type Tokens } from "marked";

/** Schemes a rendered link may use. */
const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/** The URL when its scheme is http, https or mailto (absolute URLs only), else null. */
export function safeHref(href: string): string | null {
  try {
    const url = new URL(href);
    return SAFE_SCHEMES.has(url.protocol) ? url.toString() : null;
  } catch {
    return null;
  }
}

/** Decodes the HTML entities marked leaves in text tokens (&amp; &lt; &gt; &quot; &#39;). */
function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e]!);
}

export interface MarkdownProps {
  text: string;
  /** Turns a run of plain text into nodes (default: the text itself). */
  renderText?: (text: string) => ComponentChildren;
}

export function Markdown({ text, renderText = (t) => t }: MarkdownProps): JSX.Element {
  const tokens = marked.lexer(text, { gfm: true });
  return <div class="markdown">{blocks(tokens, renderText)}</div>;
}

function blocks(tokens: Token[], rt: (t: string) => ComponentChildren): ComponentChildren[] {
  return tokens.map((t, i) => block(t, i, rt));
}

function block(t: Token, key: number, rt: (t: string) => ComponentChildren): ComponentChildren {
  switch (t.type) {
    case "heading": {
      const Tag = `h${Math.min(6, Math.max(3, (t as Tokens.Heading).depth + 2))}` as "h3";
      return <Tag key={key}>{inline((t as Tokens.Heading).tokens, rt)}</Tag>;
    }
    case "paragraph":
      return <p key={key}>{inline((t as Tokens.Paragraph).tokens, rt)}</p>;
    case "text": {
      const tt = t as Tokens.Text;
      return <p key={key}>{tt.tokens ? inline(tt.tokens, rt) : rt(decode(tt.text))}</p>;
    }
    case "list": {
      const l = t as Tokens.List;
      const items = l.items.map((item, j) => <li key={j}>{listItem(item, rt)}</li>);
      return l.ordered ? <ol key={key} start={typeof l.start === "number" ? l.start : undefined}>{items}</ol> : <ul key={key}>{items}</ul>;
    }
    case "code":
      return (
        <pre key={key}>
          <code>{(t as Tokens.Code).text}</code>
        </pre>
      );
    case "blockquote":
      return <blockquote key={key}>{blocks((t as Tokens.Blockquote).tokens, rt)}</blockquote>;
    case "table": {
      const tb = t as Tokens.Table;
      return (
        <div key={key} class="table-wrap">
          <table>
            <thead>
              <tr>{tb.header.map((h, j) => <th key={j} scope="col">{inline(h.tokens, rt)}</th>)}</tr>
            </thead>
            <tbody>
              {tb.rows.map((row, r) => (
                <tr key={r}>{row.map((cell, j) => <td key={j}>{inline(cell.tokens, rt)}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    case "hr":
      return <hr key={key} />;
    case "space":
      return null;
    case "html":
      return <p key={key}>{(t as Tokens.HTML).text}</p>;
    default:
      return "raw" in t ? <p key={key}>{rt(String(t.raw))}</p> : null;
  }
}

function listItem(item: Tokens.ListItem, rt: (t: string) => ComponentChildren): ComponentChildren {
  // A tight list item holds text tokens (rendered inline); a loose one holds paragraphs.
  return item.tokens.map((t, i) =>
    t.type === "text" ? <span key={i}>{(t as Tokens.Text).tokens ? inline((t as Tokens.Text).tokens!, rt) : rt(decode((t as Tokens.Text).text))}</span> : block(t, i, rt),
  );
}

function inline(tokens: Token[] | undefined, rt: (t: string) => ComponentChildren): ComponentChildren[] {
  return (tokens ?? []).map((t, i) => {
    switch (t.type) {
      case "text":
      case "escape": {
        const tt = t as Tokens.Text;
        return tt.tokens && tt.tokens.length > 0 ? <span key={i}>{inline(tt.tokens, rt)}</span> : <span key={i}>{rt(decode(tt.text))}</span>;
      }
      case "strong":
        return <strong key={i}>{inline((t as Tokens.Strong).tokens, rt)}</strong>;
      case "em":
        return <em key={i}>{inline((t as Tokens.Em).tokens, rt)}</em>;
      case "del":
        return <del key={i}>{inline((t as Tokens.Del).tokens, rt)}</del>;
      case "codespan":
        return <code key={i}>{decode((t as Tokens.Codespan).text)}</code>;
      case "br":
        return <br key={i} />;
      case "link": {
        const l = t as Tokens.Link;
        const href = safeHref(l.href);
        const label = inline(l.tokens, rt);
        return href ? (
          <a key={i} href={href} target="_blank" rel="noopener noreferrer nofollow">
            {label}
          </a>
        ) : (
          <span key={i}>{label}</span>
        );
      }
      case "image":
        return <span key={i}>{(t as Tokens.Image).text}</span>;
      case "html":
        return <span key={i}>{(t as Tokens.HTML).text}</span>;
      default:
        return <span key={i}>{rt("raw" in t ? String(t.raw) : "")}</span>;
    }
  });
}
