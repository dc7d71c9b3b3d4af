/** Choosing the sources of an answer from ranked chunks. */

/**
 * Picks `k` sources from ranked chunks, at most `perDocument` from one document, so that one long
 * page cannot crowd out the others; the ranking order is kept. Falls back to the skipped chunks
 * when there are not enough documents.
 */
export function diversify<T extends { document_id: string }>(ranked: readonly T[], k: number, perDocument: number): T[] {
  const taken: T[] = [];
  const skipped: T[] = [];
  const perDoc = new Map<string, number>();
  for (const r of ranked) {
    const n = perDoc.get(r.document_id) ?? 0;
    if (n < perDocument && taken.length < k) {
      taken.push(r);
      perDoc.set(r.document_id, n + 1);
    } else skipped.push(r);
  }
  for (const r of skipped) if (taken.length < k) taken.push(r);
  return ranked.filter((r) => taken.includes(r));
}
