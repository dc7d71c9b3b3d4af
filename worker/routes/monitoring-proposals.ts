/**
 * Proposals under `/api/meta-monitoring` (docs/monitoring.md, "Proposals and validation"):
 * generate (admin), validate (admin), list, stats, one proposal with its validation, approve,
 * reject, apply and roll back (admin).
 */
import { Hono } from "hono";
import { z } from "zod";
import { database } from "../db/client";
import { actorOf } from "../http/auth";
import type { AppEnv } from "../http/context";
import { validate } from "../http/validate";
import { applyProposal, approveProposal, generateProposal, rejectProposal, rollbackProposal } from "../monitoring/proposals";
import { finishValidation, startValidation } from "../monitoring/validation";
import { getProposalRow, listProposals, PROPOSAL_STATUSES, proposalStats, proposalView } from "../storage/proposals";

const Id = z.string().min(1).max(100);
const GenerateSchema = z.object({ alert_id: Id.optional(), run_id: Id.optional() }).strict()
  .refine((b) => b.alert_id || b.run_id, { message: "alert_id or run_id is required" });
const ValidateSchema = z.object({ proposal_id: Id }).strict();
const ListSchema = z.object({
  status: z.enum(PROPOSAL_STATUSES).optional(),
  type: z.string().min(1).max(64).optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
const ApproveSchema = z.object({ reason: z.string().trim().min(1).max(1000).optional() }).strict();
const RejectSchema = z.object({ reason: z.string().trim().min(1).max(1000) }).strict();

export const monitoringProposalsRoute = new Hono<AppEnv>()
  .post("/control/generate-proposal", validate("json", GenerateSchema), async (c) => {
    const body = c.req.valid("json");
    const row = await generateProposal(c.env, database(c.env.DB), { ...body, actor: actorOf(c) });
    return c.json(proposalView(row), 201);
  })
  .post("/control/validate-proposal", validate("json", ValidateSchema), async (c) => {
    const db = database(c.env.DB);
    const row = await startValidation(c.env, db, await getProposalRow(db, c.req.valid("json").proposal_id));
    return c.json(proposalView(row), 202);
  })
  .get("/proposals", validate("query", ListSchema), async (c) => {
    const q = c.req.valid("query");
    const { items, total } = await listProposals(database(c.env.DB), q);
    return c.json({ proposals: items.map(proposalView), page: q.page, limit: q.limit, total });
  })
  .get("/proposals/stats", async (c) => c.json(await proposalStats(database(c.env.DB))))
  .get("/proposals/:id", async (c) => c.json(proposalView(await finishValidation(c.env, c.req.param("id")))))
  .post("/proposals/:id/approve", validate("json", ApproveSchema), async (c) =>
    c.json(proposalView(await approveProposal(database(c.env.DB), c.req.param("id"), actorOf(c), c.req.valid("json").reason))))
  .post("/proposals/:id/reject", validate("json", RejectSchema), async (c) =>
    c.json(proposalView(await rejectProposal(database(c.env.DB), c.req.param("id"), actorOf(c), c.req.valid("json").reason))))
  .post("/proposals/:id/apply", async (c) => c.json(proposalView(await applyProposal(c.env, database(c.env.DB), c.req.param("id"), actorOf(c)))))
  .post("/proposals/:id/rollback", validate("json", ApproveSchema), async (c) =>
    c.json(proposalView(await rollbackProposal(c.env, database(c.env.DB), c.req.param("id"), actorOf(c), c.req.valid("json").reason))));
