/**
 * D1 storage of config versions, the deployment pointers and their audit log
 * (`migrations/0006_config_versions.sql`). Versions are immutable; a pointer moves only through
 * {@link deployVersion}, which writes the move and its audit row in one transaction.
 */
import { and, count, desc, eq, sql } from "drizzle-orm";
import { readConfig } from "../config";
import { invalidateDeployedConfig } from "../config-versions/deployed";
import { tunablesOf, TunablesSchema, type Tunables } from "../config-versions/tunables";
import { d1Of, type Database } from "../db/client";
import { configVersions, deploymentEvents, deployments, type ConfigVersionRow, type DeploymentEventRow } from "../db/schema";
import { ApiError, validationError } from "../http/errors";

/** The pointer the Worker reads. */
export const PRODUCTION = "production";

/** Actor of moves made by the Worker itself (the initial version). */
export const SYSTEM_ACTOR = "system";

/** Public view of a config version; `created_at` is ISO 8601. */
export interface ConfigVersionView {
  id: string;
  version: number;
  parent_id: string | null;
  values: Tunables;
  description: string;
  created_by: string;
  created_at: string;
  /** Whether the production pointer is on this version. */
  deployed: boolean;
}

/** Public view of one pointer move; `created_at` is ISO 8601. */
export interface DeploymentEventView {
  id: string;
  name: string;
  from_version_id: string | null;
  to_version_id: string;
  action: "deploy" | "rollback";
  actor: string;
  reason: string;
  created_at: string;
}

/** Public view of the production pointer, with its version and latest moves (newest first). */
export interface ProductionView {
  name: string;
  version: ConfigVersionView;
  updated_at: string;
  updated_by: string;
  events: DeploymentEventView[];
}

/** A version with its parsed tunables, as the Worker reads it. */
export interface DeployedVersion {
  id: string;
  version: number;
  values: Tunables;
}

function versionView(r: ConfigVersionRow, productionId: string | null): ConfigVersionView {
  return {
    id: r.id, version: r.version, parent_id: r.parentId, values: r.values as Tunables, description: r.description,
    created_by: r.createdBy, created_at: new Date(r.createdAt).toISOString(), deployed: r.id === productionId,
  };
}

function eventView(r: DeploymentEventRow): DeploymentEventView {
  return {
    id: r.id, name: r.name, from_version_id: r.fromVersionId, to_version_id: r.toVersionId, action: r.action,
    actor: r.actor, reason: r.reason, created_at: new Date(r.createdAt).toISOString(),
  };
}

/** The version id a pointer is on, or null when the pointer does not exist yet. */
async function pointer(db: Database, name: string): Promise<string | null> {
  const row = await db.select({ versionId: deployments.versionId }).from(deployments).where(eq(deployments.name, name)).get();
  return row?.versionId ?? null;
}

/** A version row by id, or undefined. */
async function versionRow(db: Database, id: string): Promise<ConfigVersionRow | undefined> {
  return db.select().from(configVersions).where(eq(configVersions.id, id)).get();
}

/**
 * The production pointer's version, with its tunables, in one query; null when no version has
 * been deployed yet.
 */
export async function readDeployed(db: Database): Promise<DeployedVersion | null> {
  const row = await db
    .select({ id: configVersions.id, version: configVersions.version, values: configVersions.values })
    .from(deployments)
    .innerJoin(configVersions, eq(configVersions.id, deployments.versionId))
    .where(eq(deployments.name, PRODUCTION))
    .get();
  return row ? { id: row.id, version: row.version, values: row.values as Tunables } : null;
}

/**
 * Makes sure production points to a version: when none exists, creates version 1 from the
 * tunables of the vars (`readConfig(env)`) and deploys it (action "deploy", actor "system").
 * Idempotent and race-safe: version numbers are unique (INSERT … ON CONFLICT DO NOTHING, then the
 * row is read back) and the first deployment is conditional on the pointer not existing, so
 * concurrent callers make exactly one version 1 and one audit row.
 *
 * @returns The deployed version.
 * @throws Error from readConfig when the vars are invalid; D1 errors.
 */
