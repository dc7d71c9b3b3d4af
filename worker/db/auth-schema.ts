/**
 * drizzle-orm schema of accounts (`migrations/0015_accounts.sql`, docs/access.md): users, refresh
 * tokens, API keys and the owners of chat sessions. Timestamps are epoch ms.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Permission, Role } from "../auth/roles";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  passwordHash: text("password_hash").notNull(),
  passwordSalt: text("password_salt").notNull(),
  passwordIterations: integer("password_iterations").notNull(),
  role: text("role", { enum: ["admin", "editor", "viewer"] }).$type<Role>().notNull(),
  tokenVersion: integer("token_version").notNull().default(0),
  createdAt: integer("created_at").notNull(),
  disabledAt: integer("disabled_at"),
});
export type UserRow = typeof users.$inferSelect;

export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    familyId: text("family_id").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
    usedAt: integer("used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("refresh_tokens_user_idx").on(t.userId), index("refresh_tokens_family_idx").on(t.familyId)],
);
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    scopes: text("scopes", { mode: "json" }).$type<Permission[]>().notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_keys_user_idx").on(t.userId)],
);
export type ApiKeyRow = typeof apiKeys.$inferSelect;

export const sessionOwners = sqliteTable("session_owners", {
  sessionId: text("session_id").primaryKey(),
  userId: text("user_id").notNull(),
  createdAt: integer("created_at").notNull(),
  /** The conversation's title: its first question (≤ 80 chars) until renamed; null before its first turn (migration 0019). */
  title: text("title"),
  /** Epoch ms of its last turn; null before its first turn. */
  updatedAt: integer("updated_at"),
});
