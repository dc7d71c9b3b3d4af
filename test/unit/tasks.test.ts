/**
 * The pure parts of tasks (worker/tasks/): planning a research task's sub-questions, citation
 * renumbering, report assembly, code block extraction and ranking, and the analysis comparison.
 */
import { describe, expect, it } from "vitest";
import { markersOf, renderSources, SourceRegistry, type PartSource } from "../../worker/tasks/citations";
import { codeBlocksOf, exampleAsPart, selectExamples, type CodeChunk } from "../../worker/tasks/code-blocks";
import { compareDigests, renderComparison } from "../../worker/tasks/compare";
import { planSubQuestions, subjectOf, topicOf, withoutLead } from "../../worker/tasks/plan";
import { assembleReport, keyPoint, summaryOf, type PartAnswer } from "../../worker/tasks/report";
import { NOT_COVERED_MESSAGE } from "../../worker/rag/generation/types";

const src = (index: number, chunk: string, extra: Partial<PartSource> = {}): PartSource => ({
  index, title: `Page ${chunk}`, source: `docs/${chunk}.md`, heading: `Page ${chunk} > Section`, snippet: `Text of ${chunk}`, chunk_id: chunk, document_id: `doc-${chunk}`, ...extra,
});

describe("planning sub-questions", () => {
  it("keeps explicit asks: several questions, one per ask", () => {
    expect(planSubQuestions("What is a span? How are spans exported? Why sample traces?")).toEqual([
      "What is a span?", "How are spans exported?", "Why sample traces?",
    ]);
  });

  it("keeps a list of asks, without leading instructions", () => {
    const plan = planSubQuestions("Research the collector:\n- what receivers are\n- how processors batch data\n- explain exporters");
    expect(plan).toEqual(["What receivers are?", "How processors batch data?", "Exporters?"]);
  });

  it("splits a comparison into each side and the contrast", () => {
    expect(planSubQuestions("Compare head sampling and tail sampling")).toEqual([
      "What is head sampling?", "What is tail sampling?", "Compare head sampling and tail sampling?",
    ]);
  });

  it("gives a one-topic description facets of its topic, three in all", () => {
    expect(planSubQuestions("Research OpenTelemetry baggage")).toEqual([
      "What is OpenTelemetry baggage?", "How does OpenTelemetry baggage work?", "How do you configure OpenTelemetry baggage?",
    ]);
  });

  it("keeps a single question and adds facets that it does not already ask", () => {
    const plan = planSubQuestions("How do I configure the OpenTelemetry Collector batch processor?");
    expect(plan[0]).toBe("How do I configure the OpenTelemetry Collector batch processor?");
    expect(plan).toHaveLength(3);
    expect(plan.some((q) => /^How do you configure/.test(q))).toBe(false);
    expect(plan.slice(1)).toEqual(["What is OpenTelemetry Collector batch processor?", "How does OpenTelemetry Collector batch processor work?"]);
  });

  it("always plans 2 to 5 sub-questions, none twice", () => {
    const many = planSubQuestions(Array.from({ length: 8 }, (_, i) => `What is topic${i}?`).join(" "));
    expect(many).toHaveLength(5);
    expect(planSubQuestions("What is a span? What is a span?")).toHaveLength(2);
    for (const d of ["tracing", "x", "Explain how the SDK exports metrics and what the default interval is"]) {
      const plan = planSubQuestions(d);
      expect(plan.length).toBeGreaterThanOrEqual(2);
      expect(plan.length).toBeLessThanOrEqual(5);
      expect(new Set(plan).size).toBe(plan.length);
      for (const q of plan) expect(q).toMatch(/\?$/);
    }
  });

  it("finds the topic of a description", () => {
    expect(withoutLead("Write a short report on context propagation")).toBe("context propagation");
    expect(topicOf("head sampling")).toBe("head sampling");
    expect(topicOf("how does the OpenTelemetry Collector handle retries of failed exports")).toBe("OpenTelemetry Collector retries failed");
    expect(subjectOf("sampling in OpenTelemetry")).toBe("sampling");
    expect(planSubQuestions("Research sampling in OpenTelemetry")[0]).toBe("What is sampling?");
  });
});

