-- The prompt-injection flag of a chunk (worker/guardrails/injection.ts, docs/security.md): the
-- detector's reasons as a JSON array (e.g. ["ignore_instructions","encoded"]) when the chunk's
-- heading or text reads as instructions to an AI model, NULL when it does not. Set at ingestion;
-- chunks ingested before this migration stay NULL until their document is ingested again (the
-- prompts re-run the detector on every source, so they are quoted with a warning either way).
ALTER TABLE chunks ADD COLUMN injection_flags TEXT;
