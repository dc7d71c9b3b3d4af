/**
 * `/api/admin/session`: the dashboard's sign-in with the admin token (worker/http/admin.ts).
 * `POST {token}` checks it and sets the HttpOnly session cookie, `GET` tells whether this browser
 * is signed in, `DELETE` signs out. The token itself never reaches the page's JavaScript again.
 */
import { Hono } from "hono";
import { z } from "zod";
import { adminSessionExpiry, endAdminSession, isAdminToken, startAdminSession } from "../http/admin";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";

/** Body of `POST /api/admin/session`. */
export const AdminSignInSchema = z.object({ token: z.string().min(1).max(500) }).strict();

/** What the session endpoints answer: whether the caller is the admin, and until when (ISO). */
export interface AdminSessionBody {
  admin: boolean;
  expires_at: string | null;
}

const body = (expires: number | null): AdminSessionBody => ({ admin: expires !== null, expires_at: expires === null ? null : new Date(expires).toISOString() });

export const adminSessionRoute = new Hono<AppEnv>()
  .get("/", async (c) => c.json(body(await adminSessionExpiry(c))))
  .post("/", validate("json", AdminSignInSchema), async (c) => {
    if (!isAdminToken(c, c.req.valid("json").token)) throw new ApiError(403, "forbidden", "The admin token is not valid");
    return c.json(body(await startAdminSession(c)));
  })
  .delete("/", (c) => {
    endAdminSession(c);
    return c.json(body(null));
  });
