/**
 * Fault: 10,000 sign-in attempts (AUTH_MODE=accounts, project `accounts`). The AUTH_RATE_LIMITER
 * binding (10 a minute per client address and per email, wrangler.toml) must answer 429
 * `rate_limited` with `retry-after` to all but the first few, before any password is hashed, and
 * nothing else may break: other users still sign in, sessions and /health still answer, and no
 * attempt gets a 5xx. Half the attempts come from one address against many emails (password
 * spraying), half from many addresses against one email (credential stuffing), sent concurrently
 * in batches through the Worker in-process.
 */
import { describe, expect, it } from "vitest";
import { api } from "../support/api";
import { createUser } from "../support/accounts";

const ATTEMPTS = 10_000;
const CONCURRENCY = 200;

describe("10,000 sign-in attempts", () => {
  it("are rate limited per address and per email; everything else keeps working", async () => {
    const victim = await createUser("viewer");
    const bystander = await createUser("editor");
    const statuses: Record<number, number> = {};
    let missingRetryAfter = 0;
    let badBodies = 0;
    const attempt = async (i: number) => {
      const spraying = i % 2 === 0;
      const headers = { "cf-connecting-ip": spraying ? "203.0.113.66" : `2001:db8::${(i % 60000).toString(16)}` };
      const email = spraying ? `nobody-${i}@example.com` : victim.email;
      const res = await api("POST", "/api/auth/login", { email, password: `guess-${i}` }, headers);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 429) {
        if (res.headers.get("retry-after") !== "60") missingRetryAfter++;
        if (res.body?.error?.code !== "rate_limited") badBodies++;
      } else if (res.status === 401) {
        if (res.body?.error?.message !== "Wrong email or password") badBodies++;
      }
    };
    const started = performance.now();
    for (let i = 0; i < ATTEMPTS; i += CONCURRENCY) {
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ATTEMPTS - i) }, (_, k) => attempt(i + k)));
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(JSON.stringify({ attempts: ATTEMPTS, seconds: Math.round(seconds * 10) / 10, per_second: Math.round(ATTEMPTS / seconds), statuses }));

    expect(Object.keys(statuses).sort()).toEqual(["401", "429"]); // no 5xx, no 200 (every guess is wrong)
    // At most 10 a minute from the spraying address and 10 a minute for the victim's email reach the
    // password check: 20 per 60 s window the run touches (a run of s seconds touches up to s/60 + 2).
    const windows = Math.floor(seconds / 60) + 2;
    expect(statuses[401]).toBeLessThanOrEqual(20 * windows);
    expect(statuses[429]).toBeGreaterThanOrEqual(ATTEMPTS - 20 * windows);
    expect(missingRetryAfter).toBe(0);
    expect(badBodies).toBe(0);

    // Nothing else broke: another user from another address signs in and chats; /health answers.
    const login = await api("POST", "/api/auth/login", { email: bystander.email, password: bystander.password }, { "cf-connecting-ip": "192.0.2.10" });
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${login.body.access_token}` };
    expect((await api("GET", "/api/auth/me", undefined, auth)).body.user.email).toBe(bystander.email);
    expect((await api("GET", "/health")).status).toBe(200);
    // The victim's existing tokens still work: the flood locked out sign-ins, not the account.
    expect((await api("GET", "/api/auth/me", undefined, victim.auth)).status).toBe(200);
    // …and the victim's own sign-in is refused for now, with the same clear error.
    const locked = await api("POST", "/api/auth/login", { email: victim.email, password: victim.password }, { "cf-connecting-ip": "192.0.2.11" });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toEqual({ code: "rate_limited", message: "Too many requests; try again in 60 s" });
  }, 300_000);
});
