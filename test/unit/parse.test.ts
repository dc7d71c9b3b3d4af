import { describe, expect, it } from "vitest";
import { chunkSections } from "../../worker/rag/chunking";
import { parseHtml } from "../../worker/rag/parse/html";
import { parseMarkdown, splitFrontMatter } from "../../worker/rag/parse/markdown";
import { contentTypeFromName } from "../../worker/rag/parse";

describe("Markdown parsing", () => {
  it("turns front matter into metadata and tolerates malformed YAML", () => {
    expect(splitFrontMatter("---\ntitle: T\ntags: [a, b]\n---\nBody").data).toEqual({ title: "T", tags: ["a", "b"] });
    const bad = splitFrontMatter("---\ntitle: [unclosed\n---\nBody");
    expect(bad.body).toBe("Body");
    expect(bad.error).toBeTruthy();
  });

  it("strips Hugo shortcodes and MDX components, keeping inner text and code", () => {
    const doc = parseMarkdown(`---
title: Page
---
import {Sandpack} from '../components';

{{< tabpane text=true >}}{{% tab Python %}}Install the SDK with pip.{{% /tab %}}{{< /tabpane >}}

<Intro>
React lets you build user interfaces.
</Intro>

\`\`\`sh
export OTEL_SERVICE_NAME=checkout
\`\`\`

Generic types such as \`Array<string>\` stay intact.
`);
    const text = doc.sections.map((s) => s.text).join("\n");
    expect(text).toContain("Install the SDK with pip.");
    expect(text).toContain("React lets you build user interfaces.");
    expect(text).toContain("export OTEL_SERVICE_NAME=checkout");
    expect(text).not.toMatch(/\{\{|<Intro>|import \{Sandpack\}/);
    expect(doc.title).toBe("Page");
  });

  it("builds heading paths and uses the first H1 as title without front matter", () => {
    const doc = parseMarkdown("# Guide\n\nIntro text.\n\n## Setup\n\nSetup text.\n\n### Linux\n\nLinux text.\n\n## Usage\n\nUsage text.");
    expect(doc.title).toBe("Guide");
    expect(doc.sections).toEqual([
      { headings: [], text: "Intro text." },
      { headings: ["Setup"], text: "Setup text." },
      { headings: ["Setup", "Linux"], text: "Linux text." },
      { headings: ["Usage"], text: "Usage text." },
    ]);
  });

  it("joins soft line breaks and keeps list items and tables as text", () => {
    const doc = parseMarkdown("Para line one\ncontinues here.\n\n- item **one**\n- item [two](http://x)\n\n| a | b |\n|---|---|\n| 1 | 2 |");
    expect(doc.sections[0].text).toBe("Para line one continues here.\n\n- item one\n- item two\n\na | b\n1 | 2");
  });
});

describe("HTML parsing", () => {
  it("drops scripts and navigation, and sections by headings", () => {
    const doc = parseHtml(`<html><head><title>Doc</title><meta name="description" content="About things"></head>
      <body><nav>Menu</nav><h1>Doc</h1><p>Intro.</p><h2>Part A</h2><p>Alpha <b>text</b>.</p><script>evil()</script>
      <h3>Sub</h3><ul><li>one</li><li>two</li></ul></body></html>`);
    expect(doc.title).toBe("Doc");
    expect(doc.metadata).toEqual({ description: "About things" });
    expect(doc.sections).toEqual([
      { headings: [], text: "Intro." },
      { headings: ["Part A"], text: "Alpha text." },
      { headings: ["Part A", "Sub"], text: "one\ntwo" },
    ]);
  });
});

describe("chunking", () => {
  it("splits sections under the size with overlap and prefixes the title to heading paths", async () => {
    const text = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} explains one more detail about exporters.`).join(" ");
    const chunks = await chunkSections("Doc", [{ headings: ["Exporters"], text }, { headings: [], text: "Short." }], { chunkSize: 300, chunkOverlap: 60 });
    const exporterChunks = chunks.filter((c) => c.heading === "Doc > Exporters");
    expect(exporterChunks.length).toBeGreaterThan(5);
    for (const c of exporterChunks) expect(c.content.length).toBeLessThanOrEqual(300);
    // consecutive chunks share text (overlap)
    const tail = exporterChunks[0].content.slice(-30);
    expect(exporterChunks[1].content).toContain(tail.slice(tail.indexOf(" ") + 1));
    expect(chunks.at(-1)).toMatchObject({ heading: "Doc", content: "Short." });
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
  });

  it("rejects invalid options", async () => {
    await expect(chunkSections("t", [], { chunkSize: 100, chunkOverlap: 100 })).rejects.toThrow(RangeError);
    await expect(chunkSections("t", [], { chunkSize: 50, chunkOverlap: 0 })).rejects.toThrow(RangeError);
  });

  it("detects content types from names", () => {
    expect(["a.md", "b.MDX", "c.htm", "d.txt", "e.pdf", "f.docx"].map(contentTypeFromName)).toEqual(["markdown", "markdown", "html", "text", "pdf", null]);
  });
});
