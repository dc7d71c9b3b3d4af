/**
 * Tasks as Cloudflare Workflows in workerd (docs/tasks.md), over real OpenTelemetry pages: each
 * task type end to end through `/api/tasks`, a dependency chain (the second task receives the
 * first's result), cancellation (and a dependent that fails with it), a step whose provider fails
 * twice and then answers (retries), a step that never recovers, a replay of a paused instance,
 * the agents' load and counts, and validation errors.
 */
import { env } from "cloudflare:workers";
import { introspectWorkflow } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../worker/config";
import { ingestDocuments } from "../../worker/services/ingest";
import { setTaskDependenciesHook, type TaskDependencies } from "../../worker/tasks/providers";
import { gatedIndex, type Gate } from "../support/task-gate";
import { api, waitFor } from "../support/api";

const FOLDERS = ["concepts/", "collector/", "languages/python/"];

beforeAll(async () => {
  const p = providers(env);
  const docs = env.TEST_CORPUS.filter((d) => FOLDERS.some((f) => d.source.startsWith(f)));
  for (let i = 0; i < docs.length; i += 25) await ingestDocuments(env, p, docs.slice(i, i + 25));
}, 300_000);

afterEach(() => setTaskDependenciesHook(null));

/** Polls a task until it has finished (completed, failed or cancelled); returns its body. */
async function finished(id: string, timeoutMs = 45_000): Promise<any> {
  return waitFor(async () => {
    const r = await api("GET", `/api/tasks/${id}`);
    return ["completed", "failed", "cancelled"].includes(r.body.status) ? r.body : null;
  }, timeoutMs, 100);
}

