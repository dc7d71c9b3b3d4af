-- The conversation list of a user (docs/api.md, GET /api/chat): each owned chat session's title
-- (its first question, up to 80 characters, until the user renames it) and the time of its last
-- turn (epoch ms). Both NULL for sessions claimed before this migration until their next turn.
ALTER TABLE session_owners ADD COLUMN title TEXT;
ALTER TABLE session_owners ADD COLUMN updated_at INTEGER;
CREATE INDEX session_owners_user_updated_idx ON session_owners (user_id, updated_at);
