/**
 * Regression slice of the realistic evaluation set, Korean React docs: all 226 pages ingested, the 35
 * test-split questions through the chat path, thresholds 0.02 below the recorded figures.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import baseline from "../eval/baseline.json";
import { askSlice, GUARDED_METRICS, ingestSlice } from "../support/answer-slice";

beforeAll(async () => {
  await ingestSlice(env.TEST_ANSWERS_KO);
}, 600_000);

describe("answers to realistic questions: Korean React test split", () => {
  it("keeps every answer metric at or above its threshold", async () => {
    const { metrics, judgements } = await askSlice(env.TEST_ANSWERS_KO);
    console.log(`Korean React test split: ${JSON.stringify(metrics)}`);
    for (const j of judgements.filter((j) => j.problems.length > 0).slice(0, 10)) console.log(`${j.id}: ${j.problems.join("; ")}`);
    expect(metrics.cases).toBe(env.TEST_ANSWERS_KO.cases.length);
    for (const key of GUARDED_METRICS) expect(metrics[key], key).toBeGreaterThanOrEqual(baseline["react-ko"].thresholds[key]);
  }, 600_000);
});
