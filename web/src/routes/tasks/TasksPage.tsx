/**
 * `/tasks` and `/tasks/:task_id`: long-running tasks (research, analysis, code). Create a task,
 * list the newest with their status (filter by status), and open one to follow its steps and read
 * its report. The selected task lives in the URL.
 */
import { useEffect, useState } from "preact/hooks";
import { useLocation, useRoute } from "preact-iso";
import { describeError } from "../../api/client";
import { usePageTitle } from "../../components/usePageTitle";
import { TaskForm } from "./TaskForm";
import { TaskView } from "./TaskView";
import { fetchTasks, type TaskPage } from "./tasksApi";
import "./tasks.css";

const STATUSES = ["", "queued", "running", "completed", "failed", "cancelled"];

/** The page component (default export for the lazy route). */
export default function TasksPage() {
  const { route } = useLocation();
  const { params } = useRoute();
  const selected = params.task_id ?? null;
  const [status, setStatus] = useState("");
  const [page, setPage] = useState<TaskPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  usePageTitle("Tasks");

  useEffect(() => {
    let current = true;
    fetchTasks(status).then(
      (p) => {
        if (!current) return;
        setPage(p);
        setError(null);
      },
      (e) => current && setError(describeError(e)),
    );
    return () => {
      current = false;
    };
  }, [status, reload]);

  return (
    <div class="page tasks">
      <h1>Tasks</h1>
      <p class="muted">Research reports, document analyses and code examples that take longer than a chat turn, run step by step.</p>
      <TaskForm
        onCreated={(id) => {
          setReload((n) => n + 1);
          route(`/tasks/${id}`);
        }}
      />
      <div class="tasks-layout">
        <section aria-labelledby="task-list-title" class="task-list">
          <h2 id="task-list-title">Recent tasks</h2>
          <div class="field">
            <label for="task-status">Status</label>
            <select id="task-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s || "All"}
                </option>
              ))}
            </select>
          </div>
          {error && <p class="alert" role="alert">Could not load the tasks: {error}</p>}
          {page && page.tasks.length === 0 && <p class="notice">No tasks yet.</p>}
          {page && page.tasks.length > 0 && (
            <ul>
              {page.tasks.map((t) => (
                <li key={t.id}>
                  <a href={`/tasks/${t.id}`} aria-current={t.id === selected ? "page" : undefined}>
                    <span class={`status status-${t.status}`}>{t.status}</span> {t.type}: {t.description}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="task-detail" aria-live="polite">
          {selected ? <TaskView id={selected} onChanged={() => setReload((n) => n + 1)} /> : <p class="muted">Select a task to see its steps and report.</p>}
        </section>
      </div>
    </div>
  );
}
