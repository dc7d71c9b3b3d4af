/** Request schemas of `/api/config` (worker/routes/config.ts). */
import { z } from "zod";
import { TunableChangesSchema } from "./tunables";

const Reason = z.string().trim().min(1).max(1000);
const VersionId = z.string().min(1).max(64);

/** Query string of `GET /api/config/versions`. */
export const ListVersionsQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** Query string of `GET /api/config/production`: how many of the latest moves to include. */
export const ProductionQuerySchema = z.object({
  events: z.coerce.number().int().min(0).max(200).default(20),
});

/**
 * Body of `POST /api/config/versions`: changes to the parent's tunables (default parent:
 * production's version) and a description of the version.
 */
export const CreateVersionRequestSchema = z.object({
  values: TunableChangesSchema,
  description: z.string().trim().min(1).max(1000),
  parent_id: VersionId.optional(),
}).strict();
export type CreateVersionRequest = z.infer<typeof CreateVersionRequestSchema>;

/** Body of `POST /api/config/deploy`. */
export const DeployRequestSchema = z.object({ version_id: VersionId, reason: Reason }).strict();

/** Body of `POST /api/config/rollback`: to the previous version, or to an earlier deployed `version_id`. */
export const RollbackRequestSchema = z.object({ reason: Reason, version_id: VersionId.optional() }).strict();
