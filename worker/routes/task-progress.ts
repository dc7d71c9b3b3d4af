/**
 * `GET /ws/tasks/:id` (docs/tasks.md, "Progress over a WebSocket"): a WebSocket that pushes a
 * task's progress. The Worker accepts the socket itself and polls D1, where the task's Workflow
 * writes the task and its steps as it goes: no Durable Object, since D1 already is the one place
 * that knows the progress and every frame is derived from it.
 *
 * Frames (server → client, JSON):
 * - `{ type: "snapshot", task }` once on connect: the task as `GET /api/tasks/:id` returns it;
 * - `{ type: "step", task_id, step }` when a step starts, is retried, gets a new detail or ends
 *   (`step` as in the task's `steps`);
 * - `{ type: "status", task_id, status, error, started_at, finished_at, duration_ms }` when the
 *   task's status changes (including its final one);
 * - `{ type: "final", task }` once the task is completed, failed or cancelled (the whole task
 *   again, with its result); the server then closes with code 1000;
 * - `{ type: "error", code, message }` for a client frame (none is expected), or when reading
 *   D1 keeps failing (then the server closes with 1011).
 *
 * The poll interval starts at {@link POLL_MIN_MS} and doubles while nothing changes, up to
 * {@link POLL_MAX_MS}; after {@link MAX_POLLS} reads (a Worker invocation has a bounded number of
 * subrequests) the server closes with 1013 and the client reconnects.
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { database } from "../db/client";
import type { TaskRow, TaskStepRow } from "../db/tasks-schema";
import { iso } from "../db/time";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { getTask, listSteps, taskProgress } from "../storage/tasks";
import { visibleTask } from "../tasks/service";
import { FINAL_STATUSES } from "../tasks/types";
import { stepBody, taskBody } from "./tasks";

/** First (and, after a change, next) delay between two reads of D1, ms. */
export const POLL_MIN_MS = 300;
/** Longest delay between two reads while nothing changes, ms. */
export const POLL_MAX_MS = 2_000;
/** Reads per connection before the server closes with 1013 (reconnect). */
export const MAX_POLLS = 900;
/** Consecutive failed reads after which the server gives up (error frame, close 1011). */
const MAX_READ_FAILURES = 5;

type TaskBody = ReturnType<typeof taskBody>;
type StepBody = ReturnType<typeof stepBody>;

/** A frame the server sends on `/ws/tasks/:id`. */
export type TaskProgressFrame =
  | { type: "snapshot"; task: TaskBody }
  | { type: "step"; task_id: string; step: StepBody }
  | { type: "status"; task_id: string; status: TaskRow["status"]; error: string | null; started_at: string | null; finished_at: string | null; duration_ms: number | null }
  | { type: "final"; task: TaskBody }
  | { type: "error"; code: string; message: string };

/**
 * What a client frame would have to look like: a JSON object with a `type`. The channel accepts
 * no client frame, so a frame that passes still gets an error frame, naming its type.
 */
const ClientFrameSchema = z.object({ type: z.string().min(1).max(100) });

/** The error frame answering a client frame (raw text or binary). */
export function clientFrameError(raw: string | ArrayBuffer): TaskProgressFrame {
  let data: unknown;
  try {
    data = JSON.parse(typeof raw === "string" ? raw : new TextDecoder().decode(raw));
  } catch {
    return { type: "error", code: "malformed_json", message: "Frames must be JSON" };
  }
  const frame = ClientFrameSchema.safeParse(data);
  if (!frame.success) {
    return { type: "error", code: "invalid_frame", message: frame.error.issues.map((i) => `${i.path.join(".") || "frame"}: ${i.message}`).join("; ") };
  }
  return { type: "error", code: "invalid_frame", message: `Unexpected frame "${frame.data.type}": this channel only sends progress` };
}

/** The `status` frame of a task row. */
function statusFrame(t: Omit<TaskRow, "result">): TaskProgressFrame {
  const b = taskBody(t);
  return { type: "status", task_id: t.id, status: b.status, error: b.error, started_at: b.started_at, finished_at: b.finished_at, duration_ms: b.duration_ms };
}

