-- Alerts of the quality loop (worker/monitoring/alerts-*.ts, docs/monitoring.md): rules over the
-- metrics of evaluation runs, alerts with states pending → firing → resolved, and an append-only
-- log of their transitions. Timestamps are epoch ms.
CREATE TABLE alert_rules (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  metric TEXT NOT NULL,
  operator TEXT NOT NULL CHECK (operator IN ('<', '<=', '>', '>=')),
  warning REAL,
  critical REAL,
  warning_severity TEXT NOT NULL DEFAULT 'high' CHECK (warning_severity IN ('critical', 'high', 'medium', 'low')),
  critical_severity TEXT NOT NULL DEFAULT 'critical' CHECK (critical_severity IN ('critical', 'high', 'medium', 'low')),
  for_runs INTEGER NOT NULL DEFAULT 1 CHECK (for_runs >= 1),
  keep_firing_for_runs INTEGER NOT NULL DEFAULT 0 CHECK (keep_firing_for_runs >= 0),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at INTEGER NOT NULL,
  CHECK (warning IS NOT NULL OR critical IS NOT NULL)
);

CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  rule_id TEXT NOT NULL REFERENCES alert_rules (id),
  metric TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'firing', 'resolved')),
  severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  value REAL NOT NULL,
  threshold REAL NOT NULL,
  breaching_runs INTEGER NOT NULL,
  recovering_runs INTEGER NOT NULL DEFAULT 0,
  first_run_id TEXT NOT NULL,
  last_run_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  fired_at INTEGER,
  resolved_at INTEGER,
  acknowledged_by TEXT,
  acknowledged_at INTEGER,
  updated_at INTEGER NOT NULL
);
-- At most one open (pending or firing) alert per rule.
CREATE UNIQUE INDEX alerts_open_rule_idx ON alerts (rule_id) WHERE status != 'resolved';
CREATE INDEX alerts_started_idx ON alerts (started_at);
CREATE INDEX alerts_status_severity_idx ON alerts (status, severity);

CREATE TABLE alert_transitions (
  id TEXT PRIMARY KEY,
  alert_id TEXT NOT NULL REFERENCES alerts (id),
  from_status TEXT CHECK (from_status IN ('pending', 'firing', 'resolved')),
  to_status TEXT NOT NULL CHECK (to_status IN ('pending', 'firing', 'resolved')),
  value REAL,
  run_id TEXT,
  note TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX alert_transitions_alert_idx ON alert_transitions (alert_id, at);
-- Append-only: transitions are never changed or deleted.
CREATE TRIGGER alert_transitions_no_update BEFORE UPDATE ON alert_transitions
BEGIN SELECT RAISE(ABORT, 'alert_transitions is append-only'); END;
CREATE TRIGGER alert_transitions_no_delete BEFORE DELETE ON alert_transitions
BEGIN SELECT RAISE(ABORT, 'alert_transitions is append-only'); END;

-- Default rules (docs/monitoring.md). created_at 0 marks a seeded rule.
INSERT INTO alert_rules (id, name, metric, operator, warning, critical, warning_severity, critical_severity, for_runs, keep_firing_for_runs, enabled, created_at) VALUES
  ('rule-answer-keyword-recall', 'Answer keyword recall low', 'answer_keyword_recall', '<', 0.45, 0.35, 'high', 'critical', 2, 1, 1, 0),
  ('rule-citation-validity', 'Citation validity low', 'citation_validity', '<', 0.98, 0.95, 'high', 'critical', 1, 1, 1, 0),
  ('rule-honest-refusal-rate', 'Honest refusal rate low', 'honest_refusal_rate', '<', 0.7, 0.5, 'high', 'critical', 2, 1, 1, 0),
  ('rule-gold-at-5', 'Gold at 5 low', 'gold_at_5', '<', 0.85, 0.75, 'high', 'critical', 2, 1, 1, 0),
  ('rule-latency-p95', 'Latency p95 high', 'latency_p95_ms', '>', 3000, 6000, 'medium', 'high', 2, 1, 1, 0),
  ('rule-llm-calls-per-answer', 'LLM calls per answer high', 'llm_calls_per_answer', '>', 4, 8, 'low', 'medium', 2, 1, 1, 0);
