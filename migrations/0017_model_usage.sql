-- Daily counters of model calls and tokens (worker/usage/caps.ts, docs/access.md "Daily model
-- caps"): one row per UTC day (YYYY-MM-DD), scope ('user' or 'session') and key (the user id or
-- the session id), incremented with an UPSERT after each chat turn that called a model. Rows of
-- past days are not read again; nothing deletes them yet.
CREATE TABLE model_usage (
  day TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('user', 'session')),
  key TEXT NOT NULL,
  calls INTEGER NOT NULL DEFAULT 0,
  tokens INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (day, scope, key)
);