/** Serialised step bodies by name: steps have no update time, so a step changed when its body did. */
function stepStates(steps: TaskStepRow[]): Map<string, string> {
  return new Map(steps.map((s) => [s.name, JSON.stringify(stepBody(s))]));
}

/**
 * Sends the task's progress on `ws` until it is final, the client leaves, or the read budget is
 * spent. `seen` is what the snapshot showed: the task's status and update time (ms) and its steps.
 */
function followTask(env: Env, ws: WebSocket, id: string, seen: { status: string; updatedAt: number; steps: Map<string, string> }): void {
  let open = true;
  let delay = POLL_MIN_MS;
  let polls = 0;
  let failures = 0;
  const send = (frame: TaskProgressFrame) => {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      open = false; // the client went away
    }
  };
  const close = (code: number, reason: string) => {
    open = false;
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
  };
  ws.addEventListener("message", (e) => send(clientFrameError(e.data as string | ArrayBuffer)));
  ws.addEventListener("close", () => close(1000, "client left"));
  ws.addEventListener("error", () => {
    open = false;
  });

  const poll = async () => {
    if (!open) return;
    if (++polls > MAX_POLLS) return close(1013, "poll budget spent; reconnect");
    const db = database(env.DB);
    let changed = false;
    try {
      const { task, steps } = await taskProgress(db, id);
      failures = 0;
      if (!open) return;
      if (!task) {
        send({ type: "error", code: "not_found", message: "Task not found" });
        return close(1000, "task deleted");
      }
      for (const s of steps) {
        const body = JSON.stringify(stepBody(s));
        if (seen.steps.get(s.name) !== body) {
          seen.steps.set(s.name, body);
          send({ type: "step", task_id: id, step: stepBody(s) });
          changed = true;
        }
      }
      if (task.status !== seen.status || task.updatedAt !== seen.updatedAt) {
        seen.status = task.status;
        seen.updatedAt = task.updatedAt;
        send(statusFrame(task));
        changed = true;
      }
      if (FINAL_STATUSES.includes(task.status)) {
        const full = await getTask(db, id);
        if (full) send({ type: "final", task: taskBody(full, await listSteps(db, id)) });
        return close(1000, `task ${task.status}`);
      }
    } catch (e) {
      if (++failures >= MAX_READ_FAILURES) {
        console.error(JSON.stringify({ level: "error", message: "task progress channel: reading D1 failed", task_id: id, error: e instanceof Error ? e.message : String(e) }));
        send({ type: "error", code: "internal_error", message: "Could not read the task's progress" });
        return close(1011, "internal error");
      }
    }
    delay = changed ? POLL_MIN_MS : Math.min(POLL_MAX_MS, delay * 2);
    setTimeout(poll, delay);
  };
  setTimeout(poll, delay);
}

/**
 * The `/ws/tasks` sub-app: `GET /:id` upgrades to the task's progress channel (101; frames above).
 *
 * @throws ApiError 426 `invalid_request` when the request is not a WebSocket upgrade; 404
 *   `not_found` ("Task not found") for an unknown task, or another user's.
 */
export const taskProgressRoute = new Hono<AppEnv>().get("/:id", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426 as ContentfulStatusCode, "invalid_request", "Expected a WebSocket upgrade");
  }
  const db = database(c.env.DB);
  const id = c.req.param("id");
  const task = await visibleTask(db, id, c.get("principal")?.userId ?? null);
  const steps = await listSteps(db, id);

  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  server.send(JSON.stringify({ type: "snapshot", task: taskBody(task, steps) } satisfies TaskProgressFrame));
  if (FINAL_STATUSES.includes(task.status)) {
    server.send(JSON.stringify({ type: "final", task: taskBody(task, steps) } satisfies TaskProgressFrame));
    server.close(1000, `task ${task.status}`);
  } else {
    followTask(c.env, server, id, { status: task.status, updatedAt: task.updatedAt, steps: stepStates(steps) });
  }
  return new Response(null, { status: 101, webSocket: client });
});
