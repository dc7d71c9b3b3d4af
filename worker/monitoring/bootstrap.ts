/**
 * Paired bootstrap confidence intervals for the validation of proposals (docs/monitoring.md):
 * the candidate and the baseline are evaluated on the same questions, so each question gives one
 * difference (candidate − baseline), and the interval of the mean difference is the percentile
 * interval of the means of B resamples of those differences, drawn with replacement.
 *
 * Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall
 * (the percentile interval, chapter 13; paired data, chapter 7). Pure and deterministic: the
 * resamples come from a seeded PRNG, so the same inputs give the same interval.
 */

/** Resamples unless the caller chooses. */
export const DEFAULT_RESAMPLES = 1000;
/** Seed of the PRNG unless the caller chooses. */
export const DEFAULT_SEED = 20260101;

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): a small seeded PRNG, not cryptographic.
 *
 * @param seed Any integer; taken modulo 2^32.
 * @returns A function giving the next uniform number in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mean difference of paired values with its bootstrap interval. */
export interface PairedInterval {
  /** Pairs used. */
  n: number;
  baseline: number;
  candidate: number;
  /** Mean of candidate − baseline. */
  delta: number;
  /** Lower and upper bounds of the percentile interval of the mean difference. */
  ci_low: number;
  ci_high: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
}

/**
 * Paired bootstrap percentile interval of the mean of `candidate[i] − baseline[i]`
 * (Efron & Tibshirani 1993). Returns null when there are no pairs.
 *
 * @param options.resamples B, the number of resamples (default 1000).
 * @param options.seed Seed of {@link mulberry32} (default {@link DEFAULT_SEED}).
 * @param options.level Confidence level (default 0.95).
 * @throws Error when the arrays differ in length.
 */
export function pairedBootstrap(
  baseline: readonly number[],
  candidate: readonly number[],
  options: { resamples?: number; seed?: number; level?: number } = {},
): PairedInterval | null {
  if (baseline.length !== candidate.length) throw new Error("paired samples must have the same length");
  const n = baseline.length;
  if (n === 0) return null;
  const B = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? 0.95;
  const rand = mulberry32(options.seed ?? DEFAULT_SEED);
  const diffs = baseline.map((b, i) => candidate[i] - b);
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const means = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += diffs[Math.floor(rand() * n)];
    means[b] = s / n;
  }
  means.sort();
  const alpha = (1 - level) / 2;
  const at = (q: number) => means[Math.min(B - 1, Math.max(0, Math.floor(q * B)))];
  return { n, baseline: mean(baseline), candidate: mean(candidate), delta: mean(diffs), ci_low: at(alpha), ci_high: at(1 - alpha - 1 / B), level };
}
