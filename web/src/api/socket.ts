/**
 * The chat session's WebSocket (`/ws/chat/:session_id`) with reconnection: after an unexpected
 * close it reconnects with exponential backoff (BASE_DELAY_MS · 2^attempt, at most MAX_DELAY_MS,
 * ±20 % jitter). Frames sent while disconnected wait and go out on the next open. On (re)connect
 * the server resends a pending clarification, which arrives as an ordinary frame.
 * The session cookie goes with the same-origin upgrade. A socket that could not open (the
 * upgrade's 401 is invisible to the page) or was closed for auth (4401, 1008) asks auth.ts to
 * recover the session: when the refresh cookie renewed it, it reconnects at once (once per
 * failure streak); when it failed, auth.ts goes to the sign-in page.
 * Frame types are the Worker's own (WsClientFrameSchema, WsServerFrame).
 */
import { signal, type Signal } from "@preact/signals";
import type { z } from "zod";
import type { WsClientFrameSchema } from "../../../worker/schemas";
import type { WsServerFrame } from "../../../worker/services/chat";
import { recoverSocketSession } from "../auth";
import { socketUrl } from "./client";

export type ClientFrame = z.input<typeof WsClientFrameSchema>;
export type ServerFrame = WsServerFrame;
export type SocketStatus = "connecting" | "open" | "reconnecting" | "closed";

/** First reconnection delay, ms. */
export const BASE_DELAY_MS = 500;
/** Longest reconnection delay, ms. */
export const MAX_DELAY_MS = 10_000;

/** Delay before reconnection attempt `attempt` (0-based), ms, with ±20 % jitter. */
export function backoffDelay(attempt: number, random = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class ChatSocket {
  /** Connection state, for the UI. */
  readonly status: Signal<SocketStatus> = signal("connecting");
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private outbox: string[] = [];
  private disposed = false;
  /** A session recovery is running after a failed open. */
  private recovering = false;
  /** The session was renewed once since the last open: further failures back off. */
  private renewed = false;

  constructor(
    readonly sessionId: string,
    private readonly onFrame: (frame: ServerFrame) => void,
  ) {
    this.open();
  }

  private open(): void {
    if (this.disposed) return;
    const ws = new WebSocket(socketUrl(`/ws/chat/${encodeURIComponent(this.sessionId)}`));
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.renewed = false;
      this.status.value = "open";
      for (const raw of this.outbox.splice(0)) ws.send(raw);
    };
    ws.onmessage = (e) => {
      try {
        this.onFrame(JSON.parse(String(e.data)) as ServerFrame);
      } catch {
        // a frame that is not JSON: ignored
      }
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.disposed) return;
      this.status.value = "reconnecting";
      const mayBeAuth = !opened || e.code === 4401 || e.code === 1008;
      if (mayBeAuth && !this.renewed && !this.recovering) {
        this.recovering = true;
        void recoverSocketSession().then((renewed) => {
          this.recovering = false;
          if (this.disposed || this.ws) return;
          if (renewed) {
            this.renewed = true;
            this.open();
          } else this.reconnectLater();
        });
        return;
      }
      this.reconnectLater();
    };
  }

  private reconnectLater(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), backoffDelay(this.attempt++));
  }

  /** Sends a frame now, or on the next open when disconnected. */
  send(frame: ClientFrame): void {
    const raw = JSON.stringify(frame);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(raw);
    else this.outbox.push(raw);
  }

  /** Closes the socket as a network failure would (tests and the "reconnect" control). */
  drop(): void {
    this.ws?.close(4000, "dropped by client");
  }

  /** Closes for good. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.status.value = "closed";
    this.ws?.close(1000, "client left");
    this.ws = null;
  }
}
