/**
 * The chat sessions of this browser (localStorage), newest first: id, title (the first question
 * until renamed) and last activity. The conversation itself lives in the session's Durable Object.
 */
import { computed, signal } from "@preact/signals";

export interface SessionEntry {
  id: string;
  title: string;
  /** Epoch ms of the last question. */
  updated_at: number;
}

const KEY = "edge-rag.sessions";
/** Sessions remembered per browser. */
export const MAX_SESSIONS = 100;

function load(): SessionEntry[] {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(raw) ? raw.filter((s) => typeof s?.id === "string" && typeof s?.title === "string") : [];
  } catch {
    return [];
  }
}

const entries = signal<SessionEntry[]>(load());

function save(next: SessionEntry[]): void {
  entries.value = next.slice(0, MAX_SESSIONS);
  localStorage.setItem(KEY, JSON.stringify(entries.value));
}

/** Sessions, newest first. */
export const sessions = computed(() => [...entries.value].sort((a, b) => b.updated_at - a.updated_at));

/** A new session id (a UUID, which matches the API's session_id format). */
export function newSessionId(): string {
  return crypto.randomUUID();
}

/** Records activity in a session; the first call names it after `title` (≤ 80 chars). */
export function touchSession(id: string, title: string): void {
  const existing = entries.value.find((s) => s.id === id);
  const name = existing?.title ?? (title.length > 80 ? `${title.slice(0, 79)}…` : title);
  save([{ id, title: name, updated_at: Date.now() }, ...entries.value.filter((s) => s.id !== id)]);
}

/** Renames a session (empty names are ignored). */
export function renameSession(id: string, title: string): void {
  const name = title.trim().slice(0, 80);
  if (!name) return;
  save(entries.value.map((s) => (s.id === id ? { ...s, title: name } : s)));
}

/** Forgets a session in this browser. */
export function forgetSession(id: string): void {
  save(entries.value.filter((s) => s.id !== id));
}
