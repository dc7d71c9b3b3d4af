/**
 * Latency runs of the benchmark with autocannon's programmatic API: a fixed number of requests
 * over N keep-alive connections, the JSON body varied per request by `setupRequest`, the latency
 * of every response recorded from the `response` event (for exact p50/p95/p99), and every
 * non-200 answer, connection error and timeout counted. Plain TypeScript run by type stripping.
 */
import { percentile } from "../../worker/rag/eval/metrics.ts";
import { createRequire } from "node:module";
import type { EventEmitter } from "node:events";

/** The subset of autocannon's request object used here. */
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest | null;
  onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, unknown>) => void;
}

/** The subset of autocannon's options used here. */
interface AutocannonOptions {
  url: string;
  connections: number;
  amount: number;
  /** Seconds. */
  timeout: number;
  method?: string;
  headers?: Record<string, string>;
  requests?: AutocannonRequest[];
  title?: string;
}

/** An autocannon (hdr-histogram-percentiles-obj) histogram. */
interface AutocannonHistogram {
  average: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
}

/** The subset of autocannon's result used here. */
interface AutocannonResult {
  latency: AutocannonHistogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}

type Autocannon = (opts: AutocannonOptions, cb: (err: Error | null, result: AutocannonResult) => void) => EventEmitter & { stop(): void };

const require = createRequire(import.meta.url);
const autocannon = require("autocannon") as Autocannon;

/** One endpoint to load. */
export interface EndpointSpec {
  /** Label of the row, e.g. `baseline GET /health`. */
  name: string;
  method: "GET" | "POST";
  path: string;
  /** JSON body of the i-th request (0-based, counted over all connections); none for GET. */
  body?: (i: number) => unknown;
  /** Extra request headers (e.g. `authorization` of the admin endpoints). */
  headers?: Record<string, string>;
  /**
   * Checks a 200 answer's body; returns a short note when it is empty of results (counted as
   * `emptyAnswers`, not as an error), undefined otherwise.
   */
  inspect?: (body: unknown) => string | undefined;
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Base URL of the server. */
  url: string;
  /** Requests to send in total (autocannon `amount`). */
  requests: number;
  /** Concurrent keep-alive connections (capped at `requests`). */
  connections: number;
  /** Per-request timeout in seconds (a timed-out request counts as an error). */
  timeoutS: number;
  /** Also return every latency of the HTTP 200 answers (`samplesMs`), e.g. to pool several runs. */
  keepSamples?: boolean;
}

/** Latency statistics in milliseconds. */
export interface LatencyStats {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** The outcome of one run. */
export interface LoadResult {
  name: string;
  method: string;
  path: string;
  connections: number;
  /** Requests asked for. */
  requested: number;
  /** Responses received, any status. */
  responses: number;
  /** Responses with status 200. */
  ok: number;
  /** Responses with a status other than 200. */
  non200: number;
  /** autocannon's count of non-2xx responses. */
  non2xx: number;
  /** Connection errors and timeouts (autocannon `errors`, which includes `timeouts`). */
  errors: number;
  timeouts: number;
  /** Responses per status code. */
  statusCodes: Record<string, number>;
  /** Up to 5 examples of non-200 bodies and request errors. */
  errorSamples: string[];
  /** 200 answers that `inspect` flagged (e.g. no retrieved chunk). */
  emptyAnswers: number;
  /** Exact statistics over the latencies of the HTTP 200 responses (nearest-rank percentiles). */
  latencyMs: LatencyStats;
  /** autocannon's own histogram of the 2xx latencies, for comparison. */
  autocannonLatencyMs: { p50: number; p90: number; p97_5: number; p99: number; mean: number; max: number };
  /** Latencies of the HTTP 200 answers in ms, in arrival order; only with `keepSamples`. */
  samplesMs?: number[];
  /** Wall-clock seconds from the start of the run until its last response. */
  seconds: number;
  /** Responses per second over `seconds`. */
  throughputRps: number;
}

/**
 * Latency statistics of a list of durations.
 *
 * @param values Durations in milliseconds, any order.
 */
export function latencyStats(values: readonly number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    min: sorted.length ? sorted[0] : Number.NaN,
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
  };
}

