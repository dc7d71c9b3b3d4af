/** Accounts for the tests that run with AUTH_MODE=accounts (vitest.config.ts, project `accounts`). */
import { expect } from "vitest";
import type { Role } from "../../worker/auth/roles";
import { ADMIN, api } from "./api";

/** A signed-in test user: its id, email, password, tokens and Authorization header. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  accessToken: string;
  refreshToken: string;
  auth: Record<string, string>;
}

let address = 0;
/** A distinct client address per sign-in, so that the per-address sign-in limit is not what a test meets. */
export function nextAddress(): Record<string, string> {
  address++;
  return { "cf-connecting-ip": `198.51.100.${address % 250}` };
}

/** Creates a user through `POST /api/users` (as the ADMIN_TOKEN) and signs it in. */
export async function createUser(role: Role, email = `${role}-${crypto.randomUUID().slice(0, 8)}@example.com`): Promise<TestUser> {
  const password = `pw-${crypto.randomUUID()}`;
  const created = await api("POST", "/api/users", { email, role, password }, ADMIN);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const login = await api("POST", "/api/auth/login", { email, password }, nextAddress());
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return {
    id: created.body.id, email, password, role, accessToken: login.body.access_token, refreshToken: login.body.refresh_token,
    auth: { authorization: `Bearer ${login.body.access_token}` },
  };
}
