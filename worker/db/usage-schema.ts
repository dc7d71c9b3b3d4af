/**
 * drizzle-orm schema of the daily model usage counters (`migrations/0017_model_usage.sql`,
 * worker/usage/caps.ts): one row per UTC day, scope and key.
 */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { UsageScope } from "../usage/caps";

export const modelUsage = sqliteTable(
  "model_usage",
  {
    /** UTC day, `YYYY-MM-DD`. */
    day: text("day").notNull(),
    scope: text("scope", { enum: ["user", "session"] }).$type<UsageScope>().notNull(),
    /** The user id or the session id. */
    key: text("key").notNull(),
    calls: integer("calls").notNull().default(0),
    tokens: integer("tokens").notNull().default(0),
    /** Epoch ms of the last increment. */
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.scope, t.key] })],
);
export type ModelUsageRow = typeof modelUsage.$inferSelect;
