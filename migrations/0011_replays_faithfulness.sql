-- The quality loop's replays and faithfulness (docs/evaluation-runs.md):
-- * evaluation runs get the dataset 'replays' (the questions of thumbs-down answers, replayed
--   through the chat path) and its filter; SQLite cannot change a CHECK constraint, so
--   evaluation_runs is rebuilt, and evaluation_results with it (its foreign key names the table);
-- * evaluation_results get the LLM judge's faithfulness score (0..1, NULL when not judged) and,
--   for replays, whether the new answer differs from the thumbs-down one;
-- * evaluation_replay_cases holds the questions a replays run selected at its start, so every
--   batch reads the same set.
-- Order: new tables first, rows copied, the child table dropped before its parent, then renamed
-- (a rename rewrites the foreign keys that name the table), so no foreign key is ever violated
-- and no cascade deletes a result.
CREATE TABLE evaluation_runs_new (
  id TEXT PRIMARY KEY,
  dataset TEXT NOT NULL CHECK (dataset IN ('test', 'dev', 'replays')),
  corpus TEXT,
  config_overrides TEXT NOT NULL DEFAULT '{}',
  -- The config version evaluated: the caller's, else production's when the run started (no foreign key on purpose).
  config_version_id TEXT,
  "trigger" TEXT NOT NULL CHECK ("trigger" IN ('manual', 'cron', 'validation')),
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
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
  completed_at INTEGER,
  clock_offset_ms INTEGER NOT NULL DEFAULT 0,
  -- Replays runs: JSON {"since": epoch ms | null, "reasons": [...] | null}, the thumbs-down filter; NULL for the splits.
  replay_filter TEXT
);
INSERT INTO evaluation_runs_new (id, dataset, corpus, config_overrides, config_version_id, "trigger", status, case_ids, batch_size, total, done, failed,
  batch_count, metrics, error, created_at, started_at, completed_at, clock_offset_ms)
SELECT id, dataset, corpus, config_overrides, config_version_id, "trigger", status, case_ids, batch_size, total, done, failed,
  batch_count, metrics, error, created_at, started_at, completed_at, clock_offset_ms
FROM evaluation_runs;

CREATE TABLE evaluation_results_new (
  run_id TEXT NOT NULL REFERENCES evaluation_runs_new (id) ON DELETE CASCADE,
  case_id TEXT NOT NULL,
  batch_index INTEGER NOT NULL,
  outcome TEXT,
  answered INTEGER NOT NULL DEFAULT 0,
  refused INTEGER NOT NULL DEFAULT 0,
  keywords_hit INTEGER NOT NULL DEFAULT 0,
  keywords_total INTEGER NOT NULL DEFAULT 0,
  gold_at_5 INTEGER NOT NULL DEFAULT 0,
  citations INTEGER NOT NULL DEFAULT 0,
  citations_valid INTEGER NOT NULL DEFAULT 0,
  citations_gold INTEGER NOT NULL DEFAULT 0,
  citation_precision REAL,
  latency_ms INTEGER NOT NULL DEFAULT 0,
  llm_calls INTEGER NOT NULL DEFAULT 0,
  problems TEXT NOT NULL DEFAULT '[]',
  error TEXT,
  response TEXT NOT NULL DEFAULT '',
  -- Share (0..1) of the answer's sentences the LLM judge found supported by the cited sources; NULL when not judged.
  faithfulness REAL,
  -- Replays: 1 when the new answer differs from the thumbs-down one (outcome or text), 0 when not; NULL for the splits.
  changed INTEGER,
  PRIMARY KEY (run_id, case_id)
);
INSERT INTO evaluation_results_new (run_id, case_id, batch_index, outcome, answered, refused, keywords_hit, keywords_total, gold_at_5, citations,
  citations_valid, citations_gold, citation_precision, latency_ms, llm_calls, problems, error, response)
SELECT run_id, case_id, batch_index, outcome, answered, refused, keywords_hit, keywords_total, gold_at_5, citations,
  citations_valid, citations_gold, citation_precision, latency_ms, llm_calls, problems, error, response
FROM evaluation_results;

DROP TABLE evaluation_results;
DROP TABLE evaluation_runs;
ALTER TABLE evaluation_runs_new RENAME TO evaluation_runs;
ALTER TABLE evaluation_results_new RENAME TO evaluation_results;
CREATE INDEX evaluation_runs_created_idx ON evaluation_runs (created_at);
CREATE INDEX evaluation_runs_status_idx ON evaluation_runs (status, completed_at);
CREATE INDEX evaluation_results_batch_idx ON evaluation_results (run_id, batch_index);

-- The thumbs-down answers a replays run replays, chosen when it starts: one row per (run, case);
-- case_id is the feedback row's id.
CREATE TABLE evaluation_replay_cases (
  run_id TEXT NOT NULL REFERENCES evaluation_runs (id) ON DELETE CASCADE,
  case_id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  -- The question asked again: the user question before the rated answer (its resolved query when it had one).
  question TEXT NOT NULL,
  -- The first 500 characters of the rated answer, and its outcome ('answer', 'refusal', 'clarification'; NULL when unknown).
  previous_response TEXT NOT NULL,
  previous_outcome TEXT,
  -- The thumbs-down's reasons (JSON array) and comment, and when it was given (epoch ms).
  reasons TEXT NOT NULL DEFAULT '[]',
  comment TEXT,
  rated_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, case_id)
);
