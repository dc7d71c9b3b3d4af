/** drizzle-orm over the D1 binding. */
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = DrizzleD1Database<typeof schema>;

const databases = new WeakMap<D1Database, Database>();

/**
 * The drizzle database over a D1 binding, created once per binding object and isolate: building
 * it walks the whole schema (drizzle's relational config), about 1 ms of CPU that every request
 * paid when it was created per request (CPU profile of a hybrid query in `wrangler dev`).
 */
export function database(d1: D1Database): Database {
  let db = databases.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    databases.set(d1, db);
  }
  return db;
}

/** The D1 binding under a drizzle database, for raw statements drizzle cannot build (INSERT … SELECT … WHERE in a batch). */
export function d1Of(db: Database): D1Database {
  return (db as unknown as { $client: D1Database }).$client;
}
