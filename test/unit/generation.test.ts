import { describe, expect, it } from "vitest";
import { HashingEmbedder } from "../../worker/rag/embedding/hashing";
import { dot } from "../../worker/rag/cosine";
import { ExtractiveGenerator } from "../../worker/rag/generation/extractive";
import { combineParts } from "../../worker/rag/generation/combine";
import { endsOpen } from "../../worker/rag/generation/passages";
import { dropUncitedContinuations } from "../../worker/agents/graph/continuations";
import type { GraphState } from "../../worker/agents/graph/state";
import { buildGroundedMessages } from "../../worker/rag/generation/prompt";
import { citedIndexes, type SourceChunk } from "../../worker/rag/generation/types";
import { isFollowUp, resolveFollowUp } from "../../worker/rag/followup";
import { breadcrumbs } from "../../worker/services/ingest";
import { diversify, spreadSources } from "../../worker/services/chat-sources";

const source = (index: number, content: string, heading = "Doc"): SourceChunk => ({ index, title: "Doc", source: `doc${index}.md`, heading, content, score: 0.03 });

describe("extractive generator", () => {
  const gen = new ExtractiveGenerator();

  /** The answer's lines without heading lines and citation markers. */
  const bodyLines = (response: string) =>
    response.split("\n").map((l) => l.replace(/\s*\[\d+\]\s*$/, "").trim()).filter((l) => l && !/^\*\*.*\*\*$/.test(l));

  it("answers with source text only, under the heading path, each part cited", async () => {
    const sources = [
      source(1, "Tail sampling is where the decision to sample a trace takes place after all spans are seen. It needs a stateful collector.", "Sampling > Tail sampling"),
      source(2, "Head sampling decides at the start of a trace. It is simple to configure."),
    ];
    const answer = await gen.generate("What is tail sampling?", sources);
    expect(answer.hasSufficientInfo).toBe(true);
    expect(answer.response.startsWith("**Sampling > Tail sampling**\nTail sampling is where the decision")).toBe(true);
    for (const line of bodyLines(answer.response)) expect(sources.some((s) => s.content.includes(line)), line).toBe(true);
    expect(answer.citedIndexes).toContain(1);
    expect(answer.coverage).toBe(1);
  });

  it("refuses when the sources do not cover the question", async () => {
    const answer = await gen.generate("How do I bake sourdough bread?", [source(1, "The Collector receives, processes and exports telemetry data.")]);
    expect(answer).toMatchObject({ hasSufficientInfo: false, citedIndexes: [] });
    expect(answer.response).toMatch(/does not cover/);
  });

  it("shows a configuration block with the sentence that introduces it", async () => {
    const content = "The OTLP exporter sends data to a backend. To send to your backend, set the endpoint of the OTLP exporter:\n\n```yaml\nexporters:\n  otlp:\n    endpoint: backend.example.com:4317\n```";
    const answer = await gen.generate("How do I set the OTLP exporter endpoint for my backend?", [source(1, content)]);
    expect(answer.hasSufficientInfo).toBe(true);
    expect(answer.response).toContain("set the endpoint of the OTLP exporter:\n```yaml\nexporters:\n  otlp:\n    endpoint: backend.example.com:4317\n```");
  });

  it("gives a list item with its lead-in, and the items that follow it as context", async () => {
    const content = "The batch processor accepts these settings:\n\n- send_batch_size: number of spans after which a batch is sent, default 8192.\n- timeout: time after which a batch is sent regardless of size, default 200ms.";
    const answer = await gen.generate("What is the default send_batch_size of the batch processor?", [source(1, content)]);
    expect(answer.response).toContain("The batch processor accepts these settings:\n- send_batch_size: number of spans after which a batch is sent, default 8192.");
    expect(answer.response).toContain("- timeout:");
    expect(answer.response.match(/accepts these settings/g)).toHaveLength(1);
  });

  it("shows the whole short list of a matching item, and the sentence before a matching one", async () => {
    const list = "Span status can be one of:\n\n- Unset, the default.\n- Error, when the operation failed.\n- Ok, when a developer marks the span as successful.";
    const answer = await gen.generate("When should a developer set the span status to Ok as successful?", [source(1, list)]);
    expect(answer.response).toContain("Span status can be one of:\n- Unset, the default.\n- Error, when the operation failed.\n- Ok, when a developer marks the span as successful.");
    const prose = "The default value is Unset. Unset means the operation completed without an error. Setting the span status to Ok is a final call by a developer.";
    const second = await gen.generate("Should a developer set the span status to Ok?", [source(1, prose)]);
    expect(second.response).toContain("Unset means the operation completed without an error.");
  });

  it("gives a table row with the table's header", async () => {
    const content = "Default ports of the Collector:\n\nPort | Protocol | Purpose\n4317 | gRPC | OTLP receiver\n8888 | HTTP | internal metrics";
    const answer = await gen.generate("Which port serves the collector internal metrics?", [source(1, content)]);
    expect(answer.response).toContain("Port | Protocol | Purpose\n4317 | gRPC | OTLP receiver\n8888 | HTTP | internal metrics");
  });

  it("shows the other rows of a matching row's table once under one header, and no sentence twice", async () => {
    const content = "Array methods in state:\n\nOperation | avoid (mutates) | prefer (returns a new array)\nadding | push, unshift | concat, spread\nremoving | pop, shift, splice | filter, slice\nsorting | reverse, sort | copy the array first";
    const answer = await gen.generate("Is it safe to sort an array in state with reverse or sort?", [source(1, content)]);
    expect(answer.response).toContain("Operation | avoid (mutates) | prefer (returns a new array)\nadding | push, unshift | concat, spread\nremoving");
    expect(answer.response).toContain("sorting | reverse, sort | copy the array first");
    expect(answer.response.match(/Operation \| avoid/g)).toHaveLength(1);
    const prose = "Tail sampling decides after all spans are seen. For example, keep every trace with an error. For example, keep every trace with an error. This needs state.";
    const twice = await gen.generate("How does tail sampling keep every trace with an error?", [source(1, prose)]);
    expect(twice.response.match(/keep every trace with an error/g)).toHaveLength(1);
  });

  it("brings what a sentence ending with ':' introduces, even when it is only context", async () => {
    const content = "In rare cases you need to log every click to analytics, even if a child stopped propagation. You can do this by adding Capture at the end of the event name:\n\n```js\n<div onClickCapture={log}>\n  <button onClick={stop} />\n</div>\n```";
    const answer = await gen.generate("How do I log every click to analytics when a child stops propagation?", [source(1, content)]);
    expect(answer.response).toContain("<div onClickCapture={log}>");
  });

  it("never shows a passage with a bracketed number, which readers take for a citation", async () => {
    const content = "Copy the array before you change it. Then nextList[0] = 'x' changes only the copy of the array.";
    const answer = await gen.generate("How do I change an item of a copied array?", [source(1, content)]);
    expect(answer.response).not.toMatch(/\[0\]/);
  });
});

