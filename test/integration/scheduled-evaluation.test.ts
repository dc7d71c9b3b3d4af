/**
 * The daily Cron Trigger of the quality loop: with none of the evaluation set's corpora in the
 * knowledge base it skips; with one, it runs the test split of that corpus through the queue,
 * and the completed run goes through the alert rules.
 */
import { env } from "cloudflare:workers";
import { createScheduledController } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { providers } from "../../worker/config";
import { datasetCases } from "../../worker/monitoring/datasets";
import { EVALUATION_CRON, handleScheduled } from "../../worker/scheduled";
import { ingestDocuments } from "../../worker/services/ingest";
import { adminApi as api, waitFor } from "../support/api";


async function trigger(): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    await handleScheduled(createScheduledController({ cron: EVALUATION_CRON, scheduledTime: Date.now() }), env);
  } finally {
    console.log = log;
  }
  return JSON.parse(lines.find((l) => l.includes('"evaluation"'))!).evaluation;
}

describe("scheduled evaluation", () => {
  it("skips when the knowledge base holds none of the evaluation set's corpora", async () => {
    const evaluation = await trigger();
    expect(evaluation.skipped).toMatch(/No evaluation cases/);
    expect((await api("GET", "/api/meta-monitoring/runs")).body.total).toBe(0);
  });

  it("runs the test split of the corpora present through the queue, then evaluates the alert rules", async () => {
    // One OpenTelemetry page: the corpus is present, and most questions lack their gold page.
    const page = env.TEST_ANSWERS_OTEL.documents.find((d) => d.source.endsWith("collector/configuration.md"))!;
    expect((await ingestDocuments(env, providers(env), [page]))[0]!.ok).toBe(true);
    const evaluation = await trigger();
    const expected = datasetCases("test", ["otel"]).length;
    expect(evaluation).toEqual({ run_id: expect.any(String), total: expected });

    const run = await waitFor(async () => {
      const r = (await api("GET", `/api/meta-monitoring/runs/${evaluation.run_id}`)).body;
      return r.status === "completed" || r.status === "failed" ? r : null;
    }, 180_000, 250);
    expect(run).toMatchObject({ status: "completed", trigger: "cron", dataset: "test", total: expected, done: expected });
    // With one page of the corpus, gold@5 is far below its rule's thresholds: the run raised that alert.
    expect(run.metrics.gold_at_5).toBeLessThan(0.5);
    const alerts = (await api("GET", "/api/meta-monitoring/alerts?limit=100")).body.alerts;
    expect(alerts.some((a: { metric: string; last_run_id: string }) => a.metric === "gold_at_5" && a.last_run_id === run.id)).toBe(true);
  }, 240_000);
});
