-- Versioned configuration (worker/config-versions/, worker/storage/config-versions.ts).
-- config_versions: immutable rows, each with the complete set of tunables as JSON; version is
-- 1, 2, … and unique, so two isolates creating the initial version at once make only one.
CREATE TABLE config_versions (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL UNIQUE,
  parent_id TEXT REFERENCES config_versions (id),
  "values" TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Named pointers to a version; "production" is the one the Worker reads.
CREATE TABLE deployments (
  name TEXT PRIMARY KEY,
  version_id TEXT NOT NULL REFERENCES config_versions (id),
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
);

-- Append-only audit log of every move of a pointer (who, when, why); seq orders them.
CREATE TABLE deployment_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  from_version_id TEXT REFERENCES config_versions (id),
  to_version_id TEXT NOT NULL REFERENCES config_versions (id),
  action TEXT NOT NULL CHECK (action IN ('deploy', 'rollback')),
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX deployment_events_name_idx ON deployment_events (name, seq);
