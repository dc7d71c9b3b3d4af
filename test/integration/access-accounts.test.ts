/**
 * Accounts with AUTH_MODE=accounts (docs/access.md): sign-in with cookies, refresh-token rotation
 * with reuse detection, sign-out that refuses the old access token, disabled users, API keys,
 * sessions owned by their user over HTTP and WebSocket, the sign-in rate limit, body limits, and
 * production refusing AUTH_MODE=open.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashPassword, sha256Hex, verifyPassword } from "../../worker/auth/crypto";
import { REFRESH_REUSE_GRACE_MS } from "../../worker/auth/tokens";
import { refusesOpenMode } from "../../worker/http/auth";
import { ADMIN, api } from "../support/api";
import { createUser, nextAddress } from "../support/accounts";
import { connect } from "../support/socket";

/** Moves the exchange time of a refresh token `ms` into the past (as if that much time had gone by since its refresh). */
async function usedAgo(token: string, ms: number) {
  await env.DB.prepare("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?").bind(Date.now() - ms, await sha256Hex(token)).run();
}

describe("sign-in, refresh, sign-out", () => {
  it("signs in with HttpOnly cookies and the tokens in the body; wrong passwords get 401", async () => {
    const u = await createUser("viewer");
    const wrong = await api("POST", "/api/auth/login", { email: u.email, password: "not-the-password" }, nextAddress());
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toEqual({ code: "unauthorized", message: "Wrong email or password" });
    const unknown = await api("POST", "/api/auth/login", { email: "nobody@example.com", password: "whatever-it-is" }, nextAddress());
    expect(unknown.body.error.message).toBe("Wrong email or password");

    const login = await api("POST", "/api/auth/login", { email: u.email.toUpperCase(), password: u.password }, nextAddress());
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ user: { email: u.email, role: "viewer", disabled: false }, token_type: "Bearer", expires_in: 900 });
    const cookies = login.headers.getSetCookie();
    const access = cookies.find((c) => c.startsWith("edge_rag_access="))!;
    const refresh = cookies.find((c) => c.startsWith("edge_rag_refresh="))!;
    for (const c of [access, refresh]) expect(c).toMatch(/HttpOnly/i), expect(c).toMatch(/SameSite=Strict/i);
    expect(refresh).toMatch(/Path=\/api\/auth/);
    // The cookie alone authenticates, as the web client does.
    const me = await api("GET", "/api/auth/me", undefined, { cookie: access.split(";")[0] });
    expect(me.body).toMatchObject({ kind: "user", user: { email: u.email, role: "viewer" }, permissions: ["chat"] });
  });

  it("rotates refresh tokens and revokes the family when an exchanged token comes back", async () => {
    const u = await createUser("editor");
    const first = await api("POST", "/api/auth/refresh", { refresh_token: u.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(u.refreshToken);
    expect((await api("GET", "/api/documents", undefined, { authorization: `Bearer ${first.body.access_token}` })).status).toBe(200);
    // The exchanged token again, after the reuse grace: refused, and the token it was exchanged for dies with it.
    await usedAgo(u.refreshToken, REFRESH_REUSE_GRACE_MS + 1000);
    expect((await api("POST", "/api/auth/refresh", { refresh_token: u.refreshToken })).status).toBe(401);
    expect((await api("POST", "/api/auth/refresh", { refresh_token: first.body.refresh_token })).status).toBe(401);
  });

  it("gives both of two concurrent refreshes with one token a new token (two tabs), and keeps the family", async () => {
    const u = await createUser("editor");
    const [a, b] = await Promise.all([0, 1].map(() => api("POST", "/api/auth/refresh", { refresh_token: u.refreshToken })));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.refresh_token).not.toBe(b.body.refresh_token);
    // Both new tokens work, and so do their successors.
    for (const r of [a, b]) {
      expect((await api("GET", "/api/documents", undefined, { authorization: `Bearer ${r.body.access_token}` })).status).toBe(200);
      expect((await api("POST", "/api/auth/refresh", { refresh_token: r.body.refresh_token })).status).toBe(200);
    }
  });

  it("signs out: the old access token and the refresh token are refused afterwards", async () => {
    const u = await createUser("viewer");
    expect((await api("GET", "/api/documents", undefined, u.auth)).status).toBe(200);
    const out = await api("POST", "/api/auth/logout", {}, u.auth);
    expect(out.body).toEqual({ signed_out: true });
    const after = await api("GET", "/api/documents", undefined, u.auth);
    expect(after.status).toBe(401);
    expect((await api("POST", "/api/auth/refresh", { refresh_token: u.refreshToken })).status).toBe(401);
    // Signing in again works.
    expect((await api("POST", "/api/auth/login", { email: u.email, password: u.password }, nextAddress())).status).toBe(200);
  });

  it("refuses a disabled user's tokens and sign-in, and a role change applies to new tokens only", async () => {
    const u = await createUser("editor");
    const disabled = await api("PATCH", `/api/users/${u.id}`, { disabled: true }, ADMIN);
    expect(disabled.body).toMatchObject({ disabled: true });
    expect((await api("GET", "/api/documents", undefined, u.auth)).status).toBe(401);
    expect((await api("POST", "/api/auth/login", { email: u.email, password: u.password }, nextAddress())).status).toBe(401);
    await api("PATCH", `/api/users/${u.id}`, { disabled: false, role: "viewer" }, ADMIN);
    const again = await api("POST", "/api/auth/login", { email: u.email, password: u.password }, nextAddress());
    const auth = { authorization: `Bearer ${again.body.access_token}` };
    expect((await api("POST", "/api/documents", {}, auth)).status).toBe(403);
  });

  it("stores PBKDF2 hashes, never the password", async () => {
    const u = await createUser("viewer");
    const row = await env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(u.id).first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(u.password);
    expect(row).toMatchObject({ password_iterations: 100_000 });
    const h = await hashPassword("correct horse battery staple");
    expect(await verifyPassword("correct horse battery staple", h)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", h)).toBe(false);
  });
});

