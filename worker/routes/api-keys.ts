/**
 * `/api/auth/api-keys` (docs/access.md): a signed-in user's API keys for machine clients. `POST
 * { name, scopes? }` → 201 with the key, shown this once (scopes default to, and may not exceed,
 * the user's permissions); `GET` lists them (never the key); `DELETE /:id` revokes one.
 * Needs a user: the ADMIN_TOKEN and AUTH_MODE=open's anonymous have no keys (403).
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { PERMISSIONS, permissionsOf } from "../auth/roles";
import { apiKeyView, createApiKey, listApiKeys, revokeApiKey } from "../auth/tokens";
import { database } from "../db/client";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";

/** Body of `POST /api/auth/api-keys`. */
export const CreateApiKeySchema = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(PERMISSIONS)).min(1).max(PERMISSIONS.length).optional(),
}).strict();

function userOf(c: Context<AppEnv>) {
  const p = c.get("principal");
  if (p.kind !== "user" || !p.userId || !p.role) throw new ApiError(403, "forbidden", "API keys belong to a signed-in user (not to an API key, the admin token or an anonymous request)");
  return { id: p.userId, role: p.role };
}

export const apiKeysRoute = new Hono<AppEnv>()
  .post("/", validate("json", CreateApiKeySchema), async (c) => {
    const user = userOf(c);
    const granted = permissionsOf(user.role);
    const { name, scopes = granted } = c.req.valid("json");
    const beyond = scopes.filter((s) => !granted.includes(s));
    if (beyond.length) throw new ApiError(403, "forbidden", `Your role does not grant ${beyond.join(", ")}`);
    const { row, key } = await createApiKey(database(c.env.DB), user.id, name, scopes);
    return c.json({ ...apiKeyView(row), key }, 201);
  })
  .get("/", async (c) => c.json({ api_keys: (await listApiKeys(database(c.env.DB), userOf(c).id)).map(apiKeyView) }))
  .delete("/:id", async (c) => {
    await revokeApiKey(database(c.env.DB), userOf(c).id, c.req.param("id"));
    return c.json({ id: c.req.param("id"), revoked: true });
  });
