/**
 * Access tokens, refresh tokens and API keys (docs/access.md).
 *  - Access token: a JWT (RFC 7519) signed HS256 with the JWT_SECRET secret through `hono/jwt`,
 *    valid {@link ACCESS_TOKEN_TTL_S} s, with claims `sub` (user id), `role`, `ver` (the user's
 *    token version: logout raises it, refusing older tokens), `iat`, `exp`, `jti`.
 *  - Refresh token: 32 random bytes (base64url), stored as SHA-256, valid {@link REFRESH_TOKEN_TTL_MS};
 *    each refresh exchanges it for a new one of the same family, and presenting an already
 *    exchanged token again revokes the whole family (reuse detection, OAuth 2.0 Security BCP
 *    RFC 9700 §4.14.2), except within {@link REFRESH_REUSE_GRACE_MS} of its exchange: two tabs of
 *    one browser that refresh at the same instant send the same token, and both get a new one.
 *  - API key: `erk_` + 32 random bytes (base64url), stored as SHA-256, with scopes; revocable.
 */
import { and, eq, isNull } from "drizzle-orm";
import { sign, verify } from "hono/jwt";
import type { Database } from "../db/client";
import { apiKeys, refreshTokens, type ApiKeyRow, type RefreshTokenRow, type UserRow } from "../db/auth-schema";
import { ApiError } from "../http/errors";
import { getUser } from "./accounts";
import { randomToken, sha256Hex } from "./crypto";
import { ROLES, type Permission, type Role } from "./roles";

/** Lifetime of an access token, seconds (15 minutes). */
export const ACCESS_TOKEN_TTL_S = 15 * 60;
/** Lifetime of a refresh token, ms (30 days). */
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;
/**
 * How long after its exchange a refresh token may be exchanged again without counting as reuse,
 * ms (10 s): concurrent refreshes (two tabs sharing the cookie) send the same token within
 * milliseconds, a replay of a stolen token usually comes later. The window of reuse intervals such
 * as Auth0's "Reuse Interval".
 */
export const REFRESH_REUSE_GRACE_MS = 10_000;
/** Prefix of API keys, so that they are told from JWTs and found by secret scanners. */
export const API_KEY_PREFIX = "erk_";

/** The claims of an access token. */
export interface AccessClaims {
  sub: string;
  role: Role;
  ver: number;
  iat: number;
  exp: number;
  jti: string;
}

/** The JWT_SECRET secret. @throws ApiError 503 when it is not configured (or shorter than 32 characters). */
export function jwtSecret(env: Env): string {
  const secret = ((env as unknown as { JWT_SECRET?: string }).JWT_SECRET ?? "").trim();
  if (secret.length < 32) throw new ApiError(503, "auth_not_configured", "Accounts need the JWT_SECRET secret (at least 32 characters)");
  return secret;
}

/** Signs an access token for the user. */
export async function issueAccessToken(env: Env, user: UserRow, nowS = Math.floor(Date.now() / 1000)): Promise<string> {
  const claims: AccessClaims = { sub: user.id, role: user.role, ver: user.tokenVersion, iat: nowS, exp: nowS + ACCESS_TOKEN_TTL_S, jti: crypto.randomUUID() };
  return sign({ ...claims }, jwtSecret(env), "HS256");
}

/**
 * Verifies an access token: signature, expiry, and that its user exists, is enabled and still
 * has the token's version. The role is the user's current one.
 *
 * @returns The user, or null for any invalid, expired or revoked token.
 */
export async function verifyAccessToken(env: Env, db: Database, token: string): Promise<UserRow | null> {
  let claims: Partial<AccessClaims>;
  try {
    claims = (await verify(token, jwtSecret(env), "HS256")) as Partial<AccessClaims>;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    return null;
  }
  if (typeof claims.sub !== "string" || typeof claims.ver !== "number" || !ROLES.includes(claims.role as Role)) return null;
  const user = await getUser(db, claims.sub);
  if (!user || user.disabledAt !== null || user.tokenVersion !== claims.ver) return null;
  return user;
}

/** Creates a refresh token for the user, in a new family unless `familyId` is given. @returns The token (shown once). */
export async function issueRefreshToken(db: Database, userId: string, familyId: string = crypto.randomUUID()): Promise<string> {
  const token = randomToken(32);
  const now = Date.now();
  await db.insert(refreshTokens).values({
    id: crypto.randomUUID(), userId, familyId, tokenHash: await sha256Hex(token), expiresAt: now + REFRESH_TOKEN_TTL_MS, createdAt: now, usedAt: null, revokedAt: null,
  });
  return token;
}

