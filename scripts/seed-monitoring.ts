/**
 * `npm run seed:monitoring [-- --url http://127.0.0.1:8787] [--token T]`: writes a week of
 * quality-loop history (evaluation runs over the last 7 days, alerts of every severity, four
 * proposals in four states, three validations) to a running `npm start` through its HTTP API
 * (scripts/lib/seed-monitoring.ts). The admin token is `--token`, else the ADMIN_TOKEN environment
 * variable, else `ADMIN_TOKEN=` of `.dev.vars`. When the knowledge base holds no page of the
 * evaluation set's OpenTelemetry corpus, it first ingests the collector folder of
 * ../shared/data/docs-opentelemetry and the folders of the seed's cases (sources relative to
 * ../shared/data, as the evaluation set names them). Prints a line per run, alert and proposal
 * and a summary. Exit code 0 on success, 1 on error, 2 on bad usage.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { CommandLine } from "./lib/cli.ts";
import { collectDocuments, ingestDocuments, throttledProgressLog } from "./lib/ingest-client.ts";
import type { IngestDocument } from "./lib/ingest-client.ts";
import { DEFAULT_DATA_ROOT, OTEL_FOLDER, seedGoldPages, seedMonitoring } from "./lib/seed-monitoring.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const DEFAULT_URL = "http://127.0.0.1:8787";

const cli: CommandLine = new CommandLine(`Usage: npm run seed:monitoring -- [options]

Writes a week of quality-loop history to a running edge-rag server through its API: evaluation
runs spread over the last 7 days, alerts, an alert rule, four proposals and three validations.
Ingests the OpenTelemetry pages the runs need first when the knowledge base holds none. Meant
for a fresh database: a second run adds another week of runs and four more proposals.

Options:
  --url <url>      API base URL (default ${DEFAULT_URL})
  --token <token>  ADMIN_TOKEN of the server (default: the ADMIN_TOKEN environment variable,
                   else ADMIN_TOKEN= in .dev.vars)
  -h, --help       show this help`);

const values = cli.parse({ url: { type: "string", default: DEFAULT_URL }, token: { type: "string" }, help: { type: "boolean", short: "h", default: false } });
let base: string;
try {
  const url = new URL(values.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") cli.usageError(`--url must be http(s), got '${values.url}'`);
  base = values.url.replace(/\/+$/, "");
} catch {
  cli.usageError(`--url is not a valid URL: '${values.url}'`);
}

/** `ADMIN_TOKEN=` of .dev.vars (quotes removed), or undefined. */
function devVarsToken(): string | undefined {
  const file = path.join(REPO_ROOT, ".dev.vars");
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, "utf8").split(/\r?\n/).find((l) => /^\s*ADMIN_TOKEN\s*=/.test(l));
  const value = line?.slice(line.indexOf("=") + 1).trim().replace(/^(["'])(.*)\1$/, "$2");
  return value || undefined;
}

const token = values.token || process.env.ADMIN_TOKEN || devVarsToken();
if (!token) cli.usageError("no admin token: pass --token, set ADMIN_TOKEN, or put ADMIN_TOKEN=… in .dev.vars");

const out = (line: string) => process.stdout.write(`${line}\n`);
function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

/** Checks `GET /health`; exits 1 with a hint when the server is not reachable. */
async function checkHealth(): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    fail(`cannot reach the edge-rag API at ${base} (${err.cause?.code ?? err.message}); is \`npm start\` running? (or pass --url)`);
  }
  const body = (await res.json().catch(() => undefined)) as { status?: string; version?: string } | undefined;
  if (!res.ok || body?.status !== "ok") fail(`${base}/health answered ${res.status}; is this the edge-rag API?`);
  out(`Connected to edge-rag ${body.version ?? ""} at ${base}`);
}

/**
 * When the knowledge base holds no page of the OpenTelemetry corpus of the evaluation set (runs
 * over it would answer 422), ingests the collector folder and the folders of the seed's gold pages.
 */
