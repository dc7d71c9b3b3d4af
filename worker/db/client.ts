/** drizzle-orm over the D1 binding. */
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = DrizzleD1Database<typeof schema>;

/** Wraps the D1 binding; cheap, create one per request. */
export function database(d1: D1Database): Database {
  return drizzle(d1, { schema });
}
