/** Exact nearest-neighbour search by cosine similarity over in-memory Float32 vectors. */

/** Returns `v` scaled to unit L2 norm (a zero vector is returned unchanged). */
export function l2Normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const norm = Math.sqrt(sum);
  if (norm === 0) return v;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / norm;
  return out;
}

/** Dot product of two vectors of equal length. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Keeps the `k` best (highest score) of a stream of scored items; O(n log k) with a binary heap.
 */
export class TopK<T> {
  private heap: { score: number; item: T }[] = [];
  constructor(private readonly k: number) {}

  push(score: number, item: T): void {
    const h = this.heap;
    if (h.length < this.k) {
      h.push({ score, item });
      this.up(h.length - 1);
    } else if (this.k > 0 && score > h[0].score) {
      h[0] = { score, item };
      this.down(0);
    }
  }

  /** Items best first. */
  result(): { score: number; item: T }[] {
    return [...this.heap].sort((a, b) => b.score - a.score);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].score <= h[i].score) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < h.length && h[l].score < h[m].score) m = l;
      if (r < h.length && h[r].score < h[m].score) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }
}