describe("continuations", () => {
  const gen = new ExtractiveGenerator();

  it("tells which chunks end where their page goes on with the same thing", () => {
    expect(endsOpen("Distributions fall into the following categories:")).toBe(true);
    expect(endsOpen("Intro.\n\n- one\n- two")).toBe(true);
    expect(endsOpen("Intro.\n\n```yaml\nkey: value")).toBe(true);
    expect(endsOpen("A closing sentence. And another one.")).toBe(false);
  });

  it("shows the rest of a list from the chunk that continues a selected one, without the overlap", async () => {
    const first = source(1, "A distribution is a customized version of a component. Distributions broadly fall into the following categories:", "Distributions");
    const next = { ...source(2, "Distributions broadly fall into the following categories:\n\n- Pure: the same functionality as upstream.\n- Plus: added components.\n- Minus: a subset of upstream.\n\nA closing sentence.", "Distributions"), continues: 1 };
    const answer = await gen.generate("What categories of distributions are there?", [first, next]);
    expect(answer.response).toContain("- Pure: the same functionality as upstream.\n- Plus: added components.\n- Minus: a subset of upstream.");
    expect(answer.response.match(/fall into the following categories:/g)).toHaveLength(1);
    expect(answer.citedIndexes).toEqual([1, 2]);
  });

  it("drops continuations the answer does not cite and renumbers later citations", () => {
    const doc = (id: string) => ({ chunk_id: id, document_id: "d", title: "T", source: "s", domain: null, heading: "T", content: "x", score: 0.01, lexical_rank: 1, vector_rank: 1, expansion_rank: null });
    const grade = (id: string) => ({ chunk_id: id, relevance_score: 0.5, level: "medium" as const, reason: "", useful_parts: [] });
    const state = { documents: ["a", "b", "c1", "c2"].map(doc), grades: ["a", "b", "c1", "c2"].map(grade) } as unknown as GraphState;
    // Sources: 1 a, 2 b, 3 c1 (uncited continuation), 4 c2 (cited continuation), 5 a web result.
    const answer = { response: "A [1]\n\nC2 [4]\n\nWeb [5]", hasSufficientInfo: true, citedIndexes: [1, 4, 5], coverage: 1 };
    const out = dropUncitedContinuations(state, answer, 2, 5);
    expect(state.documents.map((d) => d.chunk_id)).toEqual(["a", "b", "c2"]);
    expect(state.grades.map((g) => g.chunk_id)).toEqual(["a", "b", "c2"]);
    expect(out.response).toBe("A [1]\n\nC2 [3]\n\nWeb [4]");
    expect(out.citedIndexes).toEqual([1, 3, 4]);
  });
});