/**
 * Exchanges a refresh token for a new one of the same family (rotation). A token exchanged
 * before (reuse) revokes its family, unless it was exchanged less than
 * {@link REFRESH_REUSE_GRACE_MS} ago (a concurrent refresh), which gets another new token.
 *
 * @returns The user and the new refresh token.
 * @throws ApiError 401 `unauthorized` for an unknown, expired, revoked or reused token, or a
 *   disabled user.
 */
export async function rotateRefreshToken(db: Database, token: string): Promise<{ user: UserRow; refreshToken: string }> {
  const row = await refreshTokenRow(db, token);
  const invalid = new ApiError(401, "unauthorized", "The refresh token is not valid; sign in again");
  if (!row || row.revokedAt !== null || row.expiresAt <= Date.now()) throw invalid;
  // Mark it used only if nobody did: two concurrent refreshes with one token are a reuse.
  const used = await db.update(refreshTokens).set({ usedAt: Date.now() })
    .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.usedAt))).returning({ id: refreshTokens.id }).all();
  if (!used[0]) {
    const again = await refreshTokenRow(db, token);
    const concurrent = again?.usedAt != null && again.revokedAt === null && Date.now() - again.usedAt < REFRESH_REUSE_GRACE_MS;
    if (!concurrent) {
      await revokeFamily(db, row.familyId);
      throw invalid;
    }
  }
  const user = await getUser(db, row.userId);
  if (!user || user.disabledAt !== null) throw invalid;
  return { user, refreshToken: await issueRefreshToken(db, user.id, row.familyId) };
}

/** The stored row of a refresh token (whatever its state), or undefined. */
export async function refreshTokenRow(db: Database, token: string): Promise<RefreshTokenRow | undefined> {
  return db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, await sha256Hex(token))).get();
}

/** Revokes every token of a refresh family. */
export async function revokeFamily(db: Database, familyId: string): Promise<void> {
  await db.update(refreshTokens).set({ revokedAt: Date.now() }).where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt))).run();
}

/** Revokes every refresh token of a user (logout). */
export async function revokeUserRefreshTokens(db: Database, userId: string): Promise<void> {
  await db.update(refreshTokens).set({ revokedAt: Date.now() }).where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt))).run();
}

/** An API key as the API shows it (never the key itself, except once at creation). */
export function apiKeyView(k: ApiKeyRow) {
  return {
    id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, created_at: new Date(k.createdAt).toISOString(),
    last_used_at: k.lastUsedAt === null ? null : new Date(k.lastUsedAt).toISOString(), revoked: k.revokedAt !== null,
  };
}

/** Creates an API key for the user. @returns The row and the key (shown once). */
export async function createApiKey(db: Database, userId: string, name: string, scopes: Permission[]): Promise<{ row: ApiKeyRow; key: string }> {
  const key = `${API_KEY_PREFIX}${randomToken(32)}`;
  const row: ApiKeyRow = {
    id: crypto.randomUUID(), userId, name, prefix: key.slice(0, 12), keyHash: await sha256Hex(key), scopes: [...new Set(scopes)],
    createdAt: Date.now(), lastUsedAt: null, revokedAt: null,
  };
  await db.insert(apiKeys).values(row);
  return { row, key };
}

/** The user's API keys, newest first. */
export async function listApiKeys(db: Database, userId: string): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(apiKeys.createdAt).all();
}

/** Revokes one of the user's API keys. @throws ApiError 404 when the user has no such key. */
export async function revokeApiKey(db: Database, userId: string, id: string): Promise<void> {
  const rows = await db.update(apiKeys).set({ revokedAt: Date.now() })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt))).returning({ id: apiKeys.id }).all();
  if (!rows[0]) throw new ApiError(404, "not_found", "API key not found");
}

/**
 * The user and scopes of a valid API key, or null (unknown, revoked, or its user disabled).
 * Records its last use (at most once a minute).
 */
export async function verifyApiKey(db: Database, key: string): Promise<{ user: UserRow; key: ApiKeyRow } | null> {
  const row = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, await sha256Hex(key))).get();
  if (!row || row.revokedAt !== null) return null;
  const user = await getUser(db, row.userId);
  if (!user || user.disabledAt !== null) return null;
  if (row.lastUsedAt === null || Date.now() - row.lastUsedAt > 60_000) {
    await db.update(apiKeys).set({ lastUsedAt: Date.now() }).where(eq(apiKeys.id, row.id)).run();
  }
  return { user, key: row };
}
