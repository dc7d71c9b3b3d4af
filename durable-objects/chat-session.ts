/**
 * ChatSession: one Durable Object per session_id. It holds the conversation in SQLite storage
 * (at most MAX_MESSAGES messages, oldest trimmed), the graph state of a pending clarification,
 * and the session's WebSockets (hibernation API). Turns run here one at a time, so HTTP and
 * WebSocket clients of one session see one consistent conversation. An alarm deletes the session
 * after IDLE_TTL_MS without activity and closes WebSockets idle for SOCKET_IDLE_MS.
 */
import { DurableObject } from "cloudflare:workers";
import { recordSessionTurn } from "../worker/auth/sessions";
import { database } from "../worker/db/client";
import type { GraphState } from "../worker/agents/graph/state";
import { deployedEnv } from "../worker/config-versions/deployed";
import { ApiError } from "../worker/http/errors";
import { WsClientFrameSchema } from "../worker/schemas";
import { clarificationBody, runChatTurn, type TurnContext, type TurnInput, type TurnResult, type WsServerFrame } from "../worker/services/chat";
import { errorBody } from "../worker/http/errors";
import { sseEvent } from "../worker/http/sse";
import type { ChatMessage } from "../worker/services/messages";
import { turnDependencies } from "../worker/services/turn-deps";
import { assertWithinDailyCaps, QuotaExceededError, recordModelUsage, USER_ID_HEADER } from "../worker/services/model-quota";
import { admitFrame, oversizeError, rateLimitedError } from "./ws-limits";

export type { ChatMessage, MessageSource } from "../worker/services/messages";

/** Messages kept per session. */
export const MAX_MESSAGES = 100;
/** Idle time after which a session is deleted: 7 days, in ms. */
export const IDLE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Idle time after which a WebSocket is closed: 5 minutes, in ms. */
export const SOCKET_IDLE_MS = 5 * 60 * 1000;
/** Messages read for follow-up resolution. */
const HISTORY_MESSAGES = 6;

interface Row extends Record<string, SqlStorageValue> {
  id: string;
  role: string;
  content: string;
  sources: string;
  created_at: number;
  resolved_query: string | null;
  kind: string | null;
  meta: string | null;
}

/** What a caller of a turn listens to: progress, the answer's text as it is written, cancellation. */
export type TurnHooks = Pick<TurnContext, "onProgress" | "tokens" | "signal">;

/** Per-socket state kept across hibernation. */
interface SocketAttachment {
  lastActive: number;
  /** Arrival times of the frames accepted within the rate limit's window (./ws-limits.ts). */
  frames?: number[];
}

/** A turn refused with an API error, as RPC returns it (`retryAfterS` with a 429: the route's `retry-after`). */
export interface ChatRefusal {
  ok: false;
  status: number;
  code: string;
  message: string;
  details?: unknown;
  retryAfterS?: number;
}

function refusalOf(e: ApiError): ChatRefusal {
  const retryAfterS = (e as ApiError & { retryAfterS?: number }).retryAfterS;
  return { ok: false, status: e.status, code: e.code, message: e.message, details: e.details, ...(retryAfterS === undefined ? {} : { retryAfterS }) };
}

/** Tag of a WebSocket carrying its user's id. */
const USER_TAG = "user:";