describe("source diversification", () => {
  it("takes at most n chunks per document, keeping rank order, and backfills", () => {
    const ranked = ["a", "a", "a", "b", "a", "c"].map((document_id, i) => ({ document_id, i }));
    expect(diversify(ranked, 4, 2).map((r) => r.i)).toEqual([0, 1, 3, 5]);
    expect(diversify(ranked.slice(0, 3), 3, 1).map((r) => r.i)).toEqual([0, 1, 2]);
  });
});

describe("spread sources", () => {
  it("puts the best chunk of distinct documents first, then the rest in rank order, at most n per document", () => {
    const ranked = ["a", "a", "b", "a", "c", "b", "d"].map((document_id, i) => ({ document_id, i }));
    expect(spreadSources(ranked, 6, 3, 2).map((r) => r.i)).toEqual([0, 2, 4, 1, 5, 6]);
    expect(spreadSources(ranked.slice(0, 2), 3, 3, 1).map((r) => r.i)).toEqual([0, 1]);
  });
});

describe("citations and confidence", () => {
  it("extracts citation numbers within range", () => {
    expect(citedIndexes("A [2]. B [1][2]. C [9].", 3)).toEqual([1, 2]);
  });

  it("drops the lowest-ranked sources to fit the prompt budget", () => {
    const long = "word ".repeat(2000);
    const messages = buildGroundedMessages("q", [source(1, long), source(2, long), source(3, long)], 3000);
    expect(messages[1].content).toContain("[1] Doc");
    expect(messages[1].content).not.toContain("[3] Doc");
  });
});

describe("follow-up resolution", () => {
  const history = [
    { role: "user" as const, content: "What is the OpenTelemetry Collector?", resolved_query: "What is the OpenTelemetry Collector?" },
    { role: "assistant" as const, content: "The Collector receives telemetry. [1]" },
  ];
  it("detects follow-ups in English and Korean", () => {
    expect(isFollowUp("and how do I configure it?")).toBe(true);
    expect(isFollowUp("How do I install?")).toBe(true);
    expect(isFollowUp("그리고 설치는 어떻게 하나요?")).toBe(true);
    expect(isFollowUp("How do I configure the Java agent?")).toBe(false);
  });
  it("prefixes the previous topic only for follow-ups", () => {
    expect(resolveFollowUp("and how do I configure it?", history)).toBe("and how do I configure it? (OpenTelemetry Collector)");
    expect(resolveFollowUp("What is baggage?", history)).toBe("What is baggage?");
    expect(resolveFollowUp("and how do I configure it?", [])).toBe("and how do I configure it?");
  });
});

