/**
 * ChatSession: one Durable Object per session_id holding the conversation in SQLite storage.
 * At most MAX_MESSAGES messages are kept (oldest trimmed); an alarm deletes the session after
 * IDLE_TTL_MS without activity. A turn (user + assistant message) is written in one transaction,
 * so a session never holds half a turn.
 */
import { DurableObject } from "cloudflare:workers";

/** Messages kept per session. */
export const MAX_MESSAGES = 100;
/** Idle time after which a session is deleted: 7 days, in ms. */
export const IDLE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** A cited source as stored with an assistant message. */
export interface MessageSource {
  index: number;
  title: string;
  source: string;
  heading: string;
  snippet: string;
  score: number;
}

/** A stored message. `created_at` is an ISO-8601 timestamp. */
export interface ChatMessage {
  id: string;
  role: "user" | "assistant";
  content: string;
  sources: MessageSource[];
  created_at: string;
  /** For user messages: the query used for retrieval after follow-up resolution. */
  resolved_query: string | null;
}

interface Row extends Record<string, SqlStorageValue> {
  id: string;
  role: string;
  content: string;
  sources: string;
  created_at: number;
  resolved_query: string | null;
}

export class ChatSession extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => this.init());
  }

  private init(): void {
    const ctx = this.ctx;
    {
      ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        sources TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        resolved_query TEXT
      )`);
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    }
  }

  /** The last `limit` messages (all when omitted), oldest first. */
  messages(limit = MAX_MESSAGES): ChatMessage[] {
    const rows = this.ctx.storage.sql
      .exec<Row>("SELECT * FROM (SELECT * FROM messages ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC", limit)
      .toArray();
    return rows.map((r) => ({
      id: r.id,
      role: r.role as ChatMessage["role"],
      content: r.content,
      sources: JSON.parse(r.sources),
      created_at: new Date(r.created_at).toISOString(),
      resolved_query: r.resolved_query,
    }));
  }

  /** True when the session holds at least one message. */
  exists(): boolean {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM messages").one().n > 0;
  }

  /** Appends messages atomically, trims to MAX_MESSAGES and pushes the idle deadline. */
  async append(messages: ChatMessage[]): Promise<void> {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (const m of messages) {
        this.ctx.storage.sql.exec(
          "INSERT INTO messages (id, role, content, sources, created_at, resolved_query) VALUES (?, ?, ?, ?, ?, ?)",
          m.id, m.role, m.content, JSON.stringify(m.sources), Date.parse(m.created_at) || now, m.resolved_query,
        );
      }
      this.ctx.storage.sql.exec(
        "DELETE FROM messages WHERE seq NOT IN (SELECT seq FROM messages ORDER BY seq DESC LIMIT ?)",
        MAX_MESSAGES,
      );
      this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_active', ?)", String(now));
    });
    await this.ctx.storage.setAlarm(now + IDLE_TTL_MS);
  }

  /** Deletes the session when it has been idle for IDLE_TTL_MS, else re-arms the alarm. */
  async alarm(): Promise<void> {
    const row = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'last_active'").toArray()[0];
    const lastActive = row ? Number(row.value) : 0;
    if (Date.now() - lastActive >= IDLE_TTL_MS) {
      await this.ctx.storage.deleteAll();
      this.init();
    } else {
      await this.ctx.storage.setAlarm(lastActive + IDLE_TTL_MS);
    }
  }
}
