/**
 * Formatting of the Proposals and Controls pages beside format.ts (dates, values of named
 * metrics): values by unit (the validation's latency_ms is not a run metric), signed deltas, short
 * ids, excerpts and tunables. Plain text only (rendered as text nodes, never as HTML).
 */

/** Unit of a metric value: a share (0–1), milliseconds, or a count of calls. */
export type ValueUnit = "ratio" | "ms" | "calls";

/** A metric value by unit: 0.625 → "0.625", 1234.5 → "1,234.5 ms"; null or NaN → "n/a". */
export function formatValue(x: number | null | undefined, unit: ValueUnit): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "n/a";
  if (unit === "ms") return `${x.toLocaleString(undefined, { maximumFractionDigits: 1 })} ms`;
  if (unit === "calls") return x.toLocaleString(undefined, { maximumFractionDigits: 2 });
  return x.toLocaleString(undefined, { minimumFractionDigits: 3, maximumFractionDigits: 3 });
}

/** A difference with its sign: +0.375, −0.125 (true minus sign), 0.000. */
export function formatSigned(x: number, unit: ValueUnit): string {
  const body = formatValue(Math.abs(x), unit);
  if (x > 0) return `+${body}`;
  if (x < 0) return `−${body}`;
  return body;
}

/** The first 8 characters of an id (UUIDs are unique enough there to tell rows apart). */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** The text cut at a word boundary near `max` characters, with "…". */
export function excerpt(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;.:]+$/, "")}…`;
}

/** A tunable's value as text ("0.5", "offline"). */
export function formatTunable(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "number" ? String(v) : v;
}