export async function ensureProduction(db: Database, env: Env): Promise<DeployedVersion> {
  const existing = await readDeployed(db);
  if (existing) return existing;
  const values = TunablesSchema.parse(tunablesOf(readConfig(env)));
  await db
    .insert(configVersions)
    .values({
      id: crypto.randomUUID(), version: 1, parentId: null, values, description: "initial version from wrangler vars",
      createdBy: SYSTEM_ACTOR, createdAt: Date.now(),
    })
    .onConflictDoNothing()
    .run();
  const first = await db.select().from(configVersions).where(eq(configVersions.version, 1)).get();
  if (!first) throw new Error("config version 1 is missing after its creation");
  try {
    await deployVersion(db, { versionId: first.id, actor: SYSTEM_ACTOR, reason: "initial version from wrangler vars", action: "deploy" });
  } catch (e) {
    // Another isolate deployed first (409); its pointer is read below.
    if (!(e instanceof ApiError && e.status === 409)) throw e;
  }
  const deployed = await readDeployed(db);
  if (!deployed) throw new Error("the production pointer is missing after the initial deployment");
  return deployed;
}

/** Versions newest first, one page, with the total count; `deployed` marks production's. */
export async function listVersions(db: Database, page: number, limit: number): Promise<{ versions: ConfigVersionView[]; total: number }> {
  const [rows, [{ total }], productionId] = await Promise.all([
    db.select().from(configVersions).orderBy(desc(configVersions.version)).limit(limit).offset((page - 1) * limit).all(),
    db.select({ total: count() }).from(configVersions).all(),
    pointer(db, PRODUCTION),
  ]);
  return { versions: rows.map((r) => versionView(r, productionId)), total };
}

/**
 * One version by id.
 *
 * @throws ApiError 404 `not_found` for an unknown id.
 */
export async function getVersion(db: Database, id: string): Promise<ConfigVersionView> {
  const [row, productionId] = await Promise.all([versionRow(db, id), pointer(db, PRODUCTION)]);
  if (!row) throw new ApiError(404, "not_found", `No config version ${id}`);
  return versionView(row, productionId);
}

/**
 * The production pointer: its version, when and by whom it was last moved, and its latest
 * `events` moves (newest first).
 *
 * @throws ApiError 404 `not_found` when nothing has been deployed yet (callers run
 *   {@link ensureProduction} first).
 */
export async function getProduction(db: Database, events = 20): Promise<ProductionView> {
  const [row, moves] = await Promise.all([
    db.select().from(deployments).where(eq(deployments.name, PRODUCTION)).get(),
    db.select().from(deploymentEvents).where(eq(deploymentEvents.name, PRODUCTION)).orderBy(desc(deploymentEvents.seq)).limit(events).all(),
  ]);
  if (!row) throw new ApiError(404, "not_found", "Nothing is deployed to production yet");
  const version = await versionRow(db, row.versionId);
  if (!version) throw new Error(`production points to a missing config version ${row.versionId}`);
  return {
    name: row.name, version: versionView(version, row.versionId), updated_at: new Date(row.updatedAt).toISOString(),
    updated_by: row.updatedBy, events: moves.map(eventView),
  };
}

/** Input of {@link createVersion}. */
export interface NewVersion {
  /** Tunables to change from the parent's (already checked to be tunable keys). */
  values: Record<string, string | number>;
  description: string;
  /** The version to start from; default: production's. */
  parentId?: string;
  actor: string;
}

/**
 * Creates a version (not deployed): the parent's tunables (default: production's) with `values`
 * applied, validated as a whole. The version number is the next one, chosen in the INSERT itself.
 *
 * @returns The new version.
 * @throws ApiError 404 for an unknown parent, 422 `invalid_request` when the merged tunables are
 *   invalid (details name each key under `values.`).
 */
