/** Cutting a finished answer into deltas, and reconciling what a generator streamed with the finished answer. */
import { describe, expect, it } from "vitest";
import { MAX_DELTA_CHARS, TokenRecorder, textDeltas } from "../../worker/agents/graph/streaming";

function sink() {
  const events: string[] = [];
  return { events, sink: { onToken: (d: string) => void events.push(`+${d}`), onReset: () => void events.push("reset") } };
}

describe("textDeltas", () => {
  it("cuts per line, keeps newlines, and concatenates back to the text", () => {
    const text = "**Baggage** [1]\nBaggage is contextual information.\n\n```yaml\nexporters:\n```\nlast line";
    const deltas = textDeltas(text);
    expect(deltas.join("")).toBe(text);
    expect(deltas[0]).toBe("**Baggage** [1]\n");
    expect(deltas).toContain("\n");
    expect(deltas.at(-1)).toBe("last line");
  });

  it("cuts long lines after a space, and a long word hard", () => {
    const long = "word ".repeat(50).trim();
    const deltas = textDeltas(long);
    expect(deltas.join("")).toBe(long);
    expect(deltas.every((d) => d.length <= MAX_DELTA_CHARS)).toBe(true);
    expect(deltas[0].endsWith(" ")).toBe(true);
    const word = "x".repeat(200);
    expect(textDeltas(word)).toEqual(["x".repeat(80), "x".repeat(80), "x".repeat(40)]);
    expect(textDeltas("")).toEqual([]);
  });
});

describe("TokenRecorder", () => {
  it("does nothing more when the generator streamed exactly the answer", async () => {
    const { events, sink: s } = sink();
    const r = new TokenRecorder(s);
    await r.onToken("Hello ");
    await r.onToken("world");
    await r.finish("Hello world");
    expect(events).toEqual(["+Hello ", "+world"]);
  });

  it("streams a finished answer that nothing streamed", async () => {
    const { events, sink: s } = sink();
    await new TokenRecorder(s).finish("a\nb");
    expect(events).toEqual(["+a\n", "+b"]);
  });

  it("resets, then streams the answer, when the streamed text was replaced", async () => {
    const { events, sink: s } = sink();
    const r = new TokenRecorder(s);
    await r.onToken("The model said NOT_COV");
    await r.finish("The knowledge base does not cover this question.");
    expect(events).toEqual(["+The model said NOT_COV", "reset", "+The knowledge base does not cover this question."]);
  });
});
