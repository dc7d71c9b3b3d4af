/**
 * Web search through Tavily's HTTP API (`POST {baseURL}/search`, bearer key), with a per-attempt
 * timeout and the shared retry policy of ../llm/retry.ts: HTTP 429 waits as the server says
 * (else exponential backoff), timeouts / 408 / 5xx / network errors back off exponentially, up to
 * `maxAttempts` attempts; other 4xx fail at once. Every error thrown is a {@link WebSearchError}
 * with a safe message (no stack, upstream body or key).
 */
import { z } from "zod";
import { DEFAULT_MAX_DELAY_MS, TransientError, transientFromStatus, withRetry, type TransientReason } from "../llm/retry";

/** One search hit. */
export interface WebResult {
  /** Page title. */
  title: string;
  /** Page URL. */
  url: string;
  /** Relevant extract of the page, as returned by Tavily. */
  content: string;
  /** Tavily's relevance score (higher is better, typically 0–1). */
  score: number;
}

/** A configured web search provider. */
export interface WebSearch {
  /** Provider name: `"tavily"`. */
  readonly name: "tavily";
  /**
   * Searches the web.
   *
   * @param query the search text (non-empty after trimming).
   * @param maxResults results wanted, 1–20 (default 5; clamped).
   * @returns at most `maxResults` results, in Tavily's order.
   * @throws {WebSearchError} `kind` "request" (empty query, 4xx other than 408 / 429, e.g. 401
   *   bad key), "unavailable" (429 / timeout / 5xx / network failures outlasted the attempts) or
   *   "response" (the body did not match the expected shape).
   */
  search(query: string, maxResults?: number): Promise<WebResult[]>;
}

/** Configuration read from the Worker's env (or any object with these fields). */
export interface WebSearchConfig {
  /** Tavily API key; web search is disabled when unset or blank. */
  TAVILY_API_KEY?: string;
  /** Base URL of the API (default `https://api.tavily.com`). */
  TAVILY_BASE_URL?: string;
}

/** Tuning of {@link createWebSearch}. */
export interface WebSearchOptions {
  /** Timeout of one HTTP attempt in ms, response body included (default 10000). */
  timeoutMs?: number;
  /** HTTP attempts in total for 429 / timeout / 5xx / network failures (default 3). */
  maxAttempts?: number;
  /** Waits `ms` milliseconds between attempts (default: real timer). Injected by tests. */
  sleep?: (ms: number) => Promise<void>;
  /** `fetch` to use (default the global one). */
  fetch?: typeof fetch;
}

/** Kind of a {@link WebSearchError}. */
export type WebSearchErrorKind = "request" | "unavailable" | "response";

/** The only error thrown by {@link WebSearch.search}; its message is safe to show. */
export class WebSearchError extends Error {
  override readonly name = "WebSearchError";
  /** What failed. */
  readonly kind: WebSearchErrorKind;
  /** HTTP status of the last response, when there was one. */
  readonly status?: number;
  /** For `unavailable`: the last failure's cause. */
  readonly reason?: TransientReason;
  /** HTTP requests made. */
  readonly calls: number;

  constructor(kind: WebSearchErrorKind, message: string, details: { calls: number; status?: number; reason?: TransientReason }) {
    super(message);
    this.kind = kind;
    this.status = details.status;
    this.reason = details.reason;
    this.calls = details.calls;
  }

  /** Safe, serialisable view: `{ name, kind, message, status?, reason?, calls }`. */
  toJSON() {
    return { name: this.name, kind: this.kind, message: this.message, status: this.status, reason: this.reason, calls: this.calls };
  }
}

const TavilyResponse = z.object({
  results: z.array(
    z.object({
      title: z.string(),
      url: z.string(),
      content: z.string(),
      score: z.number(),
    }),
  ),
});

/** Default Tavily API base URL. */
export const TAVILY_DEFAULT_BASE_URL = "https://api.tavily.com";

/**
 * Creates the Tavily web search client, or returns `null` when no `TAVILY_API_KEY` is configured
 * (web search disabled; callers should skip it).
 */
export function createWebSearch(config: WebSearchConfig, options: WebSearchOptions = {}): WebSearch | null {
  const apiKey = config.TAVILY_API_KEY?.trim();
  if (!apiKey) return null;
  const endpoint = `${(config.TAVILY_BASE_URL?.trim() || TAVILY_DEFAULT_BASE_URL).replace(/\/+$/, "")}/search`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const retry = { maxAttempts: options.maxAttempts ?? 3, maxDelayMs: DEFAULT_MAX_DELAY_MS, sleep: options.sleep };

  return {
    name: "tavily",

    async search(query: string, maxResults = 5): Promise<WebResult[]> {
      const q = query.trim();
      if (!q) throw new WebSearchError("request", "web search query is empty", { calls: 0 });
      const limit = Math.min(20, Math.max(1, Math.floor(Number.isFinite(maxResults) ? maxResults : 5)));
      const payload = JSON.stringify({ query: q, max_results: limit, search_depth: "basic", include_answer: false });
      let calls = 0;

      const attempt = async (): Promise<unknown> => {
        calls++;
        const controller = new AbortController();
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs);
        try {
          const res = await doFetch(endpoint, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
            body: payload,
            signal: controller.signal,
          });
          if (!res.ok) {
            await res.body?.cancel().catch(() => undefined);
            const transient = transientFromStatus(res.status, res.headers);
            if (transient) throw transient;
            throw new WebSearchError("request", `web search rejected (HTTP ${res.status})`, { calls, status: res.status });
          }
          try {
            return await res.json();
          } catch {
            if (timedOut) throw new TransientError("timeout");
            throw new WebSearchError("response", "web search returned a body that is not JSON", { calls, status: res.status });
          }
        } catch (error) {
          if (error instanceof WebSearchError || error instanceof TransientError) throw error;
          throw new TransientError(timedOut ? "timeout" : "network");
        } finally {
          clearTimeout(timer);
        }
      };

      let body: unknown;
      try {
        body = (await withRetry(attempt, retry)).value;
      } catch (error) {
        if (error instanceof WebSearchError) throw error;
        if (error instanceof TransientError) {
          throw new WebSearchError("unavailable", `web search ${error.message} after ${calls} attempts`, {
            calls,
            status: error.status,
            reason: error.reason,
          });
        }
        throw new WebSearchError("request", "web search failed unexpectedly", { calls });
      }
      const parsed = TavilyResponse.safeParse(body);
      if (!parsed.success) throw new WebSearchError("response", "web search returned an unexpected response shape", { calls });
      return parsed.data.results.slice(0, limit).map(({ title, url, content, score }) => ({ title, url, content, score }));
    },
  };
}