/** Creates a task through the API; returns its body (status 201 asserted). */
async function create(body: unknown): Promise<any> {
  const r = await api("POST", "/api/tasks", body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** The `[n]` numbers cited in a report outside code blocks. */
function citations(report: string): number[] {
  const prose = report.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...new Set([...prose.matchAll(/\[(\d{1,3})\]/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

/** Asserts the citation contract: every marker names a listed source, and every listed source is cited. */
function expectCitationsValid(result: { report: string; sources: { index: number }[] }) {
  const cited = citations(result.report);
  expect(result.sources.map((s) => s.index)).toEqual(result.sources.map((_, i) => i + 1));
  expect(cited).toEqual(result.sources.map((s) => s.index));
}

/** Hooks the providers of every task step: `fn` gets and returns the step's dependencies. */
function hookProviders(fn: (deps: TaskDependencies) => TaskDependencies) {
  setTaskDependenciesHook(fn);
}

/** The embedder of `deps` failing its first `failures` calls like an unavailable provider (counted in `calls`). */
function flakyEmbedder(deps: TaskDependencies, state: { calls: number; failures: number }): TaskDependencies {
  const original = deps.providers.embedder as any;
  const flaky = Object.create(original);
  flaky.embedTerms = (...args: unknown[]) => {
    state.calls++;
    if (state.calls <= state.failures) throw new Error(`embedding provider unavailable (503), call ${state.calls}`);
    return original.embedTerms(...args);
  };
  return { ...deps, providers: { ...deps.providers, embedder: flaky } };
}

describe("research tasks", () => {
  it("plans sub-questions, answers each with citations, and writes a cited report", async () => {
    const created = await create({ type: "research", description: "Research sampling in OpenTelemetry" });
    expect(created).toMatchObject({ type: "research", status: "queued", depends_on: [], scope: null, steps: [] });
    const task = await finished(created.id);
    expect(task.status, task.error).toBe("completed");
    expect(task.steps.map((s: any) => s.name)).toEqual(["plan", "answer-1", "answer-2", "answer-3", "report"]);
    for (const s of task.steps) {
      expect(s).toMatchObject({ status: "completed", attempts: 1, error: null });
      expect(Date.parse(s.finished_at)).toBeGreaterThanOrEqual(Date.parse(s.started_at));
      expect(s.duration_ms).toBe(Date.parse(s.finished_at) - Date.parse(s.started_at));
    }
    expect(task.steps[1].detail).toBe("What is sampling?");
    const { report, sources } = task.result;
    expect(report.startsWith("# Research: Research sampling in OpenTelemetry\n\n## Summary\n\n- **What is sampling?** ")).toBe(true);
    expect(report).toContain("\n## 1. What is sampling?\n");
    expect(report).toContain("\n## 3. How do you configure sampling in OpenTelemetry?\n");
    expect(report).toContain("\n## Sources\n\n1. **");
    expectCitationsValid(task.result);
    expect(sources.some((s: any) => s.source === "concepts/sampling/index.md")).toBe(true);
    for (const s of sources) expect(s).toMatchObject({ chunk_id: expect.any(String), document_id: expect.any(String), snippet: expect.any(String) });
    // Extractive offline: every cited passage is copied from the knowledge base.
    const chunkText = await env.DB.prepare("SELECT content FROM chunks WHERE id = ?").bind(sources[0].chunk_id).first<{ content: string }>();
    expect(chunkText!.content.replace(/\s+/g, " ")).toContain(sources[0].snippet.replace(/…$/, "").replace(/```[a-z]*/g, " ").replace(/\s+/g, " ").trim().slice(0, 60));
    console.log(report.split("\n").slice(0, 24).join("\n"));
  });

  it("answers within a domain scope only", async () => {
    const task = await finished((await create({ type: "research", description: "How does the collector process telemetry?", scope: { domain: "collector" } })).id);
    expect(task.status, task.error).toBe("completed");
    expect(task.scope).toEqual({ domain: "collector" });
    expect(task.result.sources.length).toBeGreaterThan(0);
    for (const s of task.result.sources) expect(s.source).toMatch(/^collector\//);
  });
});

describe("analysis tasks", () => {
  it("digests and compares named documents", async () => {
    const ids = await env.DB.prepare("SELECT id, source FROM documents WHERE source IN ('concepts/sampling/index.md', 'concepts/signals/traces.md') ORDER BY source").all<{ id: string; source: string }>();
    expect(ids.results).toHaveLength(2);
    const task = await finished((await create({ type: "analysis", description: "sampling of traces and spans", scope: { document_ids: ids.results.map((r) => r.id) } })).id);
    expect(task.status, task.error).toBe("completed");
    expect(task.steps.map((s: any) => s.name)).toEqual(["select-documents", "digest-1", "digest-2", "report"]);
    expect(task.steps[1].detail).toBe("Sampling");
    const { report, sources } = task.result;
    expect(report).toMatch(/^# Analysis: sampling of traces and spans\n\n## Summary\n\n- \*\*Sampling\*\* .+\[1\]/);
    expect(report).toContain("\n## Comparison\n\nTopics in every document: ");
    expect(report).toContain("| Document | Topics only in this document |");
    expect(report).toContain("\n## 1. Sampling\n");
    expect(report).toContain("\n## 2. Traces\n");
    expectCitationsValid(task.result);
    expect(new Set(sources.map((s: any) => s.source))).toEqual(new Set(["concepts/sampling/index.md", "concepts/signals/traces.md"]));
  });

  it("analyses the documents of a domain most relevant to the description", async () => {
    const task = await finished((await create({ type: "analysis", description: "batch processor and memory limiter", scope: { domain: "collector" } })).id);
    expect(task.status, task.error).toBe("completed");
    const digests = task.steps.filter((s: any) => s.name.startsWith("digest-"));
    expect(digests.length).toBeGreaterThanOrEqual(2);
    expect(digests.length).toBeLessThanOrEqual(5);
    expectCitationsValid(task.result);
    for (const s of task.result.sources) expect(s.source).toMatch(/^collector\//);
  });
});

describe("code tasks", () => {
  it("shows code blocks of the documents, each cited to its source", async () => {
    const task = await finished((await create({ type: "code", description: "Python tracer provider with a batch span processor and a console exporter" })).id);
    expect(task.status, task.error).toBe("completed");
    expect(task.steps.map((s: any) => s.name)).toEqual(["search", "select-examples", "report"]);
    const { report, sources } = task.result;
    expect(report.startsWith("# Code: Python tracer provider")).toBe(true);
    expect(report).toContain("```python\n");
    expectCitationsValid(task.result);
    // Each example section cites one source, and its code is that chunk's text.
    const sections = report.split(/\n(?=## \d+\. )/).slice(1);
    expect(sections.length).toBeGreaterThan(0);
    for (const section of sections) {
      const n = Number(/\[(\d+)\]/.exec(section)![1]);
      const code = /```\w*\n([\s\S]*?)\n```/.exec(section)![1].replace(/\n… \(continued on the page\)$/, "");
      const chunk = await env.DB.prepare("SELECT content FROM chunks WHERE id = ?").bind(sources[n - 1].chunk_id).first<{ content: string }>();
      expect(chunk!.content).toContain(code);
    }
    expect(sources.some((s: any) => s.source.startsWith("languages/python/"))).toBe(true);
  });
});

describe("dependencies", () => {
  it("runs the second task after the first and gives it the first's result", async () => {
    const first = await create({ type: "research", description: "Research context propagation" });
    const second = await create({ type: "code", description: "Python code to inject and extract trace context", depends_on: [first.id] });
    expect(second.depends_on).toEqual([first.id]);
    const a = await finished(first.id);
    const b = await finished(second.id);
    expect(a.status, a.error).toBe("completed");
    expect(b.status, b.error).toBe("completed");
    expect(b.steps[0]).toMatchObject({ name: "dependencies", status: "completed", detail: `Completed: ${first.id}` });
    expect(Date.parse(b.started_at)).toBeGreaterThanOrEqual(Date.parse(a.finished_at));
    // The first task's summary is carried over, its citations renumbered into the second's sources.
    expect(b.result.report).toContain(`\n## Context from earlier tasks\n\n**Research task ${first.id}**: Research context propagation\n`);
    const firstPoint = a.result.report.split("\n").find((l: string) => l.startsWith("- **"))!.replace(/\s*(\[\d+\])+$/, "");
    expect(b.result.report).toContain(firstPoint);
    expectCitationsValid(b.result);
    const firstChunks = new Set(a.result.sources.map((s: any) => s.chunk_id));
    expect(b.result.sources.some((s: any) => firstChunks.has(s.chunk_id))).toBe(true);
  });
});

describe("cancellation", () => {
  it("cancels a running task, stops its workflow, and fails the task that waits for it", async () => {
    const gate: Gate = { entered: false, open: false };
    hookProviders((deps) => gatedIndex(deps, gate));
    const task = await create({ type: "research", description: "Research the OpenTelemetry collector pipelines" });
    const waiting = await create({ type: "analysis", description: "pipelines", scope: { domain: "collector" }, depends_on: [task.id] });
    await waitFor(async () => gate.entered);
    const running = (await api("GET", `/api/tasks/${task.id}`)).body;
    expect(running.status).toBe("running");
    expect(running.steps.at(-1)).toMatchObject({ name: "answer-1", status: "running", attempts: 1 });
    const agents = (await api("GET", "/api/agents")).body.agents;
    expect(agents.find((a: any) => a.name === "research").load.running).toBeGreaterThanOrEqual(1);
    expect(agents.find((a: any) => a.name === "analysis").load.queued).toBeGreaterThanOrEqual(1);

    const cancelled = await api("POST", `/api/tasks/${task.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", error: "Cancelled on request", result: null });
    expect(cancelled.body.steps.at(-1)).toMatchObject({ name: "answer-1", status: "cancelled" });
    expect((await (await env.TASK_WORKFLOW.get(task.id)).status()).status).toBe("terminated");
    gate.open = true;

    const dependent = await finished(waiting.id);
    expect(dependent).toMatchObject({ status: "failed", error: `Dependency ${task.id} was cancelled` });
    expect(dependent.steps).toEqual([expect.objectContaining({ name: "dependencies", status: "failed", error: `Dependency ${task.id} was cancelled` })]);
    await new Promise((r) => setTimeout(r, 300));
    const after = (await api("GET", `/api/tasks/${task.id}`)).body;
    expect(after).toMatchObject({ status: "cancelled", result: null });
    expect(after.steps.map((s: any) => s.name)).toEqual(["plan", "answer-1"]);

    const again = await api("POST", `/api/tasks/${task.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: { code: "conflict", message: "Task is already cancelled" } });
  });
});

describe("retries", () => {
  it("retries a step whose provider fails twice, and the task completes", async () => {
    await using introspector = await introspectWorkflow(env.TASK_WORKFLOW);
    await introspector.modifyAll(async (m) => m.disableRetryDelays());
    const state = { calls: 0, failures: 2 };
    hookProviders((deps) => flakyEmbedder(deps, state));
    const task = await finished((await create({ type: "research", description: "What is baggage? How is baggage propagated?" })).id);
    expect(task.status, task.error).toBe("completed");
    expect(task.steps.map((s: any) => [s.name, s.status, s.attempts])).toEqual([
      ["plan", "completed", 1], ["answer-1", "completed", 3], ["answer-2", "completed", 1], ["report", "completed", 1],
    ]);
    expect(task.steps[1].error).toBeNull();
    expect(state.calls).toBeGreaterThan(2);
    const [instance] = await introspector.get();
    await instance.waitForStatus("complete");
    expect(await instance.getOutput()).toEqual({ status: "completed" });
    expectCitationsValid(task.result);
  });

  it("fails the task when a step keeps failing, with the provider's error", async () => {
    await using introspector = await introspectWorkflow(env.TASK_WORKFLOW);
    await introspector.modifyAll(async (m) => m.disableRetryDelays());
    const state = { calls: 0, failures: Number.POSITIVE_INFINITY };
    hookProviders((deps) => flakyEmbedder(deps, state));
    const task = await finished((await create({ type: "code", description: "exporter configuration in python" })).id);
    expect(task.status).toBe("failed");
    expect(task.error).toMatch(/^embedding provider unavailable \(503\), call 4$/);
    expect(task.steps).toEqual([expect.objectContaining({ name: "search", status: "failed", attempts: 4, error: task.error })]);
    expect(task.result).toBeNull();
  });
});

describe("replay", () => {
  it("resumes a paused task from its recorded steps without running them again", async () => {
    const gate: Gate = { entered: false, open: false };
    hookProviders((deps) => gatedIndex(deps, gate));
    const created = await create({ type: "research", description: "What are resources? What is a resource detector?" });
    await waitFor(async () => gate.entered);
    const instance = await env.TASK_WORKFLOW.get(created.id);
    await instance.pause();
    expect((await instance.status()).status).toBe("waitingForPause");
    setTaskDependenciesHook(null);
    gate.open = true;
    await waitFor(async () => (await instance.status()).status === "paused", 20_000);
    const paused = (await api("GET", `/api/tasks/${created.id}`)).body;
    expect(paused.status).toBe("running");
    expect(paused.steps.map((s: any) => [s.name, s.status])).toEqual([["plan", "completed"], ["answer-1", "completed"]]);
    await instance.resume();
    const task = await finished(created.id);
    expect(task.status, task.error).toBe("completed");
    // The replay took plan and answer-1 from the engine's record: each ran once.
    expect(task.steps.map((s: any) => [s.name, s.attempts])).toEqual([["plan", 1], ["answer-1", 1], ["answer-2", 1], ["report", 1]]);
    expectCitationsValid(task.result);
  });
});

describe("listing and agents", () => {
  it("lists tasks newest first, by status and type, paginated", async () => {
    const all = await api("GET", "/api/tasks?limit=100");
    expect(all.status).toBe(200);
    expect(all.body.total).toBeGreaterThanOrEqual(8);
    const times = all.body.tasks.map((t: any) => Date.parse(t.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(all.body.tasks[0]).not.toHaveProperty("result");
    const completed = await api("GET", "/api/tasks?status=completed&type=research&limit=2&page=1");
    expect(completed.body).toMatchObject({ page: 1, limit: 2 });
    expect(completed.body.tasks).toHaveLength(2);
    for (const t of completed.body.tasks) expect(t).toMatchObject({ status: "completed", type: "research" });
    const page2 = await api("GET", "/api/tasks?status=completed&type=research&limit=2&page=2");
    expect(page2.body.tasks[0].id).not.toBe(completed.body.tasks[0].id);
    expect((await api("GET", "/api/tasks?status=cancelled")).body.tasks.every((t: any) => t.status === "cancelled")).toBe(true);
  });

  it("lists the agents with their load and counts", async () => {
    const r = await api("GET", "/api/agents");
    expect(r.status).toBe(200);
    expect(r.body.agents.map((a: any) => a.name)).toEqual(["router", "rag_graph", "math", "research", "analysis", "code"]);
    expect(r.body.agents[0]).toMatchObject({ kind: "chat", load: null, counts: null });
    const research = r.body.agents.find((a: any) => a.name === "research");
    expect(research).toMatchObject({ kind: "task", load: { running: 0, queued: 0 } });
    expect(research.counts.completed).toBeGreaterThanOrEqual(4);
    expect(research.counts.cancelled).toBe(1);
    expect(r.body.agents.find((a: any) => a.name === "code").counts.failed).toBe(1);
    expect(r.body.agents.find((a: any) => a.name === "analysis").counts.failed).toBe(1);
  });
});

describe("validation", () => {
  const invalid = async (body: unknown, path: string) => {
    const r = await api("POST", "/api/tasks", body);
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.error.code).toBe("invalid_request");
    expect(r.body.error.details.map((d: any) => d.path)).toContain(path);
    return r.body.error;
  };

  it("rejects invalid bodies with the API's error shape", async () => {
    await invalid({ description: "x" }, "type");
    await invalid({ type: "essay", description: "x" }, "type");
    await invalid({ type: "research", description: "   " }, "description");
    await invalid({ type: "research", description: "x".repeat(4001) }, "description");
    await invalid({ type: "research", description: "x", extra: 1 }, "");
    await invalid({ type: "analysis", description: "x" }, "scope");
    await invalid({ type: "analysis", description: "x", scope: {} }, "scope");
    await invalid({ type: "analysis", description: "x", scope: { domain: "collector", document_ids: ["a"] } }, "scope");
    await invalid({ type: "research", description: "x", scope: { document_ids: ["a"] } }, "scope.document_ids");
    await invalid({ type: "research", description: "x", depends_on: ["a", "a"] }, "depends_on");
    await invalid({ type: "research", description: "x", depends_on: "a" }, "depends_on");
    const unknownDep = await invalid({ type: "research", description: "x", depends_on: ["no-such-task"] }, "depends_on");
    expect(unknownDep.details).toEqual([{ path: "depends_on", message: "unknown tasks: no-such-task" }]);
    await invalid({ type: "analysis", description: "x", scope: { document_ids: ["no-such-doc"] } }, "scope.document_ids");
    await invalid({ type: "analysis", description: "x", scope: { domain: "no-such-domain" } }, "scope.domain");
    expect((await api("GET", "/api/tasks?status=done")).status).toBe(422);
    expect((await api("GET", "/api/tasks?limit=0")).status).toBe(422);
  });

  it("answers malformed JSON, unknown tasks and unknown routes", async () => {
    const malformed = await api("POST", "/api/tasks", "{", { "content-type": "application/json" });
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: "malformed_json" } } });
    expect(await api("GET", "/api/tasks/nope")).toMatchObject({ status: 404, body: { error: { code: "not_found", message: "Task not found" } } });
    expect(await api("POST", "/api/tasks/nope/cancel")).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect((await api("DELETE", "/api/tasks/nope")).status).toBe(404);
  });

  it("creates no task for a rejected body", async () => {
    const before = (await api("GET", "/api/tasks")).body.total;
    await api("POST", "/api/tasks", { type: "research", description: "" });
    expect((await api("GET", "/api/tasks")).body.total).toBe(before);
  });
});
