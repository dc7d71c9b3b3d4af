/** The embedding provider interface shared by the offline, Workers AI and OpenAI-compatible implementations. */

/** Turns texts into fixed-length vectors. */
export interface Embedder {
  /** Provider name reported by /health, e.g. "offline-hashing", "workers-ai:@cf/baai/bge-m3". */
  readonly name: string;
  /** Length of every vector this instance returns. */
  readonly dimensions: number;
  /**
   * Embeds texts, one vector per text in input order. `kind` lets asymmetric models treat
   * queries and documents differently. Throws on provider failure.
   */
  embed(texts: readonly string[], kind: "query" | "document"): Promise<Float32Array[]>;
}
