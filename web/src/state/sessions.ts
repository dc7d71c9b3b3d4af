/**
 * The chat sessions of the conversation list, newest first: id, title (the first question until
 * renamed) and last activity. For a signed-in user the list is the server's (`GET /api/chat`,
 * {@link loadServerSessions}), the same on every device; without a user (open mode) it is this
 * browser's (localStorage). The conversation itself lives in the session's Durable Object.
 */
import { computed, signal } from "@preact/signals";
import { api, call } from "../api/client";

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
/** Where the list lives: the user's list on the server, or this browser's. */
let source: "browser" | "server" = "browser";

function save(next: SessionEntry[]): void {
  entries.value = next.slice(0, MAX_SESSIONS);
  if (source === "browser") localStorage.setItem(KEY, JSON.stringify(entries.value));
}

/** Title of a conversation the server has not named yet (no turn stored). */
export const UNTITLED = "New conversation";

/**
 * Switches the list to the signed-in user's conversations on the server (`GET /api/chat`), or back
 * to this browser's (`signedIn` false: signed out, open mode). A failed request keeps the current
 * list and rejects.
 */
export async function loadServerSessions(signedIn: boolean): Promise<void> {
  if (!signedIn) {
    source = "browser";
    entries.value = load();
    return;
  }
  const body = await call(api.api.chat.$get());
  source = "server";
  entries.value = body.sessions.map((s) => ({ id: s.session_id, title: s.title ?? UNTITLED, updated_at: Date.parse(s.updated_at) }));
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

/** Renames a session (empty names are ignored); a user's list is renamed on the server too (reloaded if that fails). */
export function renameSession(id: string, title: string): void {
  const name = title.trim().slice(0, 80);
  if (!name) return;
  save(entries.value.map((s) => (s.id === id ? { ...s, title: name } : s)));
  if (source === "server") {
    call(api.api.chat[":session_id"].$patch({ param: { session_id: id }, json: { title: name } })).catch(() => loadServerSessions(true).catch(() => undefined));
  }
}

/** Removes a session from the list (after deleting it, which removes it from a user's list on the server). */
export function forgetSession(id: string): void {
  save(entries.value.filter((s) => s.id !== id));
}
