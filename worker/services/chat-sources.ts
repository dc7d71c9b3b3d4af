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

/**
 * Picks `k` sources from ranked chunks: first the best chunk of each of the first `distinct`
 * documents in rank order (so that the sources a reader sees first name different pages), then
 * the other chunks in rank order, at most `perDocument` from one document in all; falls back to the
 * skipped chunks when there are not enough.
 */
export function spreadSources<T extends { document_id: string }>(ranked: readonly T[], k: number, distinct: number, perDocument: number): T[] {
  const first: T[] = [];
  for (const r of ranked) if (first.length < Math.min(distinct, k) && !first.some((f) => f.document_id === r.document_id)) first.push(r);
  const perDoc = new Map(first.map((r) => [r.document_id, 1]));
  const rest: T[] = [];
  const skipped: T[] = [];
  for (const r of ranked) {
    if (first.includes(r)) continue;
    const n = perDoc.get(r.document_id) ?? 0;
    if (n < perDocument && first.length + rest.length < k) {
      rest.push(r);
      perDoc.set(r.document_id, n + 1);
    } else skipped.push(r);
  }
  for (const r of skipped) if (first.length + rest.length < k) rest.push(r);
  return [...first, ...rest];
}
