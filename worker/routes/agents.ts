/**
 * `GET /api/agents`: the agents of edge-rag with their current load and counts. The chat's
 * agents (router, agent graph, math) answer within a chat turn and keep no count; the task agents
 * (research, analysis, code) report their tasks from D1.
 */
import { Hono } from "hono";
import { database } from "../db/client";
import type { AppEnv } from "../http/context";
import { taskCounts } from "../storage/tasks";
import { TASK_TYPES, type TaskStatus, type TaskType } from "../tasks/types";

/** The chat's agents, which run inside a chat turn. */
const CHAT_AGENTS = [
  { name: "router", description: "Sends arithmetic and algebra to the math agent and every other question to the agent graph." },
  { name: "rag_graph", description: "Corrective RAG graph: analysis, clarification, decomposition, retrieval, grading, rewrites, web fallback, cited generation." },
  { name: "math", description: "Evaluates expressions and solves linear and quadratic equations with mathjs, showing the steps." },
] as const;

/** The task agents, one per task type. */
const TASK_AGENTS: Record<TaskType, string> = {
  research: "Plans 2 to 5 sub-questions, answers each through retrieval and generation, and writes a cited report.",
  analysis: "Digests and compares chosen documents (by id or domain) for a description, with citations.",
  code: "Finds code blocks of the documents relevant to a description and shows them, each cited to its source.",
};

/** The `/api/agents` sub-app: `GET /` → `{ agents: [{ name, description, kind, load, counts }] }`. */
export const agentsRoute = new Hono<AppEnv>().get("/", async (c) => {
  const counts = await taskCounts(database(c.env.DB));
  const n = (type: TaskType, status: TaskStatus) => counts.find((r) => r.type === type && r.status === status)?.n ?? 0;
  return c.json({
    agents: [
      ...CHAT_AGENTS.map((a) => ({ ...a, kind: "chat" as const, load: null, counts: null })),
      ...TASK_TYPES.map((type) => ({
        name: type, description: TASK_AGENTS[type], kind: "task" as const,
        load: { running: n(type, "running"), queued: n(type, "queued") },
        counts: { completed: n(type, "completed"), failed: n(type, "failed"), cancelled: n(type, "cancelled") },
      })),
    ],
  });
});
