/**
 * Users in D1 (migrations/0015_accounts.sql): create, look up, check a password, change role,
 * disable, delete. Emails are compared case-insensitively (the column is COLLATE NOCASE).
 */
import { count, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { users, type UserRow } from "../db/auth-schema";
import { ApiError } from "../http/errors";
import { hashPassword, randomToken, verifyPassword } from "./crypto";
import type { Role } from "./roles";

/** A user as the API shows it (no hash, no salt). */
export interface UserView {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
  created_at: string;
}

export function userView(u: UserRow): UserView {
  return { id: u.id, email: u.email, role: u.role, disabled: u.disabledAt !== null, created_at: new Date(u.createdAt).toISOString() };
}

/** Length of a generated one-time password, characters (base64url of 18 random bytes). */
const GENERATED_PASSWORD_CHARS = 24;

/**
 * Creates a user. Without `password`, a random one is generated and returned once.
 *
 * @returns The user and, when generated, its password (never stored in clear).
 * @throws ApiError 409 `conflict` when the email is taken.
 */
export async function createUser(db: Database, input: { email: string; role: Role; password?: string }): Promise<{ user: UserRow; password?: string }> {
  const password = input.password ?? randomToken(18).slice(0, GENERATED_PASSWORD_CHARS);
  const hashed = await hashPassword(password);
  const row: UserRow = {
    id: crypto.randomUUID(), email: input.email.trim(), passwordHash: hashed.hash, passwordSalt: hashed.salt,
    passwordIterations: hashed.iterations, role: input.role, tokenVersion: 0, createdAt: Date.now(), disabledAt: null,
  };
  const inserted = await db.insert(users).values(row).onConflictDoNothing().returning().all();
  if (!inserted[0]) throw new ApiError(409, "conflict", `A user with the email ${row.email} exists already`);
  return { user: inserted[0], ...(input.password === undefined ? { password } : {}) };
}

/** The user with this id, or undefined. */
export async function getUser(db: Database, id: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get();
}

/** Number of users. */
export async function countUsers(db: Database): Promise<number> {
  return (await db.select({ n: count() }).from(users).get())?.n ?? 0;
}

/** All users, oldest first. */
export async function listUsers(db: Database): Promise<UserRow[]> {
  return db.select().from(users).orderBy(users.createdAt).all();
}

/**
 * The enabled user with this email and password, or null. A missing user costs one password hash
 * too, so that the answer's time does not tell which emails exist.
 */
export async function checkCredentials(db: Database, email: string, password: string): Promise<UserRow | null> {
  const user = await db.select().from(users).where(eq(users.email, email.trim())).get();
  if (!user) {
    await hashPassword(password);
    return null;
  }
  const ok = await verifyPassword(password, { hash: user.passwordHash, salt: user.passwordSalt, iterations: user.passwordIterations });
  return ok && user.disabledAt === null ? user : null;
}

/** Raises the user's token version: every access token issued before is refused from now on. */
export async function bumpTokenVersion(db: Database, userId: string): Promise<void> {
  const user = await getUser(db, userId);
  if (user) await db.update(users).set({ tokenVersion: user.tokenVersion + 1 }).where(eq(users.id, userId)).run();
}

/**
 * Changes a user's role or disables/enables it; either change signs the user out everywhere
 * (token version raised). @throws ApiError 404 unknown user.
 */
export async function updateUser(db: Database, id: string, change: { role?: Role; disabled?: boolean }): Promise<UserRow> {
  const user = await getUser(db, id);
  if (!user) throw new ApiError(404, "not_found", "User not found");
  const set: Partial<UserRow> = { tokenVersion: user.tokenVersion + 1 };
  if (change.role) set.role = change.role;
  if (change.disabled !== undefined) set.disabledAt = change.disabled ? Date.now() : null;
  const rows = await db.update(users).set(set).where(eq(users.id, id)).returning().all();
  return rows[0]!;
}

/** Deletes a user (its tokens, keys and session ownerships cascade). @throws ApiError 404. */
export async function deleteUser(db: Database, id: string): Promise<void> {
  const rows = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id }).all();
  if (!rows[0]) throw new ApiError(404, "not_found", "User not found");
}
