/** The pure part of the daily model caps (worker/usage/caps.ts): day key, reset, tokens, cap decision. */
import { describe, expect, it } from "vitest";
import { estimateTokens, exceededCap, exceededMessage, messageChars, nextUtcMidnight, secondsUntilReset, tokensOf, utcDayKey, type DailyCaps } from "../../worker/usage/caps";

const caps: DailyCaps = { callsPerUser: 10, tokensPerUser: 1000, callsPerSession: 5, tokensPerSession: 500 };

describe("daily model caps", () => {
  it("keys counters by UTC day and resets at the next UTC midnight", () => {
    const t = Date.UTC(2025, 2, 31, 23, 59, 30, 500);
    expect(utcDayKey(t)).toBe("2025-03-31");
    expect(utcDayKey(Date.UTC(2025, 3, 1))).toBe("2025-04-01");
    expect(nextUtcMidnight(t)).toBe(Date.UTC(2025, 3, 1));
    expect(nextUtcMidnight(Date.UTC(2025, 3, 1))).toBe(Date.UTC(2025, 3, 2));
    expect(secondsUntilReset(t)).toBe(30); // 29.5 s, rounded up
    expect(secondsUntilReset(Date.UTC(2025, 3, 1))).toBe(86_400);
    expect(secondsUntilReset(Date.UTC(2025, 3, 2) - 1)).toBe(1);
  });

  it("takes tokens from usage, else estimates ceil(chars / 4)", () => {
    expect(tokensOf({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 99 }, 1000, 1000)).toBe(15);
    expect(tokensOf({ prompt_tokens: 7 }, 1000, 1000)).toBe(7);
    expect(tokensOf({ total_tokens: 42 }, 1000, 1000)).toBe(42);
    expect(tokensOf(undefined, 10, 1)).toBe(3 + 1);
    expect(tokensOf({ prompt_tokens: "12", total_tokens: -1 }, 8, 0)).toBe(2);
    expect(estimateTokens(0)).toBe(0);
    expect(estimateTokens(4)).toBe(1);
    expect(estimateTokens(5)).toBe(2);
    expect(messageChars([{ content: "abcd" }, { content: "ef" }, { content: null }])).toBe(6);
  });

  it("refuses once a count reaches its cap, user before session; 0 and a missing user never refuse", () => {
    const zero = { calls: 0, tokens: 0 };
    expect(exceededCap(caps, { user: zero, session: zero })).toBeNull();
    expect(exceededCap(caps, { user: { calls: 9, tokens: 999 }, session: { calls: 4, tokens: 499 } })).toBeNull();
    expect(exceededCap(caps, { user: zero, session: { calls: 5, tokens: 0 } })).toEqual({ scope: "session", metric: "calls", limit: 5, used: 5 });
    expect(exceededCap(caps, { user: zero, session: { calls: 0, tokens: 800 } })).toEqual({ scope: "session", metric: "tokens", limit: 500, used: 800 });
    expect(exceededCap(caps, { user: { calls: 10, tokens: 0 }, session: { calls: 5, tokens: 0 } })).toMatchObject({ scope: "user", metric: "calls" });
    expect(exceededCap(caps, { user: { calls: 0, tokens: 1000 }, session: zero })).toMatchObject({ scope: "user", metric: "tokens" });
    // No user (AUTH_MODE=open): only the session's caps.
    expect(exceededCap(caps, { user: null, session: { calls: 4, tokens: 0 } })).toBeNull();
    const none: DailyCaps = { callsPerUser: 0, tokensPerUser: 0, callsPerSession: 0, tokensPerSession: 0 };
    expect(exceededCap(none, { user: { calls: 1e9, tokens: 1e9 }, session: { calls: 1e9, tokens: 1e9 } })).toBeNull();
  });

  it("names the cap and its reset in the message", () => {
    const now = Date.UTC(2025, 5, 1, 12);
    expect(exceededMessage({ scope: "session", metric: "calls", limit: 5, used: 6 }, now)).toBe(
      "Daily cap of 5 model calls per session reached (6 used today); it resets at 2025-06-02T00:00:00.000Z (next UTC midnight)",
    );
  });
});