describe("citation numbering", () => {
  it("renumbers each part into one list, a shared chunk once, in order of first citation", () => {
    const registry = new SourceRegistry();
    const a = registry.cite({ text: "Alpha [2]\n\nBeta [1]", sources: [src(1, "b"), src(2, "a")] });
    const b = registry.cite({ text: "Gamma [1][3]", sources: [src(1, "c"), src(2, "unused"), src(3, "a")] });
    expect(a).toBe("Alpha [1]\n\nBeta [2]");
    expect(b).toBe("Gamma [3][1]");
    expect(registry.sources.map((s) => [s.index, s.chunk_id])).toEqual([[1, "a"], [2, "b"], [3, "c"]]);
  });

  it("leaves markers in code alone and drops markers that cite nothing", () => {
    const registry = new SourceRegistry();
    const text = "Use `arr[1]` here [1] and [7]\n\n```js\nconst x = a[1];\n```\n[1]";
    expect(registry.cite({ text, sources: [src(1, "z", { index: 1 })] })).toBe("Use `arr[1]` here [1] and\n\n```js\nconst x = a[1];\n```\n[1]");
    expect(markersOf(text)).toEqual([1, 7]);
  });

  it("identifies a web source by its URL", () => {
    const registry = new SourceRegistry();
    const web = { index: 1, title: "W", source: "https://x.test/a", heading: "Web", snippet: "", web: true as const, url: "https://x.test/a" };
    registry.cite({ text: "A [1]", sources: [web] });
    registry.cite({ text: "B [1]", sources: [web] });
    expect(registry.sources).toHaveLength(1);
    expect(renderSources(registry.sources)).toBe("1. **W** — Web · <https://x.test/a>");
  });

  it("lists sources with title, heading and path", () => {
    expect(renderSources([{ ...src(1, "a"), title: "A *b*" }])).toBe("1. **A \\*b\\*** — Page a > Section · `docs/a.md`");
    expect(renderSources([])).toBe("No sources were cited.");
  });
});

describe("report assembly", () => {
  const part = (heading: string, response: string, sources: PartSource[], ok = true): PartAnswer => ({ heading, response, has_sufficient_info: ok, sources });

  it("takes the first cited statement of an answer as its key point", () => {
    expect(keyPoint("**Baggage**\nBaggage is contextual information. It travels with context. [3]\n\n**Other**\nMore [4]")).toBe("Baggage is contextual information. [3]");
    expect(keyPoint("**Code**\n```sh\nexport X=1\n```\nSet X before starting. It matters. [2]")).toBe("Set X before starting. [2]");
    expect(keyPoint("No citation here.")).toBeNull();
    expect(keyPoint("**A**\nFor example: [1]\n\n**B**\nThe collector batches spans before export. [2]")).toBe("The collector batches spans before export. [2]");
    expect(keyPoint("**A**\nRun the following command: [1]")).toBe("Run the following command: [1]");
    expect(keyPoint("**A**\nFor details, see the exporter page. [1]\n\n**B**\nExporters send telemetry to a backend. [2]")).toBe("Exporters send telemetry to a backend. [2]");
    expect(keyPoint("**A**\nFor the complete example, see the OpenTelemetry . [1]")).toBe("For the complete example, see the OpenTelemetry . [1]");
  });

  it("writes a title, a summary, one section per part, and the sources, renumbered", () => {
    const result = assembleReport({
      type: "research",
      description: "Research sampling",
      parts: [
        part("What is sampling?", "**Sampling**\nSampling restricts the traces that are generated. [2]", [src(1, "x"), src(2, "s")]),
        part("How is it configured?", "**Config**\nSet the sampler with an environment variable. [1]\n\n**Sampling**\nAgain [2]", [src(1, "c"), src(2, "s")]),
        part("Why is it costly?", NOT_COVERED_MESSAGE, [src(1, "q")], false),
      ],
    });
    expect(result.report).toBe(
      [
        "# Research: Research sampling",
        "",
        "## Summary",
        "",
        "- **What is sampling?** Sampling restricts the traces that are generated. [1]",
        "- **How is it configured?** Set the sampler with an environment variable. [2]",
        "- **Why is it costly?** The knowledge base does not cover this part.",
        "",
        "## 1. What is sampling?",
        "",
        "**Sampling**\nSampling restricts the traces that are generated. [1]",
        "",
        "## 2. How is it configured?",
        "",
        "**Config**\nSet the sampler with an environment variable. [2]\n\n**Sampling**\nAgain [1]",
        "",
        "## 3. Why is it costly?",
        "",
        NOT_COVERED_MESSAGE,
        "",
        "## Sources",
        "",
        "1. **Page s** — Page s > Section · `docs/s.md`",
        "2. **Page c** — Page c > Section · `docs/c.md`",
        "",
      ].join("\n"),
    );
    expect(result.sources.map((s) => s.index)).toEqual([1, 2]);
    expect(summaryOf(result.report)).toHaveLength(3);
  });

  it("carries a dependency's summary as context, its citations joining the sources list", () => {
    const first = assembleReport({ type: "research", description: "sampling", parts: [part("What is sampling?", "**S**\nSampling limits traces. [1]", [src(1, "s")])] });
    const second = assembleReport({
      type: "code",
      description: "sampler code",
      parts: [part("python example: P", "Configure it: [1]\n\n```python\nx = 1\n```", [src(1, "p")])],
      context: [{ task_id: "t1", type: "research", description: "sampling", result: first }],
    });
    expect(second.report).toContain("## Context from earlier tasks\n\n**Research task t1**: sampling\n\n- **What is sampling?** Sampling limits traces. [2]");
    expect(second.sources.map((s) => s.chunk_id)).toEqual(["p", "s"]);
  });
});

