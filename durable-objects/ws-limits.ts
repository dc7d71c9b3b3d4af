/**
 * Limits of the chat WebSocket (`/ws/chat/:session_id`, held by ChatSession), as pure functions:
 * a frame larger than {@link WS_MAX_FRAME_BYTES} and frames beyond {@link WS_FRAME_LIMIT} per
 * {@link WS_FRAME_WINDOW_MS} on one connection get an error frame and are not processed; the
 * socket stays open (docs/access.md, "Limits"). The window's timestamps live in the socket's
 * attachment, so the limit holds across hibernation.
 */
import type { WsServerFrame } from "../worker/services/chat";

/** Largest client frame processed, in bytes (UTF-8 of a text frame). A question of 4,000 characters fits. */
export const WS_MAX_FRAME_BYTES = 16 * 1024;
/** Frames accepted per connection within {@link WS_FRAME_WINDOW_MS}. */
export const WS_FRAME_LIMIT = 20;
/** The rate limit's sliding window, ms. */
export const WS_FRAME_WINDOW_MS = 10_000;

/**
 * Size of a frame in bytes: the byte length of a binary frame, the UTF-8 length of a text frame.
 * A text frame of more than `max` UTF-16 units is over `max` bytes whatever it holds, and is not
 * encoded: its length is returned as a lower bound.
 */
export function frameBytes(raw: string | ArrayBuffer, max = WS_MAX_FRAME_BYTES): number {
  if (typeof raw !== "string") return raw.byteLength;
  if (raw.length > max) return raw.length;
  return new TextEncoder().encode(raw).byteLength;
}

/** The error frame for a frame over `max` bytes, or null when it is within the limit. */
export function oversizeError(raw: string | ArrayBuffer, max = WS_MAX_FRAME_BYTES): Extract<WsServerFrame, { type: "error" }> | null {
  const bytes = frameBytes(raw, max);
  if (bytes <= max) return null;
  const size = typeof raw === "string" && raw.length > max ? `at least ${bytes}` : String(bytes);
  return { type: "error", code: "payload_too_large", message: `Frames are limited to ${max} bytes; this one has ${size}. It was not processed.` };
}

/** Outcome of {@link admitFrame}. */
export interface Admission {
  allowed: boolean;
  /** Timestamps (ms) of the frames accepted within the window, oldest first, this one included when allowed. */
  recent: number[];
  /** When refused: ms until the oldest accepted frame leaves the window. */
  retryAfterMs: number;
}

/**
 * Sliding-window rate limit of one connection: a frame is accepted when fewer than `limit` frames
 * were accepted within the last `windowMs`. Refused frames are not counted, so a client that waits
 * gets through again.
 *
 * @param recent Timestamps of earlier accepted frames (any order, any age; old ones are dropped).
 * @param now The frame's arrival time, ms.
 */
export function admitFrame(recent: readonly number[] | undefined, now: number, limit = WS_FRAME_LIMIT, windowMs = WS_FRAME_WINDOW_MS): Admission {
  const inWindow = (recent ?? []).filter((t) => t > now - windowMs && t <= now).sort((a, b) => a - b);
  if (inWindow.length >= limit) {
    return { allowed: false, recent: inWindow, retryAfterMs: Math.max(1, inWindow[inWindow.length - limit] + windowMs - now) };
  }
  return { allowed: true, recent: [...inWindow, now], retryAfterMs: 0 };
}

/** The error frame for a refused frame. */
export function rateLimitedError(retryAfterMs: number, limit = WS_FRAME_LIMIT, windowMs = WS_FRAME_WINDOW_MS): Extract<WsServerFrame, { type: "error" }> {
  const s = Math.ceil(retryAfterMs / 1000);
  return {
    type: "error",
    code: "rate_limited",
    message: `Too many frames: at most ${limit} per ${windowMs / 1000} s on one connection; try again in ${s} s. It was not processed.`,
    retry_after_s: s,
  };
}
