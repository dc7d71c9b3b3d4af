/**
 * One task: its status, steps (attempts, times) and, once completed, its report rendered with the
 * Markdown component (no raw-HTML sink) and its sources. While the task is queued or running it
 * follows the task's progress channel (`/ws/tasks/:id`: a snapshot, then step and status frames,
 * then the final task); when the socket cannot open or closes before the final frame, it reads
 * the task every 1.5 seconds instead.
 */
import { useEffect, useState } from "preact/hooks";
import type { TaskProgressFrame } from "../../../../worker/routes/task-progress";
import { describeError, socketUrl } from "../../api/client";
import { Markdown } from "../../components/Markdown";
import { cancelTask, fetchTask, OPEN_STATUSES, type TaskDetail } from "./tasksApi";
import { TableHead } from "../../components/TableHead";

/** Milliseconds between two reads of an unfinished task when its socket is not available. */
const POLL_MS = 1500;

type Step = NonNullable<TaskDetail["steps"]>[number];

/** `steps` with `step` replacing the step of the same name, or appended. */
function withStep(steps: Step[] = [], step: Step): Step[] {
  const i = steps.findIndex((s) => s.name === step.name);
  return i < 0 ? [...steps, step] : steps.map((s, j) => (j === i ? step : s));
}

/** The task `id`; `onChanged` is called when its status changes (the list then reloads). */
export function TaskView({ id, onChanged }: { id: string; onChanged: () => void }) {
  const [task, setTask] = useState<TaskDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);

  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let socket: WebSocket | null = null;
    let lastStatus = "";
    const statusSeen = (status: string) => {
      if (lastStatus && lastStatus !== status) onChanged();
      lastStatus = status;
    };
    // Fallback: read the task until it has finished.
    const load = async () => {
      try {
        const t = await fetchTask(id);
        if (!current) return;
        setTask(t);
        setError(null);
        statusSeen(t.status);
        if (OPEN_STATUSES.includes(t.status)) timer = setTimeout(load, POLL_MS);
      } catch (e) {
        if (current) setError(describeError(e));
      }
    };
    const follow = () => {
      let finished = false;
      let ws: WebSocket;
      try {
        ws = new WebSocket(socketUrl(`/ws/tasks/${encodeURIComponent(id)}`));
      } catch {
        return void load();
      }
      socket = ws;
      ws.onmessage = (e) => {
        let frame: TaskProgressFrame;
        try {
          frame = JSON.parse(String(e.data)) as TaskProgressFrame;
        } catch {
          return;
        }
        if (!current) return;
        if (frame.type === "snapshot" || frame.type === "final") {
          finished ||= frame.type === "final";
          setTask(frame.task as TaskDetail);
          setError(null);
          statusSeen(frame.task.status);
        } else if (frame.type === "step") {
          const step = frame.step;
          setTask((t) => t && { ...t, steps: withStep(t.steps, step) });
        } else if (frame.type === "status") {
          const { status, error: taskError, started_at, finished_at, duration_ms } = frame;
          setTask((t) => t && { ...t, status, error: taskError, started_at, finished_at, duration_ms });
          statusSeen(status);
        }
      };
      ws.onclose = () => {
        if (socket === ws) socket = null;
        // Closed before the final frame (no socket, a failure, the server's 1013): read instead.
        if (current && !finished) void load();
      };
    };
    setTask(null);
    follow();
    return () => {
      current = false;
      clearTimeout(timer);
      socket?.close(1000, "left the task");
    };
  }, [id]);

  if (error) return <p class="alert" role="alert">Could not load the task: {error}</p>;
  if (!task) return <p class="muted"><span class="spinner" aria-hidden="true" /> Loading the task…</p>;

  const cancel = async () => {
    setCancelling(true);
    try {
      setTask({ ...task, ...(await cancelTask(task.id)) });
      onChanged();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setCancelling(false);
    }
  };

  return (
    <article class="task-view" aria-labelledby="task-title">
      <h2 id="task-title">
        {task.type}: {task.description}
      </h2>
      <p>
        <span class={`status status-${task.status}`}>{task.status}</span> <span class="muted">id {task.id}</span>
        {task.depends_on.length > 0 && <span class="muted"> · depends on {task.depends_on.join(", ")}</span>}
        {task.duration_ms !== null && <span class="muted"> · {(task.duration_ms / 1000).toFixed(1)} s</span>}
      </p>
      {OPEN_STATUSES.includes(task.status) && (
        <button type="button" class="ghost" onClick={cancel} disabled={cancelling}>
          {cancelling ? "Cancelling…" : "Cancel task"}
        </button>
      )}
      {task.error && <p class="alert">{task.error}</p>}
      {task.steps && task.steps.length > 0 && (
        <div class="table-wrap">
          <table class="steps">
            <caption>Steps</caption>
            <TableHead columns={["Step", "Status", "Attempts", "Time"]} />
            <tbody>
              {task.steps.map((s) => (
                <tr key={s.name}>
                  <td>
                    {s.name}
                    {s.detail && <div class="muted">{s.detail}</div>}
                    {s.error && <div class="step-error">{s.error}</div>}
                  </td>
                  <td>{s.status}</td>
                  <td>{s.attempts}</td>
                  <td>{s.duration_ms === null ? "…" : `${s.duration_ms} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {task.result && (
        <section class="report" aria-label="Report">
          <Markdown text={task.result.report} />
        </section>
      )}
    </article>
  );
}
