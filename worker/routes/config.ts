/**
 * `/api/config`: config versions and the production pointer, all for the admin (worker/http/admin.ts,
 * checked in worker/app.ts). A deploy or rollback is
 * seen at once by this isolate and within 60 s by the others (worker/config-versions/deployed.ts).
 */
import { Hono } from "hono";
import { CreateVersionRequestSchema, DeployRequestSchema, ListVersionsQuerySchema, ProductionQuerySchema, RollbackRequestSchema } from "../config-versions/schemas";
import { database } from "../db/client";
import { actorOf } from "../http/auth";
import type { AppEnv } from "../http/context";
import { validate } from "../http/validate";
import { createVersion, deployVersion, ensureProduction, getProduction, getVersion, listVersions, rollbackTarget } from "../storage/config-versions";

export const configRoute = new Hono<AppEnv>()
  .get("/versions", validate("query", ListVersionsQuerySchema), async (c) => {
    const { page, limit } = c.req.valid("query");
    const db = database(c.env.DB);
    await ensureProduction(db, c.env);
    const { versions, total } = await listVersions(db, page, limit);
    return c.json({ versions, page, limit, total });
  })
  .get("/versions/:id", async (c) => c.json(await getVersion(database(c.env.DB), c.req.param("id"))))
  .get("/production", validate("query", ProductionQuerySchema), async (c) => {
    const db = database(c.env.DB);
    await ensureProduction(db, c.env);
    return c.json(await getProduction(db, c.req.valid("query").events));
  })
  .post("/versions", validate("json", CreateVersionRequestSchema), async (c) => {
    const body = c.req.valid("json");
    const db = database(c.env.DB);
    await ensureProduction(db, c.env);
    const version = await createVersion(db, { values: body.values, description: body.description, parentId: body.parent_id, actor: actorOf(c) });
    return c.json(version, 201);
  })
  .post("/deploy", validate("json", DeployRequestSchema), async (c) => {
    const { version_id, reason } = c.req.valid("json");
    const db = database(c.env.DB);
    await ensureProduction(db, c.env);
    const event = await deployVersion(db, { versionId: version_id, actor: actorOf(c), reason, action: "deploy" });
    return c.json({ event, production: await getProduction(db) });
  })
  .post("/rollback", validate("json", RollbackRequestSchema), async (c) => {
    const { reason, version_id } = c.req.valid("json");
    const db = database(c.env.DB);
    await ensureProduction(db, c.env);
    const target = await rollbackTarget(db, version_id);
    const event = await deployVersion(db, { versionId: target, actor: actorOf(c), reason, action: "rollback" });
    return c.json({ event, production: await getProduction(db) });
  });
