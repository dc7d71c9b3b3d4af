-- edge-rag initial schema: documents, chunks, ingestion jobs.
-- Timestamps are Unix epoch milliseconds.

CREATE TABLE documents (
  id            TEXT PRIMARY KEY,
  source        TEXT NOT NULL UNIQUE,
  title         TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  domain        TEXT,
  tags          TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
  metadata      TEXT NOT NULL DEFAULT '{}',   -- JSON object (front matter, description, ...)
  content       TEXT NOT NULL,                -- normalised plain text that was chunked
  content_hash  TEXT NOT NULL,
  size_bytes    INTEGER NOT NULL,
  chunk_count   INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX documents_domain_idx ON documents(domain);
CREATE INDEX documents_updated_idx ON documents(updated_at);

-- seq is the stable integer rowid the FTS5 indexes point at; id is the public chunk_id
-- (also the vector id in the vector index).
CREATE TABLE chunks (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT NOT NULL UNIQUE,
  document_id  TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  chunk_index  INTEGER NOT NULL,
  title        TEXT NOT NULL,
  heading      TEXT NOT NULL,
  content      TEXT NOT NULL,
  char_count   INTEGER NOT NULL
);
CREATE INDEX chunks_document_idx ON chunks(document_id, chunk_index);

CREATE TABLE ingest_jobs (
  id          TEXT PRIMARY KEY,
  status      TEXT NOT NULL,                  -- queued | running | completed | failed
  total       INTEGER NOT NULL,
  done        INTEGER NOT NULL DEFAULT 0,
  failed      INTEGER NOT NULL DEFAULT 0,
  errors      TEXT NOT NULL DEFAULT '[]',     -- JSON array of { source, message }
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

-- Documents of a bulk job wait here until the queue consumer ingests them
-- (queue messages carry only the item id: documents can exceed the message size limit).
CREATE TABLE ingest_job_items (
  id          TEXT PRIMARY KEY,
  job_id      TEXT NOT NULL REFERENCES ingest_jobs(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  payload     TEXT NOT NULL,                  -- JSON of the document body
  status      TEXT NOT NULL DEFAULT 'pending', -- pending | done | failed
  error       TEXT
);
CREATE INDEX ingest_job_items_job_idx ON ingest_job_items(job_id, status);
