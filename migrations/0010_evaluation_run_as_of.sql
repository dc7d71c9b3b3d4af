-- A run started with `as_of` (seeding history, back-filling: docs/evaluation-runs.md) records its
-- times shifted by this offset (ms, ≤ 0): created, started and completed read as if the run had
-- started at `as_of`, and the alerts it raises carry those times. 0 for every other run.
ALTER TABLE evaluation_runs ADD COLUMN clock_offset_ms INTEGER NOT NULL DEFAULT 0;