export async function createVersion(db: Database, input: NewVersion): Promise<ConfigVersionView> {
  const parentId = input.parentId ?? (await pointer(db, PRODUCTION));
  if (!parentId) throw new ApiError(404, "not_found", "Nothing is deployed to production yet");
  const parent = await versionRow(db, parentId);
  if (!parent) throw new ApiError(404, "not_found", `No config version ${parentId}`);
  const parsed = TunablesSchema.safeParse({ ...parent.values, ...input.values });
  if (!parsed.success) {
    const e = validationError({ issues: parsed.error.issues.map((i) => ({ ...i, path: ["values", ...i.path] })) }, "config values");
    throw e;
  }
  const id = crypto.randomUUID();
  const now = Date.now();
  // The next version number within the statement: concurrent creations get distinct numbers or
  // fail on the UNIQUE constraint, and are retried.
  for (let attempt = 0; ; attempt++) {
    try {
      await db.run(sql`INSERT INTO config_versions (id, version, parent_id, "values", description, created_by, created_at)
        SELECT ${id}, COALESCE(MAX(version), 0) + 1, ${parent.id}, ${JSON.stringify(parsed.data)}, ${input.description}, ${input.actor}, ${now}
        FROM config_versions`);
      break;
    } catch (e) {
      if (attempt >= 3 || !/UNIQUE/i.test(String((e as Error)?.message) + String((e as Error)?.cause))) throw e;
    }
  }
  return getVersion(db, id);
}

/** Input of {@link deployVersion}. */
export interface DeployInput {
  versionId: string;
  /** Who moves the pointer (e.g. ADMIN_ACTOR, "system"). */
  actor: string;
  /** Why, for the audit log. */
  reason: string;
  action: "deploy" | "rollback";
  /** The pointer to move; default "production". */
  name?: string;
  /** When given, the move happens only while the pointer is on this version (409 otherwise). */
  expectedFromVersionId?: string;
  /**
   * Writes that belong to the move (e.g. a proposal's status), in the same D1 transaction:
   * `precondition` is an SQL boolean expression (with `?` parameters `params`) that must hold for
   * the move to happen; `then(event)` gives the statements run after the move, each of which must
   * itself be conditional on the event row existing (`EXISTS (SELECT 1 FROM deployment_events
   * WHERE id = ?)` with `event.id`), so that nothing is written when the move does not happen.
   */
  linked?: {
    precondition: { sql: string; params: unknown[] };
    then: (event: { id: string; fromVersionId: string | null; createdAt: number }) => D1PreparedStatement[];
  };
}

/**
 * Moves a pointer (default production) to a version and appends its audit row, in one D1
 * transaction conditional on the pointer not having moved since it was read (and on
 * `input.linked.precondition`, whose follow-up writes join the transaction); creates the pointer
 * when it does not exist. Then invalidates this isolate's cached production version
 * (`invalidateDeployedConfig`), so that the next request here runs with the new version; other
 * isolates see it within 60 s.
 *
 * @returns The audit row.
 * @throws ApiError 404 `not_found` for an unknown version; 409 `conflict` when the pointer is
 *   already on that version, is not on `expectedFromVersionId`, moved concurrently, or the linked
 *   precondition does not hold.
 */
