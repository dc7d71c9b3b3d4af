-- Feedback on assistant messages from the web client (POST /api/feedback). One row per
-- (session, message): a later rating of the same message replaces the earlier one.
CREATE TABLE feedback (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
  reasons TEXT NOT NULL DEFAULT '[]',
  comment TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (session_id, message_id)
);
CREATE INDEX feedback_created_idx ON feedback (created_at);
