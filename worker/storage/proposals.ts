/**
 * D1 storage of proposals (`migrations/0009_proposals.sql`). Status changes are conditional
 * UPDATEs on the expected status, so two concurrent decisions cannot both succeed.
 */
import { and, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { proposals, type ProposalRow } from "../db/schema";
import { ApiError } from "../http/errors";
import { iso } from "../db/time";

/** Status of a proposal. */
export type ProposalStatus = ProposalRow["status"];
export const PROPOSAL_STATUSES = ["pending", "validated", "approved", "rejected", "applied", "rolled_back"] as const satisfies readonly ProposalStatus[];


/** A proposal as the API shows it. */
export function proposalView(r: ProposalRow) {
  return {
    id: r.id, type: r.type, status: r.status, alert_id: r.alertId, run_id: r.runId, base_version_id: r.baseVersionId,
    candidate_version_id: r.candidateVersionId, changes: r.changes, reason: r.reason, validation: r.validation ?? null,
    created_at: iso(r.createdAt), decided_by: r.decidedBy, decided_at: iso(r.decidedAt), decision_reason: r.decisionReason,
    applied_at: iso(r.appliedAt), applied_from_version_id: r.appliedFromVersionId, rolled_back_at: iso(r.rolledBackAt),
  };
}
export type ProposalView = ReturnType<typeof proposalView>;

export async function insertProposal(db: Database, row: ProposalRow): Promise<void> {
  await db.insert(proposals).values(row);
}

/** The proposal row. @throws ApiError 404 for an unknown id. */
export async function getProposalRow(db: Database, id: string): Promise<ProposalRow> {
  const row = await db.select().from(proposals).where(eq(proposals.id, id)).get();
  if (!row) throw new ApiError(404, "not_found", `No proposal ${id}`);
  return row;
}

/** A page of proposals, newest first, filtered by status and type. */
export async function listProposals(db: Database, o: { status?: ProposalStatus; type?: string; page: number; limit: number }): Promise<{ items: ProposalRow[]; total: number }> {
  const where = and(o.status ? eq(proposals.status, o.status) : undefined, o.type ? eq(proposals.type, o.type) : undefined);
  const [items, totals] = await Promise.all([
    db.select().from(proposals).where(where).orderBy(desc(proposals.createdAt), desc(proposals.id)).limit(o.limit).offset((o.page - 1) * o.limit).all(),
    db.select({ n: count() }).from(proposals).where(where).get(),
  ]);
  return { items, total: totals?.n ?? 0 };
}

/** Counts of proposals by status and by type. */
export async function proposalStats(db: Database): Promise<{ total: number; by_status: Record<string, number>; by_type: Record<string, number> }> {
  const rows = await db.select({ status: proposals.status, type: proposals.type, n: count() }).from(proposals).groupBy(proposals.status, proposals.type).all();
  const by_status: Record<string, number> = Object.fromEntries(PROPOSAL_STATUSES.map((s) => [s, 0]));
  const by_type: Record<string, number> = {};
  let total = 0;
  for (const r of rows) {
    by_status[r.status] = (by_status[r.status] ?? 0) + r.n;
    by_type[r.type] = (by_type[r.type] ?? 0) + r.n;
    total += r.n;
  }
  return { total, by_status, by_type };
}

/**
 * Moves a proposal from one of `from` to `set.status`, conditionally.
 *
 * @returns The updated row.
 * @throws ApiError 404 for an unknown id, 409 `conflict` when it is in another status.
 */
export async function transitionProposal(db: Database, id: string, from: readonly ProposalStatus[], set: Partial<ProposalRow> & { status: ProposalStatus }): Promise<ProposalRow> {
  const rows = await db.update(proposals).set(set).where(and(eq(proposals.id, id), inArray(proposals.status, [...from]))).returning().all();
  if (rows[0]) return rows[0];
  const current = await getProposalRow(db, id);
  throw new ApiError(409, "conflict", `Proposal ${id} is ${current.status}; this needs ${from.join(" or ")}`);
}

/** Sets the validation of a proposal (any status). */
export async function setValidation(db: Database, id: string, validation: Record<string, unknown>, status?: ProposalStatus, onlyIf?: ProposalStatus): Promise<ProposalRow | undefined> {
  const rows = await db
    .update(proposals)
    .set(status ? { validation, status } : { validation })
    .where(and(eq(proposals.id, id), onlyIf ? eq(proposals.status, onlyIf) : undefined))
    .returning()
    .all();
  return rows[0];
}

/** Proposals whose running validation uses the run. */
export async function proposalsValidatedBy(db: Database, runId: string): Promise<ProposalRow[]> {
  return db
    .select()
    .from(proposals)
    .where(sql`json_extract(${proposals.validation}, '$.status') = 'running' AND (json_extract(${proposals.validation}, '$.baseline_run_id') = ${runId} OR json_extract(${proposals.validation}, '$.candidate_run_id') = ${runId})`)
    .all();
}
