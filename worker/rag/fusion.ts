/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, "Reciprocal Rank Fusion outperforms
 * Condorcet and individual Rank Learning Methods", SIGIR 2009): score(d) = Σ_i w_i / (k + rank_i(d)),
 * with 1-based ranks.
 */

/** One ranked list to fuse: ids best first, and the list's weight (default 1). */
export interface RankedList {
  name: string;
  ids: readonly string[];
  weight?: number;
}

/** A fused item: its RRF score and its 1-based rank in each input list (null when absent). */
export interface FusedItem {
  id: string;
  score: number;
  ranks: Record<string, number | null>;
}

/** The constant k of RRF; 60 is the value of the original paper. */
export const RRF_K = 60;

/**
 * Fuses ranked lists with RRF. Returns every id that appears in any list, best first. Equal
 * scores are ordered by the best single rank, then by the rank in each list in the order the
 * lists are given (absent counts as last), and by id only as a last resort. Exact ties are
 * common: a chunk ranked 1st and 2nd by two lists of equal weight ties with one ranked 2nd and
 * 1st. Ranks break them the same way in every index, whereas chunk ids are random per ingestion,
 * so an order decided by ids changed between two ingestions of the same corpus (3 SciFact test
 * queries).
 */
export function reciprocalRankFusion(lists: readonly RankedList[], k = RRF_K): FusedItem[] {
  const items = new Map<string, FusedItem>();
  for (const list of lists) {
    const weight = list.weight ?? 1;
    list.ids.forEach((id, i) => {
      let item = items.get(id);
      if (!item) {
        item = { id, score: 0, ranks: Object.fromEntries(lists.map((l) => [l.name, null])) };
        items.set(id, item);
      }
      if (item.ranks[list.name] !== null) return; // first occurrence wins
      item.ranks[list.name] = i + 1;
      item.score += weight / (k + i + 1);
    });
  }
  const bestRank = (it: FusedItem) => Math.min(...Object.values(it.ranks).map((r) => r ?? Infinity));
  const byListRanks = (a: FusedItem, b: FusedItem) => {
    for (const list of lists) {
      const ra = a.ranks[list.name] ?? Infinity;
      const rb = b.ranks[list.name] ?? Infinity;
      if (ra !== rb) return ra - rb;
    }
    return 0;
  };
  return [...items.values()].sort(
    (a, b) => b.score - a.score || bestRank(a) - bestRank(b) || byListRanks(a, b) || (a.id < b.id ? -1 : 1),
  );
}
