-- Evaluation runs of the quality loop (worker/monitoring/runs.ts, docs/evaluation-runs.md): a run
-- asks the cases of one dataset split through the chat path with one configuration, in batches
-- sent through the edge-rag-eval queue; each case's judgement is one evaluation_results row.
CREATE TABLE evaluation_runs (
  id TEXT PRIMARY KEY,
  dataset TEXT NOT NULL CHECK (dataset IN ('test', 'dev')),
  -- One of the evaluation set's corpora (otel, react-en, react-ko); NULL = every corpus whose pages are in the knowledge base.
  corpus TEXT,
  -- JSON object of the configuration variables evaluated over the current configuration; '{}' = the current one.
  config_overrides TEXT NOT NULL DEFAULT '{}',
  -- The stored config version evaluated, when a caller evaluates one (no foreign key on purpose).
  config_version_id TEXT,
  "trigger" TEXT NOT NULL CHECK ("trigger" IN ('manual', 'cron', 'validation')),
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  -- JSON array of the run's case ids in order; batch i holds case_ids[i*batch_size .. (i+1)*batch_size).
  case_ids TEXT NOT NULL,
  batch_size INTEGER NOT NULL,
  total INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  batch_count INTEGER NOT NULL,
  metrics TEXT,
  error TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  completed_at INTEGER
);
CREATE INDEX evaluation_runs_created_idx ON evaluation_runs (created_at);
CREATE INDEX evaluation_runs_status_idx ON evaluation_runs (status, completed_at);

CREATE TABLE evaluation_results (
  run_id TEXT NOT NULL REFERENCES evaluation_runs (id) ON DELETE CASCADE,
  case_id TEXT NOT NULL,
  batch_index INTEGER NOT NULL,
  -- 'answer', 'refusal' or 'clarification'; NULL when the turn failed (see error).
  outcome TEXT,
  answered INTEGER NOT NULL DEFAULT 0,
  refused INTEGER NOT NULL DEFAULT 0,
  keywords_hit INTEGER NOT NULL DEFAULT 0,
  keywords_total INTEGER NOT NULL DEFAULT 0,
  gold_at_5 INTEGER NOT NULL DEFAULT 0,
  -- Citation markers in the answer, those whose text is in the cited source, those citing a gold page.
  citations INTEGER NOT NULL DEFAULT 0,
  citations_valid INTEGER NOT NULL DEFAULT 0,
  citations_gold INTEGER NOT NULL DEFAULT 0,
  -- citations_gold / citations, NULL without citations.
  citation_precision REAL,
  latency_ms INTEGER NOT NULL DEFAULT 0,
  llm_calls INTEGER NOT NULL DEFAULT 0,
  problems TEXT NOT NULL DEFAULT '[]',
  error TEXT,
  -- The first 500 characters of the response.
  response TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, case_id)
);
CREATE INDEX evaluation_results_batch_idx ON evaluation_results (run_id, batch_index);
