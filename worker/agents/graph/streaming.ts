/**
 * Streaming of an answer's text to a caller (SSE `token` events, WebSocket `token` frames). The
 * finished answer of a turn is authoritative: when what was streamed differs from it (a model's
 * text replaced by the not-covered message, a generator that failed half-way and fell back, the
 * parts of a decomposed question combined), a `reset` is sent and the answer streamed again.
 */

/** Callbacks of a streaming caller. */
export interface TokenSink {
  /** One delta of the answer's text; the deltas since the last reset concatenate to the text. */
  onToken: (delta: string) => void | Promise<void>;
  /** Discards what was streamed so far. */
  onReset: () => void | Promise<void>;
}

/** Longest delta the passages of a finished answer are cut into, in characters. */
export const MAX_DELTA_CHARS = 80;

/**
 * Cuts a finished text into deltas for streaming: one per line (the newline kept with its line),
 * lines over {@link MAX_DELTA_CHARS} cut after a space where one exists. The deltas concatenate
 * to `text` exactly; an empty text gives no delta.
 */
export function textDeltas(text: string): string[] {
  const out: string[] = [];
  for (const line of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    let rest = line;
    while (rest.length > MAX_DELTA_CHARS) {
      const cut = rest.lastIndexOf(" ", MAX_DELTA_CHARS);
      const at = cut > 0 ? cut + 1 : MAX_DELTA_CHARS;
      out.push(rest.slice(0, at));
      rest = rest.slice(at);
    }
    if (rest) out.push(rest);
  }
  return out;
}

/**
 * Records what a generator streamed through a sink, so that the finished answer can be
 * reconciled with it ({@link TokenRecorder.finish}).
 */
export class TokenRecorder {
  private streamed = "";

  constructor(private readonly sink: TokenSink) {}

  /** The callback to hand to a generator. */
  readonly onToken = async (delta: string): Promise<void> => {
    this.streamed += delta;
    await this.sink.onToken(delta);
  };

  /**
   * Makes the stream end on `text`: nothing to do when exactly `text` was streamed; otherwise a
   * reset (when something else was streamed) and `text` in {@link textDeltas}.
   */
  async finish(text: string): Promise<void> {
    if (this.streamed === text) return;
    if (this.streamed) await this.sink.onReset();
    this.streamed = text;
    for (const delta of textDeltas(text)) await this.sink.onToken(delta);
  }
}
