/**
 * Alert notifications to a webhook (`ALERT_WEBHOOK_URL`) as Slack-compatible JSON: `text` (the
 * fallback line that every Slack-style receiver shows) and `blocks` (Block Kit sections). A failed
 * or slow delivery is logged and never fails the caller; the timeout is 5 s.
 */
import { METRICS, isMetricName } from "./alerts-metrics";
import type { AlertSeverity, AlertStatus } from "./alerts-state";

/** Timeout of one webhook delivery. */
export const WEBHOOK_TIMEOUT_MS = 5000;

/** What a notification tells about one alert transition. */
export interface AlertNotice {
  alert_id: string;
  rule_name: string;
  metric: string;
  operator: string;
  status: AlertStatus;
  /** Status before the transition. */
  from: AlertStatus | null;
  severity: AlertSeverity;
  value: number;
  threshold: number;
  run_id: string | null;
  note: string | null;
  /** Epoch ms of the transition. */
  at: number;
}

/** Slack-compatible webhook body. */
export interface SlackMessage {
  text: string;
  blocks?: unknown[];
}

const EMOJI: Record<AlertSeverity, string> = { critical: ":red_circle:", high: ":large_orange_circle:", medium: ":large_yellow_circle:", low: ":white_circle:" };

function formatValue(metric: string, value: number): string {
  const unit = isMetricName(metric) ? METRICS[metric].unit : undefined;
  if (unit === "ms") return `${Math.round(value)} ms`;
  return Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/0+$/, "");
}

/**
 * The Slack message of a transition, e.g. text
 * `[FIRING · critical] Citation validity low: citation_validity = 0.93 (threshold < 0.95), run r3`.
 */
export function alertMessage(n: AlertNotice): SlackMessage {
  const state = n.status === "resolved" ? "RESOLVED" : n.from === "firing" ? "ESCALATED" : n.status.toUpperCase();
  const headline = `[${state} · ${n.severity}] ${n.rule_name}: ${n.metric} = ${formatValue(n.metric, n.value)} (threshold ${n.operator} ${formatValue(n.metric, n.threshold)})`;
  const text = n.run_id ? `${headline}, run ${n.run_id}` : headline;
  const icon = n.status === "resolved" ? ":white_check_mark:" : EMOJI[n.severity];
  const context = [`alert \`${n.alert_id}\``, n.run_id ? `run \`${n.run_id}\`` : null, new Date(n.at).toISOString(), n.note].filter(Boolean).join(" · ");
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `${icon} *${headline}*` } },
      { type: "context", elements: [{ type: "mrkdwn", text: context }] },
    ],
  };
}

/** Options of {@link sendWebhook}. */
export interface WebhookOptions {
  /** Default {@link WEBHOOK_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Default the global fetch. */
  fetch?: typeof fetch;
}

/**
 * POSTs `body` as JSON to `url`; true when the receiver answered 2xx. Failures (network, non-2xx,
 * timeout) are logged as a JSON line and return false; never throws.
 */
export async function sendWebhook(url: string, body: SlackMessage, options: WebhookOptions = {}): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  try {
    const res = await (options.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    if (res.ok) return true;
    console.warn(JSON.stringify({ level: "warn", message: "alert webhook failed", status: res.status, url: redact(url) }));
  } catch (e) {
    const reason = e instanceof Error ? (e.name === "TimeoutError" ? `timed out after ${timeoutMs} ms` : e.message) : String(e);
    console.warn(JSON.stringify({ level: "warn", message: "alert webhook failed", reason, url: redact(url) }));
  }
  return false;
}

/** The origin of a URL for logs: webhook URLs carry their secret in the path. */
function redact(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid url)";
  }
}
