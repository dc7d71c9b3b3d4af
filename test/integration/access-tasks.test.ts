/**
 * Tasks owned by their creator, with AUTH_MODE=accounts (docs/tasks.md, "Owners"): another user
 * neither lists, reads, follows, cancels nor depends on them (404 / 422, as if they did not exist);
 * the admin token sees every task. A task's model calls count against its creator's daily caps,
 * and creating a task is refused once the creator's cap is reached.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { turnDependencies } from "../../worker/services/turn-deps";
import { setTaskDependenciesHook } from "../../worker/tasks/providers";
import { createUser } from "../support/accounts";
import { ADMIN, api, waitFor } from "../support/api";
import { counter, deployModelProvider } from "../support/model-caps";

const DOC = { source: "tasks/collector.md", content: "# Collector\n\nThe Collector receives, processes and exports telemetry data.\n\n## Pipelines\n\nPipelines connect receivers, processors and exporters." };

afterEach(() => setTaskDependenciesHook(null));

/** Polls a task as `auth` until it has finished; returns its body. */
async function finished(id: string, auth: Record<string, string>): Promise<any> {
  return waitFor(async () => {
    const r = await api("GET", `/api/tasks/${id}`, undefined, auth);
    return ["completed", "failed", "cancelled"].includes(r.body.status) ? r.body : null;
  }, 45_000, 100);
}

describe("tasks owned by their creator", () => {
  it("are listed, read, followed and cancelled by their creator (and the admin) only", async () => {
    expect((await api("POST", "/api/documents", DOC, ADMIN)).status).toBe(201);
    const ana = await createUser("viewer");
    const bob = await createUser("viewer");
    const created = await api("POST", "/api/tasks", { type: "research", description: "What does the Collector do?" }, ana.auth);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;

    const ids = async (auth: Record<string, string>) => ((await api("GET", "/api/tasks", undefined, auth)).body.tasks as { id: string }[]).map((t) => t.id);
    expect(await ids(ana.auth)).toContain(id);
    expect(await ids(ADMIN)).toContain(id);
    expect(await ids(bob.auth)).not.toContain(id);
    expect((await api("GET", `/api/tasks/${id}`, undefined, bob.auth)).status).toBe(404);
    expect((await api("GET", `/ws/tasks/${id}`, undefined, { ...bob.auth, upgrade: "websocket" })).status).toBe(404);
    const cancel = await api("POST", `/api/tasks/${id}/cancel`, {}, bob.auth);
    expect(cancel.status).toBe(404);
    const depends = await api("POST", "/api/tasks", { type: "research", description: "How do pipelines work?", depends_on: [id] }, bob.auth);
    expect(depends.status).toBe(422);
    expect(depends.body.error.details).toEqual([{ path: "depends_on", message: `unknown tasks: ${id}` }]);

    // Bob's attempts changed nothing: Ana's task runs to its end and is hers to read.
    expect((await finished(id, ana.auth)).status).toBe("completed");
  });

  it("count their model calls against the creator's daily caps, and are refused over the cap", async () => {
    const ana = await createUser("viewer");
    // The steps' graph runs on the mock OpenAI-compatible model (the key and URL are the test's).
    setTaskDependenciesHook((deps) =>
      turnDependencies({ ...deps.env, GENERATION_PROVIDER: "openai", OPENAI_CHAT_MODEL: "graph-json", OPENAI_API_KEY: "sk-test-tasks", OPENAI_BASE_URL: `${env.MOCK_OPENAI_URL}/v1` } as unknown as Env),
    );
    const created = await api("POST", "/api/tasks", { type: "research", description: "What does the Collector do?" }, ana.auth);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await finished(created.body.id, ana.auth)).status).toBe("completed");
    const used = await counter("user", ana.id);
    expect(used?.calls).toBeGreaterThan(0);
    expect(used?.tokens).toBeGreaterThan(0);

    // Over the cap (1,000 calls a day by default), with a model provider in production: refused before anything runs.
    await env.DB.prepare("UPDATE model_usage SET calls = 1000 WHERE day = ? AND scope = 'user' AND key = ?").bind(new Date().toISOString().slice(0, 10), ana.id).run();
    await deployModelProvider();
    const refused = await api("POST", "/api/tasks", { type: "research", description: "How do pipelines work?" }, ana.auth);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "quota_exceeded", details: { scope: "user", metric: "calls", limit: 1000, used: 1000 } });
    expect(((await api("GET", "/api/tasks", undefined, ana.auth)).body.tasks as unknown[]).length).toBe(1);
  });
});
