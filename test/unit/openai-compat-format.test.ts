/** Reading an OpenAI-style conversation into a chat turn (worker/openai-compat/format.ts). */
import { describe, expect, it } from "vitest";
import { clarificationText, completionTurn, modelIds, parseClarification, scopeOfModel } from "../../worker/openai-compat/format";

const clarification = (labels: string[], round = 0) =>
  clarificationText({ session_id: "s", clarification_needed: true, clarification_question: "Which exporters do you mean?", options: labels.map((label, i) => ({ id: String(i + 1), label, source_count: 2 })), allow_custom_input: true, interaction_count: round });

describe("models and scopes", () => {
  it("maps model ids to search scopes", () => {
    expect(modelIds(["collector", "concepts"])).toEqual(["edge-rag", "edge-rag:collector", "edge-rag:concepts"]);
    expect(scopeOfModel("edge-rag")).toBeUndefined();
    expect(scopeOfModel("edge-rag:collector")).toEqual({ domains: ["collector"], tags: [] });
    expect(scopeOfModel("gpt-4o")).toBeNull();
    expect(scopeOfModel("edge-rag:")).toBeNull();
  });
});

describe("completionTurn", () => {
  it("takes the last user message as the question and user/assistant messages as the conversation", () => {
    const t = completionTurn([{ role: "system", content: "be brief" }, { role: "user", content: "What is a span?" }, { role: "assistant", content: "A span is… [1]" }, { role: "user", content: [{ type: "text", text: "And a trace?" }] }], undefined);
    expect(t.input).toEqual({ kind: "question", query: "And a trace?", search_scope: undefined });
    expect(t.history).toEqual([{ role: "user", content: "What is a span?" }, { role: "assistant", content: "A span is… [1]" }]);
    expect(t.pending).toBeNull();
  });

  it("round-trips a clarification's text", () => {
    const text = clarification(["Collector > Exporters", "Go > Exporters"]);
    expect(parseClarification(text)).toEqual({ question: "Which exporters do you mean?", labels: ["Collector > Exporters", "Go > Exporters"] });
    expect(parseClarification("1. not a clarification")).toBeNull();
  });

  it("resumes an open clarification with a chosen number, or free text", () => {
    const messages = [{ role: "user" as const, content: "exporters" }, { role: "assistant" as const, content: clarification(["Collector > Exporters", "Go > Exporters"]) }];
    const picked = completionTurn([...messages, { role: "user", content: " 2. " }], undefined);
    expect(picked.input).toEqual({ kind: "response", selected_option: "2" });
    expect(picked.pending).toMatchObject({ question: "exporters", interaction_count: 0, clarification: { options: [{ id: "1", label: "Collector > Exporters" }, { id: "2", label: "Go > Exporters" }] } });
    const free = completionTurn([...messages, { role: "user", content: "the python ones" }], { domains: ["languages"], tags: [] });
    expect(free.input).toEqual({ kind: "response", custom_input: "the python ones" });
    expect(free.pending?.search_scope).toEqual({ domains: ["languages"], tags: [] });
    const outOfRange = completionTurn([...messages, { role: "user", content: "7" }], undefined);
    expect(outOfRange.input).toEqual({ kind: "response", custom_input: "7" });
  });

  it("rebuilds a second round from the first round's answer", () => {
    const t = completionTurn([
      { role: "user", content: "exporters" },
      { role: "assistant", content: clarification(["Collector > Exporters", "Go > Exporters"]) },
      { role: "user", content: "1" },
      { role: "assistant", content: clarification(["Collector > Exporters > OTLP", "Collector > Exporters > Debug"], 1) },
      { role: "user", content: "2" },
    ], undefined);
    expect(t.pending).toMatchObject({ question: "exporters Collector Exporters", interaction_count: 1 });
    expect(t.input).toEqual({ kind: "response", selected_option: "2" });
  });
});