export class ChatSession extends DurableObject<Env> {
  /** Turns of this session run one after another. */
  private turns: Promise<unknown> = Promise.resolve();
  /** Aborts the turns running now; `clear` uses it so that a deleted session is not written again. */
  private running = new Set<AbortController>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => this.init());
  }

  private init(): void {
    const sql = this.ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL,
      content TEXT NOT NULL,
      sources TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      resolved_query TEXT,
      kind TEXT,
      meta TEXT
    )`);
    // Sessions stored before messages had a kind and answer metadata get the columns (NULL: derived on read).
    const columns = new Set(sql.exec<{ name: string }>("PRAGMA table_info(messages)").toArray().map((c) => c.name));
    if (!columns.has("kind")) sql.exec("ALTER TABLE messages ADD COLUMN kind TEXT");
    if (!columns.has("meta")) sql.exec("ALTER TABLE messages ADD COLUMN meta TEXT");
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  private meta(key: string): string | null {
    return this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  /** The last `limit` messages (all when omitted), oldest first. */
  messages(limit = MAX_MESSAGES): ChatMessage[] {
    const rows = this.ctx.storage.sql
      .exec<Row>("SELECT * FROM (SELECT * FROM messages ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC", limit)
      .toArray();
    return rows.map((r) => ({
      id: r.id,
      role: r.role as ChatMessage["role"],
      kind: (r.kind ?? (r.role === "user" ? "question" : "answer")) as ChatMessage["kind"],
      content: r.content,
      sources: JSON.parse(r.sources),
      created_at: new Date(r.created_at).toISOString(),
      resolved_query: r.resolved_query,
      meta: r.meta ? JSON.parse(r.meta) : null,
    }));
  }

  /** True when the session holds at least one message. */
  exists(): boolean {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM messages").one().n > 0;
  }

  /** The graph state of a pending clarification, if any. */
  pending(): GraphState | null {
    const raw = this.meta("pending");
    return raw ? (JSON.parse(raw) as GraphState) : null;
  }

  /**
   * Appends messages and sets (or clears) the pending clarification atomically, trims to
   * MAX_MESSAGES and pushes the idle deadline.
   */
  async append(messages: ChatMessage[], pending: GraphState | null | undefined = undefined): Promise<void> {
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      for (const m of messages) {
        sql.exec(
          "INSERT INTO messages (id, role, content, sources, created_at, resolved_query, kind, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          m.id, m.role, m.content, JSON.stringify(m.sources), Date.parse(m.created_at) || now, m.resolved_query, m.kind,
          m.meta ? JSON.stringify(m.meta) : null,
        );
      }
      sql.exec("DELETE FROM messages WHERE seq NOT IN (SELECT seq FROM messages ORDER BY seq DESC LIMIT ?)", MAX_MESSAGES);
      sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_active', ?)", String(now));
      if (pending === null) sql.exec("DELETE FROM meta WHERE key = 'pending'");
      else if (pending !== undefined) sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('pending', ?)", JSON.stringify(pending));
    });
    await this.scheduleAlarm();
  }

  /**
   * Runs one turn (a question, or the answer to the pending clarification) and stores it. Turns
   * of a session are serialised. Throws ApiError 422 for an answer without a pending clarification,
   * QuotaExceededError (429) when a daily model cap of `userId` or the session is reached (then
   * nothing is stored), ApiError 409 `conflict` when the session is deleted (`clear`) before the
   * turn is stored, and the signal's reason when `hooks.signal` aborts (in both cases nothing is
   * stored).
   *
   * @param userId The user the Worker authenticated (never from the client), or null (none).
   */
  async turn(sessionId: string, input: TurnInput, hooks: TurnHooks = {}, userId: string | null = null): Promise<TurnResult> {
    const deleted = new AbortController();
    const signal = hooks.signal ? AbortSignal.any([hooks.signal, deleted.signal]) : deleted.signal;
    const run = async () => {
      signal.throwIfAborted();
      // Under the production config version's tunables (falls back to the vars when D1 fails).
      const env = await deployedEnv(this.env);
      const owner = { userId, sessionId };
      await assertWithinDailyCaps(env, owner);
      this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('session_id', ?)", sessionId);
      const history = this.messages(HISTORY_MESSAGES);
      const pending = input.kind === "response" ? this.pending() : null;
      const result = await runChatTurn(input, {
        ...turnDependencies(env),
        sessionId,
        history,
        pending,
        ...hooks,
        signal,
      });
      // The model calls were made (and paid for) even when the reader went away.
      await recordModelUsage(env, owner, result.usage);
      // A cancelled turn, or one whose session was deleted meanwhile, stores nothing: neither the
      // question nor a half-streamed answer.
      signal.throwIfAborted();
      // A new question replaces a pending clarification; an answer clears or replaces it.
      await this.append(result.messages, result.pending);
      if (userId) await this.recordInList(sessionId, userId, input.kind === "question" ? input.query : null);
      return result;
    };
    this.running.add(deleted);
    const next = this.turns.then(run, run).finally(() => this.running.delete(deleted));
    this.turns = next.catch(() => undefined);
    return next;
  }

  /** Updates the user's conversation list (title, last activity); a failure is logged, the turn is stored. */
  private async recordInList(sessionId: string, userId: string, question: string | null): Promise<void> {
    try {
      await recordSessionTurn(database(this.env.DB), sessionId, userId, question);
    } catch (e) {
      console.error(JSON.stringify({ level: "error", message: "could not update the conversation list", session_id: sessionId, error: String(e) }));
    }
  }

  /**
   * `turn` for RPC callers (the HTTP route): API errors come back as values, because a thrown
   * error loses its status and code on the way out of the Durable Object.
   */
  async chat(sessionId: string, input: TurnInput, userId: string | null = null): Promise<{ ok: true; result: TurnResult } | ChatRefusal> {
    try {
      return { ok: true, result: await this.turn(sessionId, input, {}, userId) };
    } catch (e) {
      if (e instanceof ApiError) return refusalOf(e);
      throw e;
    }
  }

  /**
   * `turn` as a Server-Sent Events stream for `POST /api/chat` with `Accept: text/event-stream`
   * (docs/api.md): `progress` per graph node, `token` deltas of the answer (`reset` discards
   * what was streamed), then `answer` or `clarification` with the JSON response's body, or
   * `error` with the API's error body. When the reader cancels the stream the turn is aborted
   * and nothing of it is stored. A daily model cap already reached is answered before the
   * stream, as a refusal (the route's 429).
   */
  async chatStream(sessionId: string, input: TurnInput, userId: string | null = null): Promise<ReadableStream<Uint8Array> | ChatRefusal> {
    try {
      await assertWithinDailyCaps(await deployedEnv(this.env), { userId, sessionId });
    } catch (e) {
      if (e instanceof QuotaExceededError) return refusalOf(e);
      throw e;
    }
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const cancel = new AbortController();
    const encoder = new TextEncoder();
    const emit = async (event: string, data: unknown) => {
      if (cancel.signal.aborted) return;
      try {
        await writer.write(encoder.encode(sseEvent(event, data)));
      } catch {
        cancel.abort(new DOMException("the client closed the stream", "AbortError"));
      }
    };
    const run = async () => {
      try {
        const result = await this.turn(sessionId, input, {
          onProgress: (step, message) => emit("progress", { step, message }),
          tokens: { onToken: (delta) => emit("token", { delta }), onReset: () => emit("reset", {}) },
          signal: cancel.signal,
        }, userId);
        await emit(result.outcome.type, result.outcome.body);
      } catch (e) {
        if (cancel.signal.aborted) {
          console.log(JSON.stringify({ level: "info", message: "streamed turn cancelled by the client", session_id: sessionId }));
        } else if (e instanceof ApiError) {
          await emit("error", errorBody(e.code, e.message, e.details));
        } else {
          console.error(JSON.stringify({ level: "error", message: "streamed turn failed", error: String(e), stack: (e as Error)?.stack }));
          await emit("error", errorBody("internal_error", "Could not answer this question. Please try again."));
        }
      } finally {
        await writer.close().catch(() => undefined);
      }
    };
    this.ctx.waitUntil(run());
    return readable;
  }

  /**
   * Deletes the session: its messages, its pending clarification and its alarm; closes its sockets.
   * Turns running or waiting are aborted with a 409 `conflict` and store nothing (a streamed turn
   * ends with that error event).
   */
  async clear(): Promise<void> {
    for (const turn of this.running) turn.abort(new ApiError(409, "conflict", "The session was deleted while this turn was running; nothing of it was kept."));
    this.running.clear();
    for (const ws of this.ctx.getWebSockets()) ws.close(1000, "session deleted");
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.init();
  }

  /** WebSocket upgrade for `GET /ws/chat/:session_id` (the Worker validated the id). */
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: { code: "invalid_request", message: "Expected a WebSocket upgrade" } }, { status: 426 });
    }
    const sessionId = request.headers.get("x-session-id") ?? "";
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('session_id', ?)", sessionId);
    const { 0: client, 1: server } = new WebSocketPair();
    // The user the Worker authenticated (it strips the header from clients), kept as a tag across hibernation.
    const userId = request.headers.get(USER_ID_HEADER);
    this.ctx.acceptWebSocket(server, userId ? [`${USER_TAG}${userId}`] : []);
    server.serializeAttachment({ lastActive: Date.now() } satisfies SocketAttachment);
    const pending = this.pending();
    if (pending?.clarification) {
      server.send(JSON.stringify({ type: "clarification", ...clarificationBody(sessionId, pending.clarification) } satisfies WsServerFrame));
    }
    await this.scheduleAlarm();
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Handles a client frame. Frames over the connection's rate limit, oversize, malformed and
   * invalid frames get an error frame, are not processed and store nothing; the socket stays open.
   */
  async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const now = Date.now();
    const admission = admitFrame((ws.deserializeAttachment() as SocketAttachment | null)?.frames, now);
    ws.serializeAttachment({ lastActive: now, frames: admission.recent } satisfies SocketAttachment);
    const send = (frame: WsServerFrame) => {
      try {
        ws.send(JSON.stringify(frame));
      } catch {
        // the client went away; the turn's result is stored anyway
      }
    };
    if (!admission.allowed) return send(rateLimitedError(admission.retryAfterMs));
    const oversize = oversizeError(raw);
    if (oversize) return send(oversize);
    let data: unknown;
    try {
      data = JSON.parse(typeof raw === "string" ? raw : new TextDecoder().decode(raw));
    } catch {
      return send({ type: "error", code: "malformed_json", message: "Frames must be JSON" });
    }
    const frame = WsClientFrameSchema.safeParse(data);
    if (!frame.success) {
      return send({ type: "error", code: "invalid_frame", message: frame.error.issues.map((i) => `${i.path.join(".") || "frame"}: ${i.message}`).join("; ") });
    }
    const f = frame.data;
    if (f.type === "ping") return send({ type: "pong" });
    const sessionId = this.meta("session_id") ?? "";
    const turnId = f.turn_id;
    const tag = turnId === undefined ? {} : { turn_id: turnId };
    const input: TurnInput =
      f.type === "question"
        ? { kind: "question", query: f.query, search_scope: f.search_scope }
        : { kind: "response", selected_option: f.selected_option, custom_input: f.custom_input };
    const userId = this.ctx.getTags(ws).find((t) => t.startsWith(USER_TAG))?.slice(USER_TAG.length) ?? null;
    try {
      const result = await this.turn(sessionId, input, {
        onProgress: (step, message) => send({ type: "progress", step, message, ...tag }),
        tokens: { onToken: (delta) => send({ type: "token", delta, ...tag }), onReset: () => send({ type: "reset", ...tag }) },
      }, userId);
      const { outcome } = result;
      send(outcome.type === "answer" ? { type: "answer", ...outcome.body, ...tag } : { type: "clarification", ...outcome.body, ...tag });
    } catch (e) {
      if (e instanceof QuotaExceededError) return send({ type: "error", code: e.code, message: e.message, retry_after_s: e.retryAfterS, ...tag });
      if (e instanceof ApiError) return send({ type: "error", code: e.code, message: e.message, ...tag });
      console.error(JSON.stringify({ level: "error", message: "websocket turn failed", error: String(e), stack: (e as Error)?.stack }));
      send({ type: "error", code: "internal_error", message: "Could not answer this question. Please try again.", ...tag });
    }
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  /** Next alarm: the earliest of the session's idle deadline and the sockets' idle deadline. */
  private async scheduleAlarm(): Promise<void> {
    const lastActive = Number(this.meta("last_active") ?? Date.now());
    let at = lastActive + IDLE_TTL_MS;
    for (const ws of this.ctx.getWebSockets()) {
      const a = ws.deserializeAttachment() as SocketAttachment | null;
      at = Math.min(at, (a?.lastActive ?? Date.now()) + SOCKET_IDLE_MS);
    }
    await this.ctx.storage.setAlarm(at);
  }

  /** Closes idle sockets, deletes the session when idle for IDLE_TTL_MS, re-arms otherwise. */
  async alarm(): Promise<void> {
    const now = Date.now();
    for (const ws of this.ctx.getWebSockets()) {
      const a = ws.deserializeAttachment() as SocketAttachment | null;
      if (now - (a?.lastActive ?? 0) >= SOCKET_IDLE_MS) ws.close(1000, "idle timeout");
    }
    const lastActive = Number(this.meta("last_active") ?? 0);
    if (now - lastActive >= IDLE_TTL_MS && this.ctx.getWebSockets().length === 0) {
      await this.ctx.storage.deleteAll();
      this.init();
      return;
    }
    await this.scheduleAlarm();
  }
}
