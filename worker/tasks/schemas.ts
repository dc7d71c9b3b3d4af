/** zod schemas of the task API (docs/tasks.md). */
import { z } from "zod";
import { TASK_STATUSES, TASK_TYPES, type TaskScope } from "./types";

/** Most documents an analysis names. */
export const MAX_SCOPE_DOCUMENTS = 10;
/** Most tasks a task depends on. */
export const MAX_DEPENDENCIES = 10;

const Id = z.string().trim().min(1).max(100);

/**
 * What a task works on: `{"domain": "…"}` (every type) or `{"document_ids": [...]}` (analysis
 * only, 1 to 10 distinct ids); exactly one of the two.
 */
export const TaskScopeSchema = z
  .object({
    domain: z.string().trim().min(1).max(100).optional(),
    document_ids: z.array(Id).min(1).max(MAX_SCOPE_DOCUMENTS).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.domain === undefined) === (s.document_ids === undefined)) ctx.addIssue({ code: "custom", message: "scope names either a domain or document_ids" });
    if (s.document_ids && new Set(s.document_ids).size !== s.document_ids.length) ctx.addIssue({ code: "custom", path: ["document_ids"], message: "document ids must be distinct" });
  })
  .transform((s): TaskScope => (s.domain !== undefined ? { domain: s.domain } : { document_ids: s.document_ids! }));

/** Body of `POST /api/tasks`. */
export const CreateTaskSchema = z
  .object({
    type: z.enum(TASK_TYPES),
    /** What to research, analyse or find code for: 1 to 4,000 characters after trimming. */
    description: z.string().trim().min(1, "description must not be empty").max(4000),
    scope: TaskScopeSchema.optional(),
    /** Tasks that must complete first; their results become this task's context. */
    depends_on: z.array(Id).max(MAX_DEPENDENCIES).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.type === "analysis" && !b.scope) ctx.addIssue({ code: "custom", path: ["scope"], message: "an analysis needs a scope: a domain or document_ids" });
    if (b.type !== "analysis" && b.scope && "document_ids" in b.scope) {
      ctx.addIssue({ code: "custom", path: ["scope", "document_ids"], message: "document_ids apply to analysis tasks; research and code tasks take a domain" });
    }
    if (b.depends_on && new Set(b.depends_on).size !== b.depends_on.length) ctx.addIssue({ code: "custom", path: ["depends_on"], message: "task ids must be distinct" });
  });
/** A validated `POST /api/tasks` body. */
export type CreateTaskInput = z.output<typeof CreateTaskSchema>;

/** Query of `GET /api/tasks`. */
export const ListTasksQuerySchema = z.object({
  status: z.enum(TASK_STATUSES).optional(),
  type: z.enum(TASK_TYPES).optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
