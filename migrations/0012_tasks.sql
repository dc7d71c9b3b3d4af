-- Long-running tasks (docs/tasks.md): research, analysis and code tasks run as Cloudflare
-- Workflows (worker/tasks/workflow.ts), one instance per task with the task's id; the Workflow
-- writes the task's status and its steps here as it goes, so the API reads them without it.
-- Times are epoch ms.
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('research', 'analysis', 'code')),
  description TEXT NOT NULL,
  -- JSON {"domain": "…"} or {"document_ids": ["…"]}; NULL = the whole knowledge base.
  scope TEXT,
  -- JSON array of the ids of the tasks this one waits for (they existed when it was created).
  depends_on TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  -- JSON {"report": Markdown, "sources": [...]} once completed.
  result TEXT,
  error TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX tasks_created_idx ON tasks (created_at);
CREATE INDEX tasks_status_idx ON tasks (status, created_at);

-- The steps of a task in the order they first started; one row per step name, updated on every
-- attempt (retries of a failing step).
CREATE TABLE task_steps (
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  -- What the step works on: a sub-question, a document title; NULL when the name says it all.
  detail TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'retrying', 'completed', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  -- The last attempt's error (kept while a later attempt runs, cleared when the step completes).
  error TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  duration_ms INTEGER,
  PRIMARY KEY (task_id, name)
);
