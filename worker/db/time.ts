/** The API's view of the tables' epoch-ms timestamps. */

/** An epoch-ms timestamp as ISO 8601; null stays null. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
