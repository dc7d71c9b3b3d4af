/**
 * `/api/users` (admin only, docs/access.md): list users, create one (`POST { email, role,
 * password? }` → 201; without a password one is generated and answered once as
 * `one_time_password`), change a role or disable (`PATCH /:id { role?, disabled? }`, which signs the
 * user out everywhere), delete (`DELETE /:id`). An admin cannot demote, disable or delete itself.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { createUser, deleteUser, listUsers, updateUser, userView } from "../auth/accounts";
import { ROLES } from "../auth/roles";
import { database } from "../db/client";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";

/** Shortest password accepted, characters (NIST SP 800-63B §5.1.1.2 asks for at least 8). */
export const MIN_PASSWORD_CHARS = 12;

export const CreateUserSchema = z.object({
  email: z.string().trim().email().max(254),
  role: z.enum(ROLES),
  password: z.string().min(MIN_PASSWORD_CHARS).max(1024).optional(),
}).strict();
export const UpdateUserSchema = z.object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() })
  .strict().refine((v) => v.role !== undefined || v.disabled !== undefined, { message: "role or disabled is required" });

function notSelf(c: Context<AppEnv>, id: string): void {
  if (c.get("principal").userId === id) throw new ApiError(409, "conflict", "An admin cannot change or delete its own account; ask another admin");
}

export const usersRoute = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ users: (await listUsers(database(c.env.DB))).map(userView) }))
  .post("/", validate("json", CreateUserSchema), async (c) => {
    const { user, password } = await createUser(database(c.env.DB), c.req.valid("json"));
    return c.json({ ...userView(user), ...(password ? { one_time_password: password } : {}) }, 201);
  })
  .patch("/:id", validate("json", UpdateUserSchema), async (c) => {
    notSelf(c, c.req.param("id"));
    return c.json(userView(await updateUser(database(c.env.DB), c.req.param("id"), c.req.valid("json"))));
  })
  .delete("/:id", async (c) => {
    notSelf(c, c.req.param("id"));
    await deleteUser(database(c.env.DB), c.req.param("id"));
    return c.json({ id: c.req.param("id"), deleted: true });
  });