let active: (EventEmitter & { stop(): void }) | undefined;

/** Stops the run in progress, if any (for interrupts). */
export function stopActiveLoad(): void {
  active?.stop();
}

/**
 * Sends `options.requests` requests to one endpoint with autocannon over `options.connections`
 * connections and measures them. Bodies are built per request by `spec.body(i)` with a counter
 * shared by all connections, so consecutive requests cycle through the caller's inputs.
 *
 * @param spec Endpoint, body factory and answer check.
 * @param options Target, request count, connections and timeout.
 * @returns Counts, status codes, exact latency percentiles of the 200 answers and throughput. A
 *   run with errors resolves normally: the caller reports `non200`, `errors` and `timeouts`.
 * @throws Error when autocannon cannot start (e.g. invalid options).
 */
export function runLoad(spec: EndpointSpec, options: LoadOptions): Promise<LoadResult> {
  const connections = Math.max(1, Math.min(options.connections, options.requests));
  let counter = 0;
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const errorSamples: string[] = [];
  let responses = 0;
  let emptyAnswers = 0;
  let lastResponseAt = 0;

  const request: AutocannonRequest = {
    method: spec.method,
    path: spec.path,
    onResponse: (status, body) => {
      if (status !== 200) {
        if (errorSamples.length < 5) errorSamples.push(`${status}: ${String(body).replace(/\s+/g, " ").slice(0, 200)}`);
        return;
      }
      if (!spec.inspect) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        emptyAnswers++;
        return;
      }
      if (spec.inspect(parsed) !== undefined) emptyAnswers++;
    },
  };
  const bodyOf = spec.body;
  if (bodyOf) {
    request.setupRequest = (req) => ({ ...req, body: JSON.stringify(bodyOf(counter++)) });
  }

  return new Promise<LoadResult>((resolve, reject) => {
    const started = performance.now();
    let instance: EventEmitter & { stop(): void };
    try {
      instance = autocannon(
        {
          url: options.url,
          title: spec.name,
          connections,
          amount: options.requests,
          timeout: options.timeoutS,
          method: spec.method,
          headers: { ...(spec.body ? { "content-type": "application/json" } : {}), ...spec.headers },
          requests: [request],
        },
        (err, result) => {
          active = undefined;
          if (err) return reject(err);
          const ok = statusCodes["200"] ?? 0;
          const seconds = ((lastResponseAt || performance.now()) - started) / 1000;
          resolve({
            name: spec.name,
            method: spec.method,
            path: spec.path,
            connections,
            requested: options.requests,
            responses,
            ok,
            non200: responses - ok,
            non2xx: result.non2xx,
            errors: result.errors,
            timeouts: result.timeouts,
            statusCodes,
            errorSamples,
            emptyAnswers,
            latencyMs: latencyStats(latencies),
            ...(options.keepSamples ? { samplesMs: latencies } : {}),
            autocannonLatencyMs: {
              p50: result.latency.p50,
              p90: result.latency.p90,
              p97_5: result.latency.p97_5,
              p99: result.latency.p99,
              mean: result.latency.mean ?? result.latency.average,
              max: result.latency.max,
            },
            seconds,
            throughputRps: seconds > 0 ? responses / seconds : Number.NaN,
          });
        },
      );
    } catch (e) {
      reject(e);
      return;
    }
    active = instance;
    instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      responses++;
      lastResponseAt = performance.now();
      statusCodes[String(statusCode)] = (statusCodes[String(statusCode)] ?? 0) + 1;
      if (statusCode === 200) latencies.push(responseTime);
    });
    instance.on("reqError", (error: Error) => {
      if (errorSamples.length < 5) errorSamples.push(`request error: ${error?.message ?? String(error)}`);
    });
  });
}
