-- The version production was on when a proposal was applied (worker/monitoring/proposals.ts):
-- rolling the proposal back returns production there, which is not always the proposal's base
-- version (production may have moved between the proposal's run and its approval).
-- NULL for proposals not applied, and for those applied before this migration (their rollback
-- falls back to the base version).
ALTER TABLE proposals ADD COLUMN applied_from_version_id TEXT;