describe("hashing embedder", () => {
  const e = new HashingEmbedder(512);
  it("is deterministic, L2-normalised and of fixed dimension", async () => {
    const [a, b] = await e.embed(["Tail sampling decisions", "Tail sampling decisions"]);
    expect(a.length).toBe(512);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(dot(a, a)).toBeCloseTo(1, 5);
  });
  it("puts related texts closer than unrelated ones", () => {
    const q = e.embedOne("configure the collector exporters");
    const related = e.embedOne("How to configure exporters in the Collector configuration file");
    const unrelated = e.embedOne("React components render user interfaces");
    expect(dot(q, related)).toBeGreaterThan(dot(q, unrelated) + 0.2);
  });
  it("weights query terms: the heavier term decides the nearest document", () => {
    const docs = [e.embedOne("tail latency percentiles"), e.embedOne("sampling strategies overview")];
    const heavySampling = e.embedWeighted("tail sampling", (t) => (t === "sampl" ? 5 : 0.5));
    expect(dot(heavySampling, docs[1])).toBeGreaterThan(dot(heavySampling, docs[0]));
  });
  it("embeds index terms as they are, without stemming them again", () => {
    const acceleration = e.embedOne("acceleration"); // its index term is "acceler"
    expect(dot(e.embedTerms(["acceler"], () => 1), acceleration)).toBeCloseTo(1, 5);
    // As text, "acceler" is stemmed again into "accel", a different term.
    expect(dot(e.embedWeighted("acceler", () => 1), acceleration)).toBeLessThan(0.5);
    expect(Array.from(e.embedWeighted("tail sampling", () => 1))).toEqual(Array.from(e.embedTerms(["tail", "sampl"], () => 1)));
  });
});

describe("breadcrumbs", () => {
  it("derives section names from relative source paths", () => {
    expect(breadcrumbs("concepts/sampling/index.md", "Sampling")).toEqual(["Concepts"]);
    expect(breadcrumbs("languages/python/exporters.md", "Exporters")).toEqual(["Languages", "Python"]);
    expect(breadcrumbs("zero-code/java/_index.md", "Java zero-code")).toEqual(["Zero code"]);
    expect(breadcrumbs("https://example.com/a/b.html", "B")).toEqual([]);
    expect(breadcrumbs("notes.md", "Notes")).toEqual([]);
  });
});

describe("extractive generator: scattered matches", () => {
  it("does not answer from question words spread over unrelated sentences", async () => {
    const answer = await new ExtractiveGenerator().generate("How do I bake a sourdough bread at home?", [
      source(1, "The repositories are hosted on GitHub Pages, which is not their final home."),
      source(2, "Traces are structured logs with context, correlation and hierarchy baked in."),
    ]);
    expect(answer.hasSufficientInfo).toBe(false);
  });
});

describe("combining the answers of a decomposed question", () => {
  const part = (response: string, hasSufficientInfo = true) => ({ response, hasSufficientInfo, citedIndexes: [], coverage: hasSufficientInfo ? 1 : 0 });
  it("shows every passage once, drops emptied groups and keeps citations valid", () => {
    const a = part("**useLayoutEffect**\nuseLayoutEffect runs before the browser repaints.\n```js\nuseLayoutEffect(setup, dependencies?)\n```\n[3]");
    const b = part("**useLayoutEffect**\nuseLayoutEffect runs before the browser repaints.\n```js\nuseLayoutEffect(setup, dependencies?)\n```\n[3]\n\n**useInsertionEffect > Caveats**\n- Refs are not attached yet.\nIt runs before layout Effects. [1]");
    const c = part("**useInsertionEffect > Caveats**\n- Refs are not attached yet. [1]");
    const combined = combineParts([a, part("The knowledge base does not cover this question.", false), b, c], 5);
    expect(combined.response).toBe(
      "**useLayoutEffect**\nuseLayoutEffect runs before the browser repaints.\n```js\nuseLayoutEffect(setup, dependencies?)\n```\n[3]\n\n" +
        "**useInsertionEffect > Caveats**\n- Refs are not attached yet.\nIt runs before layout Effects. [1]",
    );
    expect(combined.citedIndexes).toEqual([1, 3]);
    expect(combined.hasSufficientInfo).toBe(true);
    expect(combined.coverage).toBe(0.75);
  });
});