describe("users and API keys", () => {
  it("creates a user with a one-time password, refuses duplicates and an admin changing itself", async () => {
    const created = await api("POST", "/api/users", { email: "otp@example.com", role: "viewer" }, ADMIN);
    expect(created.status).toBe(201);
    expect(created.body.one_time_password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const login = await api("POST", "/api/auth/login", { email: "otp@example.com", password: created.body.one_time_password }, nextAddress());
    expect(login.status).toBe(200);
    expect((await api("POST", "/api/users", { email: "OTP@example.com", role: "admin" }, ADMIN)).status).toBe(409);
    expect((await api("POST", "/api/users", { email: "short@example.com", role: "admin", password: "short" }, ADMIN)).status).toBe(422);
    const admin = await createUser("admin");
    expect((await api("PATCH", `/api/users/${admin.id}`, { role: "viewer" }, admin.auth)).status).toBe(409);
    expect((await api("GET", "/api/users", undefined, admin.auth)).body.users.some((x: any) => x.email === "otp@example.com")).toBe(true);
  });

  it("issues scoped API keys, shows them once, and revokes them", async () => {
    const u = await createUser("editor");
    expect((await api("POST", "/api/auth/api-keys", { name: "too much", scopes: ["admin"] }, u.auth)).status).toBe(403);
    const created = await api("POST", "/api/auth/api-keys", { name: "ingest bot" }, u.auth);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "ingest bot", scopes: ["chat", "write"], revoked: false });
    expect(created.body.key).toMatch(/^erk_/);
    const key = { authorization: `Bearer ${created.body.key}` };
    expect((await api("POST", "/api/documents", { content: "A page about keys.", source: "keys.md" }, key)).status).toBe(201);
    const listed = (await api("GET", "/api/auth/api-keys", undefined, u.auth)).body.api_keys;
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.body.key);
    expect(listed[0].last_used_at).not.toBeNull();
    // Keys manage nothing themselves; the user revokes.
    expect((await api("GET", "/api/auth/api-keys", undefined, key)).status).toBe(403);
    expect((await api("DELETE", `/api/auth/api-keys/${created.body.id}`, undefined, u.auth)).status).toBe(200);
    expect((await api("GET", "/api/documents", undefined, key)).status).toBe(401);
    // Another user cannot revoke it.
    const other = await createUser("editor");
    expect((await api("DELETE", `/api/auth/api-keys/${created.body.id}`, undefined, other.auth)).status).toBe(404);
  });
});

