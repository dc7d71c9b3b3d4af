-- Proposals of the quality loop (worker/monitoring/proposals*.ts, docs/monitoring.md): a change of
-- config tunables generated from a firing alert or a run, validated by a dry run of its candidate
-- version against its base version on the same cases, then approved or rejected, applied and
-- rolled back by an admin. Timestamps are epoch ms.
CREATE TABLE proposals (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'validated', 'approved', 'rejected', 'applied', 'rolled_back')),
  alert_id TEXT,
  -- The run that motivated the proposal.
  run_id TEXT NOT NULL,
  base_version_id TEXT NOT NULL,
  -- JSON object: key → { from, to }.
  changes TEXT NOT NULL,
  reason TEXT NOT NULL,
  -- The config version created for the proposal (not deployed until applied).
  candidate_version_id TEXT NOT NULL,
  -- JSON: the validation's runs, per-metric deltas with intervals and flips; NULL before validation.
  validation TEXT,
  created_at INTEGER NOT NULL,
  decided_by TEXT,
  decided_at INTEGER,
  decision_reason TEXT,
  applied_at INTEGER,
  rolled_back_at INTEGER
);
CREATE INDEX proposals_created_idx ON proposals (created_at);
CREATE INDEX proposals_status_idx ON proposals (status, type);
