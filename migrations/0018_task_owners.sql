-- Tasks belong to the user who created them (docs/tasks.md, "Owners"): user_id is the creator's
-- user id, NULL for tasks created without a user (AUTH_MODE=open, the ADMIN_TOKEN, and tasks
-- created before this migration), which every caller may see. A user lists and reads only their own
-- tasks; their tasks' model calls count against their daily caps.
ALTER TABLE tasks ADD COLUMN user_id TEXT;
CREATE INDEX tasks_user_idx ON tasks (user_id, created_at);
