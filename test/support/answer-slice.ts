/**
 * The CI regression slice of the realistic evaluation set: one corpus ingested whole through the
 * product's ingestion, then every test-split case of it asked through `POST /api/chat` and judged
 * as `npm run eval:answers` judges it (worker/rag/eval/answers.ts).
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../worker/config";
import { caseById, datasetCases } from "../../worker/monitoring/datasets";
import { aggregate, chunkContentReader, judgeAnswer, observeTurn, type AnswerMetrics, type CaseJudgement } from "../../worker/rag/eval/answers";
import { ingestDocuments } from "../../worker/services/ingest";
import { api } from "./api";
import type { AnswerSlice } from "./corpus-node";

/** Documents per ingestion call. */
const INGEST_BATCH = 25;

/** Ingests the slice's pages; throws on the first page that fails. */
export async function ingestSlice(slice: AnswerSlice): Promise<number> {
  const p = providers(env);
  for (let i = 0; i < slice.documents.length; i += INGEST_BATCH) {
    const outcomes = await ingestDocuments(env, p, slice.documents.slice(i, i + INGEST_BATCH));
    const failed = outcomes.findIndex((o) => !o.ok);
    if (failed >= 0) throw new Error(`ingesting ${slice.documents[i + failed].source} failed: ${String((outcomes[failed] as { error: unknown }).error)}`);
  }
  return slice.documents.length;
}

/**
 * Ingests the OpenTelemetry pages that the quality-loop tests evaluate on: the first 40 pages that
 * are gold or near pages of a test-split OpenTelemetry case or Collector pages, then every other
 * gold or near page of those cases.
 */
export async function ingestOtelTestPages(): Promise<number> {
  const slice = env.TEST_ANSWERS_OTEL;
  const all = datasetCases("test", ["otel"]).map((c) => c.id);
  const pages = new Set(all.flatMap((id) => [...caseById(id)!.gold_pages, ...(caseById(id)!.near_pages ?? [])]));
  const documents = slice.documents.filter((d) => pages.has(d.source) || d.source.includes("/docs/collector/")).slice(0, 40);
  for (const d of slice.documents) if (pages.has(d.source) && !documents.includes(d)) documents.push(d);
  return ingestSlice({ documents, cases: [] });
}

/** Asks every case of the slice in a new session and aggregates the judgements. */
export async function askSlice(slice: AnswerSlice): Promise<{ metrics: AnswerMetrics; judgements: CaseJudgement[] }> {
  const chunkContent = chunkContentReader(async (documentId) => (await api("GET", `/api/documents/${documentId}/chunks`)).body.chunks);
  const judgements: CaseJudgement[] = [];
  for (const c of slice.cases) {
    const res = await api("POST", "/api/chat", { query: c.query, session_id: `slice-${c.id}` });
    if (res.status !== 200) throw new Error(`${c.id}: POST /api/chat answered ${res.status}`);
    judgements.push(judgeAnswer(c, await observeTurn(res.body, chunkContent)));
  }
  return { metrics: aggregate(slice.cases, judgements), judgements };
}

/** The metrics that the slice's thresholds (test/eval/baseline.json) hold. */
export const GUARDED_METRICS = ["goldAt5", "answeredWhenFound", "honestRefusal", "allKeywords", "keywordRecall", "citationValidity"] as const;

/**
 * Registers the slice's test in the calling file (one file per corpus: storage is isolated per
 * file, so each corpus has its own index statistics, as on its own server): ingest every page,
 * then ask every case and hold each guarded metric to its threshold.
 */
export function describeAnswerSlice(name: string, slice: () => AnswerSlice, thresholds: Record<(typeof GUARDED_METRICS)[number], number>): void {
  beforeAll(async () => {
    await ingestSlice(slice());
  }, 600_000);
  describe(`answers to realistic questions: ${name} test split`, () => {
    it("keeps every answer metric at or above its threshold", async () => {
      const { metrics, judgements } = await askSlice(slice());
      console.log(`${name} test split: ${JSON.stringify(metrics)}`);
      for (const j of judgements.filter((j) => j.problems.length > 0).slice(0, 10)) console.log(`${j.id}: ${j.problems.join("; ")}`);
      expect(metrics.cases).toBe(slice().cases.length);
      for (const key of GUARDED_METRICS) expect(metrics[key], key).toBeGreaterThanOrEqual(thresholds[key]);
    }, 600_000);
  });
}