export async function deployVersion(db: Database, input: DeployInput): Promise<DeploymentEventView> {
  const name = input.name ?? PRODUCTION;
  const target = await versionRow(db, input.versionId);
  if (!target) throw new ApiError(404, "not_found", `No config version ${input.versionId}`);
  const from = await pointer(db, name);
  if (from === input.versionId) throw new ApiError(409, "conflict", `${name} is already on version ${target.version}`);
  if (input.expectedFromVersionId !== undefined && from !== input.expectedFromVersionId) {
    throw new ApiError(409, "conflict", `${name} is no longer on the expected version; read it again`);
  }
  const event = {
    id: crypto.randomUUID(), name, fromVersionId: from, toVersionId: target.id, action: input.action,
    actor: input.actor, reason: input.reason, createdAt: Date.now(),
  };
  // The audit row, the move and the linked writes in one transaction, all conditional on the
  // pointer read above (the move and the linked writes through the audit row's existence).
  // The D1 binding under drizzle (drizzle's batch cannot take raw INSERT … SELECT statements).
  const d1 = d1Of(db);
  const unchanged = from === null
    ? { sql: "NOT EXISTS (SELECT 1 FROM deployments WHERE name = ?)", params: [name] }
    : { sql: "EXISTS (SELECT 1 FROM deployments WHERE name = ? AND version_id = ?)", params: [name, from] };
  const linked = input.linked?.precondition;
  const eventExists = "EXISTS (SELECT 1 FROM deployment_events WHERE id = ?)";
  const [, result] = await d1.batch([
    d1.prepare(`INSERT INTO deployment_events (id, name, from_version_id, to_version_id, action, actor, reason, created_at)
      SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ${unchanged.sql}${linked ? ` AND (${linked.sql})` : ""}`)
      .bind(event.id, name, from, target.id, event.action, event.actor, event.reason, event.createdAt, ...unchanged.params, ...(linked?.params ?? [])),
    from === null
      ? d1.prepare(`INSERT INTO deployments (name, version_id, updated_at, updated_by) SELECT ?, ?, ?, ? WHERE ${eventExists} ON CONFLICT DO NOTHING RETURNING name`)
        .bind(name, target.id, event.createdAt, event.actor, event.id)
      : d1.prepare(`UPDATE deployments SET version_id = ?, updated_at = ?, updated_by = ? WHERE name = ? AND version_id = ? AND ${eventExists} RETURNING name`)
        .bind(target.id, event.createdAt, event.actor, name, from, event.id),
    ...(input.linked?.then({ id: event.id, fromVersionId: from, createdAt: event.createdAt }) ?? []),
  ]);
  const moved = result?.results ?? [];
  if ((moved as unknown[]).length === 0) {
    throw new ApiError(409, "conflict", linked ? `${name} was not moved: it moved concurrently or the change it belongs to was decided meanwhile; read it again` : `${name} was moved concurrently; read it again`);
  }
  invalidateDeployedConfig();
  return eventView({ seq: 0, ...event });
}

/**
 * The version a rollback of production goes to: `versionId` when given (it must have been
 * deployed to production before and not be the current one), else the version production
 * pointed to before its latest move.
 *
 * @throws ApiError 404 for an unknown `versionId`; 409 `conflict` when there is nothing to roll
 *   back to (only the initial deployment) or `versionId` was never deployed or is the current one.
 */
export async function rollbackTarget(db: Database, versionId?: string): Promise<string> {
  const current = await pointer(db, PRODUCTION);
  if (versionId) {
    if (!(await versionRow(db, versionId))) throw new ApiError(404, "not_found", `No config version ${versionId}`);
    if (versionId === current) throw new ApiError(409, "conflict", "Production is already on that version");
    const deployedBefore = await db
      .select({ seq: deploymentEvents.seq })
      .from(deploymentEvents)
      .where(and(eq(deploymentEvents.name, PRODUCTION), eq(deploymentEvents.toVersionId, versionId)))
      .get();
    if (!deployedBefore) throw new ApiError(409, "conflict", "That version was never deployed to production; deploy it instead");
    return versionId;
  }
  const latest = await db
    .select()
    .from(deploymentEvents)
    .where(eq(deploymentEvents.name, PRODUCTION))
    .orderBy(desc(deploymentEvents.seq))
    .get();
  if (!latest?.fromVersionId || latest.toVersionId !== current) throw new ApiError(409, "conflict", "There is no earlier version to roll back to");
  return latest.fromVersionId;
}