async function ensureCorpus(): Promise<void> {
  const res = await fetch(`${base}/api/documents?limit=1&q=${encodeURIComponent(`${OTEL_FOLDER}/`)}`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) fail(`GET /api/documents answered ${res.status}: ${await res.text()}`);
  if (((await res.json()) as { total: number }).total > 0) return;
  const docsRoot = path.join(DEFAULT_DATA_ROOT, OTEL_FOLDER);
  if (!existsSync(docsRoot)) fail(`the knowledge base holds no page of ${OTEL_FOLDER}, and ${docsRoot} does not exist: ../shared must sit beside the repository`);
  // The collector folder, and each gold page's folder (the page alone when it sits at the root).
  const targets = new Set([path.join(docsRoot, "collector")]);
  for (const page of seedGoldPages()) {
    const dir = path.dirname(path.join(DEFAULT_DATA_ROOT, page));
    targets.add(dir === docsRoot ? path.join(DEFAULT_DATA_ROOT, page) : dir);
  }
  const documents = new Map<string, IngestDocument>();
  for (const target of [...targets].sort()) {
    const collected = await collectDocuments(target);
    for (const d of collected.documents) {
      const rel = path.relative(docsRoot, path.join(collected.root, d.source)).split(path.sep).join("/");
      const { metadata: _, ...doc } = d;
      documents.set(rel, { ...doc, source: `${OTEL_FOLDER}/${rel}`, ...(rel.includes("/") ? { metadata: { domain: rel.slice(0, rel.indexOf("/")) } } : {}) });
    }
  }
  out(`The knowledge base holds no page of ${OTEL_FOLDER}: ingesting ${documents.size} pages (collector and ${targets.size - 1} folder(s) of the seed's cases)…`);
  const result = await ingestDocuments({ documents: [...documents.values()], empty: [] }, { url: base, pollMs: 200, onProgress: throttledProgressLog(out, 5000) });
  if (result.failed) fail(`${result.failed} page(s) failed to ingest: ${result.errors.slice(0, 5).map((e) => `${e.source}: ${e.message}`).join("; ")}`);
  out(`Ingested ${result.done} pages in ${result.seconds.toFixed(1)} s`);
}

async function main(): Promise<void> {
  await checkHealth();
  await ensureCorpus();
  const started = performance.now();
  const summary = await seedMonitoring({ url: base, adminToken: token!, log: out });
  const seconds = (performance.now() - started) / 1000;
  const res = await fetch(`${base}/api/meta-monitoring/alerts?limit=100`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  if (!res.ok) fail(`GET /api/meta-monitoring/alerts answered ${res.status}: ${await res.text()}`);
  const alerts = (await res.json()) as {
    alerts: { id: string; metric: string; status: string; severity: string; value: number; acknowledged_at: string | null; started_at: string }[];
  };
  const written = new Set(summary.alerts.map((a) => a.id));
  out("");
  out(`Alerts (${summary.alerts.length}):`);
  for (const a of alerts.alerts.filter((x) => written.has(x.id))) {
    out(`  ${a.severity.padEnd(8)} ${a.status.padEnd(8)} ${a.metric.padEnd(22)} ${a.value.toFixed(3)}  since ${a.started_at.slice(0, 16)}${a.acknowledged_at ? "  acknowledged" : ""}  ${a.id}`);
  }
  out(`Proposals (${summary.proposals.length}):`);
  for (const p of summary.proposals) out(`  ${p.status.padEnd(12)} ${p.type.padEnd(27)} ${p.id}`);
  /** `key n` for each of `keys` that occurs, in that order. */
  const count = (values: string[], keys: string[]) => keys.map((k) => [k, values.filter((v) => v === k).length] as const).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ");
  out("");
  out("Summary");
  out(`  runs:       ${summary.runs.length}`);
  out(`  alerts:     ${summary.alerts.length} (${count(summary.alerts.map((a) => a.severity), ["critical", "high", "medium", "low"])}; ${count(summary.alerts.map((a) => a.status), ["firing", "pending", "resolved"])})`);
  out(`  proposals:  ${summary.proposals.length} (${summary.proposals.map((p) => p.status).join(", ")})`);
  out(`  rules:      ${summary.rules_created.length} created`);
  out(`  seconds:    ${seconds.toFixed(1)}`);
}

main().catch((e) => fail(e instanceof Error ? e.message : String(e)));