describe("code blocks", () => {
  const content = [
    "Install the SDK first.",
    "",
    "To create a tracer provider, run:",
    "",
    "```python",
    "from opentelemetry.sdk.trace import TracerProvider",
    "provider = TracerProvider()",
    "```",
    "",
    "```shell",
    "pip install x",
    "```",
    "Then export:",
    "```yaml",
    "exporters:",
    "  otlp:",
    "    endpoint: collector:4317",
  ].join("\n");

  it("extracts fenced blocks with their language, introduction and whether they were cut", () => {
    const blocks = codeBlocksOf(content);
    expect(blocks.map((b) => [b.language, b.intro, b.truncated])).toEqual([
      ["python", "To create a tracer provider, run:", false],
      ["shell", null, false],
      ["yaml", "Then export:", true],
    ]);
    expect(blocks[0].code).toBe("from opentelemetry.sdk.trace import TracerProvider\nprovider = TracerProvider()");
  });

  it("ranks blocks by the description's terms and cites each to its chunk", () => {
    const chunk: CodeChunk = { chunk_id: "c1", document_id: "d1", title: "Traces", source: "py/traces.md", heading: "Traces > Setup", content, rank: 0 };
    const examples = selectExamples("create a tracer provider in python", [chunk]);
    expect(examples.map((e) => e.block.language)).toEqual(["python"]);
    const p = exampleAsPart(examples[0]);
    expect(p.heading).toBe("python example: Traces > Setup");
    expect(p.response).toBe("To create a tracer provider, run: [1]\n\n```python\nfrom opentelemetry.sdk.trace import TracerProvider\nprovider = TracerProvider()\n```");
    expect(p.sources).toEqual([expect.objectContaining({ index: 1, chunk_id: "c1", document_id: "d1", source: "py/traces.md" })]);
    expect(selectExamples("kubernetes helm chart", [chunk])).toEqual([]);
    const ended = exampleAsPart({ ...examples[0], block: { ...examples[0].block, intro: "This creates a tracer provider." } });
    expect(ended.response.split("\n")[0]).toBe("This creates a tracer provider. [1]");
    const bare = exampleAsPart({ ...examples[0], block: { ...examples[0].block, intro: null } });
    expect(bare.response.split("\n")[0]).toBe("From Traces > Setup: [1]");
  });
});

describe("analysis comparison", () => {
  it("finds the topics every digest shares and each one's own", () => {
    const digests = [
      { title: "A", text: "**A**\nThe exporter sends spans to the collector. The exporter retries. [1]" },
      { title: "B", text: "**B**\nThe exporter batches metrics for the collector. [2]" },
    ];
    const c = compareDigests(digests);
    expect(c.shared).toEqual(["exporter", "collector"]);
    expect(c.own[0]).toEqual(expect.arrayContaining(["spans", "retries"]));
    expect(c.own[1]).toEqual(expect.arrayContaining(["batches", "metrics"]));
    const md = renderComparison(digests, c);
    expect(md).toContain("Topics in every document: exporter, collector.");
    expect(md).toContain("| Document | Topics only in this document |");
    expect(renderComparison(digests.slice(0, 1), compareDigests(digests.slice(0, 1)))).toBe("");
  });
});
