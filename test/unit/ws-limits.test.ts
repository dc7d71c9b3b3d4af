/** The chat WebSocket's frame size and rate limits (durable-objects/ws-limits.ts). */
import { describe, expect, it } from "vitest";
import { admitFrame, frameBytes, oversizeError, rateLimitedError, WS_FRAME_LIMIT, WS_FRAME_WINDOW_MS, WS_MAX_FRAME_BYTES } from "../../durable-objects/ws-limits";

describe("frame size", () => {
  it("counts UTF-8 bytes of text frames and bytes of binary frames", () => {
    expect(frameBytes("abc")).toBe(3);
    expect(frameBytes("한국어")).toBe(9);
    expect(frameBytes("😀")).toBe(4);
    expect(frameBytes(new Uint8Array(7).buffer)).toBe(7);
    // longer than the limit in UTF-16 units: over it whatever it holds, not encoded
    expect(frameBytes("x".repeat(WS_MAX_FRAME_BYTES + 5))).toBe(WS_MAX_FRAME_BYTES + 5);
  });

  it("refuses frames over 16 KiB only; the longest valid question fits", () => {
    expect(WS_MAX_FRAME_BYTES).toBe(16 * 1024);
    const longest = JSON.stringify({ type: "question", query: "😀".repeat(2000), turn_id: "t".repeat(64) }); // 4,000 UTF-16 units
    expect(oversizeError(longest)).toBeNull();
    expect(oversizeError("x".repeat(WS_MAX_FRAME_BYTES))).toBeNull();
    expect(oversizeError("x".repeat(WS_MAX_FRAME_BYTES + 1))).toEqual({
      type: "error", code: "payload_too_large", message: `Frames are limited to 16384 bytes; this one has at least 16385. It was not processed.`,
    });
    // 6,000 Korean characters: under the limit in units, over it in bytes
    expect(oversizeError("가".repeat(6000))?.message).toBe("Frames are limited to 16384 bytes; this one has 18000. It was not processed.");
    expect(oversizeError(new Uint8Array(WS_MAX_FRAME_BYTES + 1).buffer)?.code).toBe("payload_too_large");
  });
});

describe("frame rate", () => {
  it(`accepts ${WS_FRAME_LIMIT} frames per ${WS_FRAME_WINDOW_MS / 1000} s, refuses the next, and lets frames through as the window slides`, () => {
    let recent: number[] | undefined;
    const t0 = 1_000_000;
    for (let i = 0; i < WS_FRAME_LIMIT; i++) {
      const a = admitFrame(recent, t0 + i * 100);
      expect(a.allowed).toBe(true);
      recent = a.recent;
    }
    const refused = admitFrame(recent, t0 + 2500);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: WS_FRAME_WINDOW_MS - 2500 });
    expect(refused.recent).toHaveLength(WS_FRAME_LIMIT); // a refused frame is not counted
    // the first frame leaves the window 10 s after it arrived
    expect(admitFrame(refused.recent, t0 + WS_FRAME_WINDOW_MS - 1).allowed).toBe(false);
    const later = admitFrame(refused.recent, t0 + WS_FRAME_WINDOW_MS);
    expect(later.allowed).toBe(true);
    expect(later.recent).toHaveLength(WS_FRAME_LIMIT);
  });

  it("drops stale timestamps and survives a missing or unordered history", () => {
    expect(admitFrame(undefined, 5)).toEqual({ allowed: true, recent: [5], retryAfterMs: 0 });
    expect(admitFrame([30_000, 1, 2, 29_000], 30_000, 3).recent).toEqual([29_000, 30_000, 30_000]);
    expect(admitFrame([3, 1, 2], 4, 3)).toMatchObject({ allowed: false, recent: [1, 2, 3], retryAfterMs: 9_997 });
  });

  it("answers rate_limited with the wait in seconds", () => {
    expect(rateLimitedError(1200)).toEqual({
      type: "error", code: "rate_limited", retry_after_s: 2,
      message: "Too many frames: at most 20 per 10 s on one connection; try again in 2 s. It was not processed.",
    });
  });
});
