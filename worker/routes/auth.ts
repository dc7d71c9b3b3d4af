/**
 * `/api/auth` (docs/access.md): sign in with email and password, refresh, sign out, and who am I.
 * Sign-in and refresh answer the tokens in the body (machine clients) and set the HttpOnly
 * cookies (the web client). Sign-in attempts are rate limited per client address and per email
 * (the AUTH_RATE_LIMITER binding): 429 `rate_limited` with `retry-after`.
 */
import { Hono, type Context } from "hono";
import { getCookie } from "hono/cookie";
import { z } from "zod";
import { bumpTokenVersion, checkCredentials, userView } from "../auth/accounts";
import { clearAuthCookies, setAuthCookies } from "../auth/cookies";
import { clientAddress, limitOrThrow } from "../auth/rate-limits";
import { authMode, REFRESH_COOKIE } from "../auth/principal";
import { ACCESS_TOKEN_TTL_S, issueAccessToken, issueRefreshToken, jwtSecret, refreshTokenRow, revokeUserRefreshTokens, rotateRefreshToken } from "../auth/tokens";
import type { UserRow } from "../db/auth-schema";
import { database } from "../db/client";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";

/** Body of `POST /api/auth/login`. */
export const LoginSchema = z.object({ email: z.string().trim().email().max(254), password: z.string().min(1).max(1024) }).strict();
/** Body of `POST /api/auth/refresh` and `/logout`: the refresh token, else the cookie's. */
export const RefreshSchema = z.object({ refresh_token: z.string().min(1).max(200).optional() }).strict();

/** What sign-in and refresh answer. */
async function tokenBody(c: Context<AppEnv>, user: UserRow, refreshToken: string) {
  const accessToken = await issueAccessToken(c.env, user);
  setAuthCookies(c, accessToken, refreshToken);
  return { user: userView(user), access_token: accessToken, token_type: "Bearer" as const, expires_in: ACCESS_TOKEN_TTL_S, refresh_token: refreshToken };
}

export const authRoute = new Hono<AppEnv>()
  .post("/login", validate("json", LoginSchema), async (c) => {
    const { email, password } = c.req.valid("json");
    jwtSecret(c.env);
    await limitOrThrow(c.env, "AUTH_RATE_LIMITER", `ip:${clientAddress(c)}`);
    await limitOrThrow(c.env, "AUTH_RATE_LIMITER", `email:${email.toLowerCase()}`);
    const db = database(c.env.DB);
    const user = await checkCredentials(db, email, password);
    if (!user) throw new ApiError(401, "unauthorized", "Wrong email or password");
    return c.json(await tokenBody(c, user, await issueRefreshToken(db, user.id)));
  })
  .post("/refresh", validate("json", RefreshSchema.optional().default({})), async (c) => {
    const token = c.req.valid("json").refresh_token ?? getCookie(c, REFRESH_COOKIE);
    if (!token) throw new ApiError(401, "unauthorized", "No refresh token: send refresh_token or the refresh cookie");
    const { user, refreshToken } = await rotateRefreshToken(database(c.env.DB), token);
    return c.json(await tokenBody(c, user, refreshToken));
  })
  .post("/logout", validate("json", RefreshSchema.optional().default({})), async (c) => {
    // The user is the principal's, else the refresh token's: every access token and refresh token of theirs is revoked.
    const db = database(c.env.DB);
    let userId = c.get("principal")?.userId ?? null;
    const token = c.req.valid("json").refresh_token ?? getCookie(c, REFRESH_COOKIE);
    if (!userId && token) {
      userId = (await refreshTokenRow(db, token))?.userId ?? null;
    }
    clearAuthCookies(c);
    if (!userId) throw new ApiError(401, "unauthorized", "Nobody to sign out: send the access token, the refresh token or the cookies");
    await bumpTokenVersion(db, userId);
    await revokeUserRefreshTokens(db, userId);
    return c.json({ signed_out: true });
  })
  .get("/me", (c) => {
    const p = c.get("principal");
    return c.json({
      auth_mode: authMode(c.env), kind: p.kind, user: p.userId ? { id: p.userId, email: p.email, role: p.role } : null,
      role: p.role, permissions: p.permissions,
    });
  });