describe("owned sessions", () => {
  it("gives another user 404 for a session, over HTTP and WebSocket", async () => {
    const [a, b] = [await createUser("viewer"), await createUser("viewer")];
    const asked = await api("POST", "/api/chat", { query: "What is a span?", session_id: "owned-by-a" }, a.auth);
    expect(asked.status).toBe(200);
    expect((await api("GET", "/api/chat/owned-by-a", undefined, a.auth)).status).toBe(200);
    for (const [method, path, body] of [
      ["GET", "/api/chat/owned-by-a", undefined],
      ["DELETE", "/api/chat/owned-by-a", undefined],
      ["POST", "/api/chat", { query: "hijack", session_id: "owned-by-a" }],
      ["POST", "/api/feedback", { session_id: "owned-by-a", message_id: "m", rating: "up" }],
      ["GET", "/api/feedback?session_id=owned-by-a", undefined],
    ] as const) {
      const r = await api(method, path, body, b.auth);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body.error.code).toBe("not_found");
    }
    const ws = await api("GET", "/ws/chat/owned-by-a", undefined, { ...b.auth, upgrade: "websocket" });
    expect(ws.status).toBe(404);
    // The owner's WebSocket opens; its history is intact after B's attempts.
    const socket = await connect("owned-by-a", a.auth);
    socket.ws.close();
    const history = await api("GET", "/api/chat/owned-by-a", undefined, a.auth);
    expect(history.body.messages.map((m: any) => m.content)).not.toContain("hijack");
    expect(history.body.messages).toHaveLength(2);
  });

  it("lists a user's conversations on every device: titled by the first question, newest first, renamed, gone once deleted", async () => {
    const [a, b] = [await createUser("viewer"), await createUser("viewer")];
    expect((await api("POST", "/api/chat", { query: "What is a span?", session_id: "list-a1" }, a.auth)).status).toBe(200);
    // A turn over the WebSocket counts as activity too, and names a new conversation the same way.
    const socket = await connect("list-a2", a.auth);
    socket.send({ type: "question", query: "How  does   tail sampling decide?", turn_id: "t" });
    await socket.next("answer");
    socket.ws.close();
    expect((await api("POST", "/api/chat", { query: "And what is a trace?", session_id: "list-a1" }, a.auth)).status).toBe(200);

    const list = async (auth: Record<string, string>) => (await api("GET", "/api/chat", undefined, auth)).body.sessions as { session_id: string; title: string; updated_at: string }[];
    const mine = await list(a.auth);
    expect(mine.map((s) => [s.session_id, s.title])).toEqual([["list-a1", "What is a span?"], ["list-a2", "How does tail sampling decide?"]]);
    expect(Date.parse(mine[0].updated_at)).toBeGreaterThanOrEqual(Date.parse(mine[1].updated_at));
    expect(await list(b.auth)).toEqual([]);

    const renamed = await api("PATCH", "/api/chat/list-a2", { title: "  Sampling   questions " }, a.auth);
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ session_id: "list-a2", title: "Sampling questions" });
    expect((await api("PATCH", "/api/chat/list-a2", { title: "mine now" }, b.auth)).status).toBe(404);
    expect((await api("PATCH", "/api/chat/list-a2", { title: "   " }, a.auth)).status).toBe(422);
    expect((await list(a.auth)).find((s) => s.session_id === "list-a2")?.title).toBe("Sampling questions");

    expect((await api("DELETE", "/api/chat/list-a1", undefined, a.auth)).status).toBe(200);
    expect((await list(a.auth)).map((s) => s.session_id)).toEqual(["list-a2"]);
  });
});

describe("limits", () => {
  it("limits sign-in attempts per address: 429 with retry-after in the error shape", async () => {
    const address = { "cf-connecting-ip": "203.0.113.77" };
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await api("POST", "/api/auth/login", { email: `guess-${i}@example.com`, password: "guess-guess" }, address);
      statuses.push(r.status);
      if (r.status === 429) {
        expect(r.headers.get("retry-after")).toBe("60");
        expect(r.body.error.code).toBe("rate_limited");
      }
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it("refuses oversized bodies with 413 before reading them", async () => {
    const u = await createUser("viewer");
    const r = await api("POST", "/api/chat", { query: "x".repeat(300 * 1024) }, u.auth);
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe("payload_too_large");
  });

  it("refuses AUTH_MODE=open in production", () => {
    expect(refusesOpenMode({ ENVIRONMENT: "production", AUTH_MODE: "open" } as unknown as Env)).toBe(true);
    expect(refusesOpenMode({ ENVIRONMENT: "production", AUTH_MODE: "accounts" } as unknown as Env)).toBe(false);
    expect(refusesOpenMode({ ENVIRONMENT: "development", AUTH_MODE: "open" } as unknown as Env)).toBe(false);
  });
});
