/**
 * The task progress channel `GET /ws/tasks/:id` (worker/routes/task-progress.ts) in workerd, over
 * the real app and a real task Workflow: the snapshot, step and status frames while the task
 * runs, the final frame and the server's close (1000), error frames for client frames, an already
 * finished task, and the 404 and 426 answers.
 */
import { env, exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../worker/config";
import { ingestDocuments } from "../../worker/services/ingest";
import { setTaskDependenciesHook } from "../../worker/tasks/providers";
import { gatedIndex, type Gate } from "../support/task-gate";
import { api, waitFor } from "../support/api";

beforeAll(async () => {
  const docs = env.TEST_CORPUS.filter((d) => d.source.startsWith("concepts/"));
  for (let i = 0; i < docs.length; i += 25) await ingestDocuments(env, providers(env), docs.slice(i, i + 25));
}, 300_000);

afterEach(() => setTaskDependenciesHook(null));

/** Sends `GET /ws/tasks/:id` to the Worker with the given headers. */
function request(id: string, headers: Record<string, string> = { Upgrade: "websocket" }): Promise<Response> {
  return (exports as any).default.fetch(new Request(`http://edge-rag.test/ws/tasks/${id}`, { headers }));
}

/** Connects to a task's progress channel; collects its frames and its close. */
async function connect(id: string) {
  const res = await request(id);
  expect(res.status).toBe(101);
  const ws: WebSocket = (res as any).webSocket;
  ws.accept();
  const frames: any[] = [];
  let resolveClosed: (e: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (resolveClosed = r));
  ws.addEventListener("message", (e) => {
    frames.push(JSON.parse(e.data as string));
  });
  ws.addEventListener("close", (e) => {
    resolveClosed({ code: e.code, reason: e.reason });
  });
  return { ws, frames, closed };
}

async function create(body: unknown): Promise<any> {
  const r = await api("POST", "/api/tasks", body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe("GET /ws/tasks/:id", () => {
  it("pushes a snapshot, step and status frames, then the final task, and closes with 1000", async () => {
    const gate: Gate = { entered: false, open: false };
    setTaskDependenciesHook((deps) => gatedIndex(deps, gate));
    const task = await create({ type: "research", description: "What is baggage? How is baggage propagated?" });
    await waitFor(async () => gate.entered);

    const { ws, frames, closed } = await connect(task.id);
    await waitFor(async () => frames.length >= 1, 5_000);
    const snapshot = frames[0];
    expect(snapshot.type).toBe("snapshot");
    expect(snapshot.task).toEqual((await api("GET", `/api/tasks/${task.id}`)).body);
    expect(snapshot.task).toMatchObject({ id: task.id, status: "running", result: null });
    expect(snapshot.task.steps.map((s: any) => [s.name, s.status])).toEqual([["plan", "completed"], ["answer-1", "running"]]);

    // Client frames are not expected: each gets an error frame, and the channel goes on.
    ws.send("not json");
    ws.send(JSON.stringify({ type: "ping" }));
    await waitFor(async () => frames.filter((f) => f.type === "error").length >= 2, 5_000);
    expect(frames.filter((f) => f.type === "error")).toEqual([
      { type: "error", code: "malformed_json", message: "Frames must be JSON" },
      { type: "error", code: "invalid_frame", message: 'Unexpected frame "ping": this channel only sends progress' },
    ]);

    gate.open = true;
    const close = await closed;
    expect(close.code).toBe(1000);

    const progress = frames.filter((f) => f.type !== "error");
    const final = progress.at(-1);
    expect(final.type).toBe("final");
    const stored = (await api("GET", `/api/tasks/${task.id}`)).body;
    expect(stored.status).toBe("completed");
    expect(final.task).toEqual(stored);

    const steps = progress.filter((f) => f.type === "step");
    expect(steps.length).toBeGreaterThanOrEqual(2);
    for (const f of steps) expect(f.task_id).toBe(task.id);
    // Every step's last frame is the step as finally stored.
    const lastByName = new Map(steps.map((f: any) => [f.step.name, f.step]));
    expect([...lastByName.keys()].sort()).toEqual(["answer-1", "answer-2", "report"]);
    for (const s of stored.steps.filter((s: any) => lastByName.has(s.name))) expect(lastByName.get(s.name)).toEqual(s);

    const statuses = progress.filter((f) => f.type === "status");
    expect(statuses.at(-1)).toEqual({
      type: "status", task_id: task.id, status: "completed", error: null,
      started_at: stored.started_at, finished_at: stored.finished_at, duration_ms: stored.duration_ms,
    });
    // The final frame comes last, after the steps and the completed status.
    expect(progress.indexOf(statuses.at(-1))).toBe(progress.length - 2);
  });

  it("sends the snapshot and the final frame at once for a finished task, then closes", async () => {
    const task = await create({ type: "code", description: "propagate baggage in python" });
    await waitFor(async () => ["completed", "failed"].includes((await api("GET", `/api/tasks/${task.id}`)).body.status), 30_000, 100);
    const stored = (await api("GET", `/api/tasks/${task.id}`)).body;
    const { frames, closed } = await connect(task.id);
    expect((await closed).code).toBe(1000);
    expect(frames).toEqual([{ type: "snapshot", task: stored }, { type: "final", task: stored }]);
  });

  it("answers 404 for an unknown task and 426 without a WebSocket upgrade", async () => {
    const missing = await request("no-such-task");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: "not_found", message: "Task not found" } });

    const task = await create({ type: "code", description: "baggage" });
    const plain = await request(task.id, {});
    expect(plain.status).toBe(426);
    expect(await plain.json()).toEqual({ error: { code: "invalid_request", message: "Expected a WebSocket upgrade" } });
  });
});
