import { describe, expect, it } from "vitest";
import { mulberry32, pairedBootstrap } from "../../worker/monitoring/bootstrap";

describe("paired bootstrap", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(mulberry32(2)()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it("gives the mean difference and an interval around it", () => {
    const base = [0, 0, 1, 0, 1, 0, 0, 1];
    const cand = [1, 1, 1, 0, 1, 1, 0, 1];
    const r = pairedBootstrap(base, cand)!;
    expect(r.n).toBe(8);
    expect(r.delta).toBeCloseTo(3 / 8);
    expect(r.baseline).toBeCloseTo(3 / 8);
    expect(r.candidate).toBeCloseTo(6 / 8);
    expect(r.ci_low).toBeLessThanOrEqual(r.delta);
    expect(r.ci_high).toBeGreaterThanOrEqual(r.delta);
    expect(r.ci_low).toBeGreaterThanOrEqual(0);
    expect(r.ci_high).toBeLessThanOrEqual(1);
    expect(pairedBootstrap(base, cand)).toEqual(r);
    expect(r.level).toBe(0.95);
  });

  it("gives a zero-width interval for constant differences, null without pairs, and rejects unequal lengths", () => {
    expect(pairedBootstrap([1, 2, 3], [2, 3, 4])).toMatchObject({ delta: 1, ci_low: 1, ci_high: 1 });
    expect(pairedBootstrap([], [])).toBeNull();
    expect(() => pairedBootstrap([1], [1, 2])).toThrow();
  });

  it("covers zero for pure noise and excludes it for a clear shift", () => {
    const rand = mulberry32(7);
    const base = Array.from({ length: 60 }, () => rand());
    const noise = base.map(() => rand());
    const noisy = pairedBootstrap(base, noise)!;
    expect(noisy.ci_low).toBeLessThan(0.1);
    expect(noisy.ci_high).toBeGreaterThan(-0.1);
    const shifted = pairedBootstrap(base, base.map((x) => x + 0.2 + (rand() - 0.5) * 0.1))!;
    expect(shifted.ci_low).toBeGreaterThan(0);
  });
});
