/** A WebSocket client of the Worker's session channel for the workerd tests. */
import { exports } from "cloudflare:workers";
import { expect } from "vitest";

/** A WebSocket client on the Worker's `/ws/chat/:session_id`, collecting frames; `headers` e.g. an Authorization. */
export async function connect(sessionId: string, headers: Record<string, string> = {}) {
  const res = await (exports as any).default.fetch(new Request(`http://edge-rag.test/ws/chat/${sessionId}`, { headers: { ...headers, Upgrade: "websocket" } }));
  expect(res.status).toBe(101);
  const ws: WebSocket = res.webSocket;
  ws.accept();
  const frames: any[] = [];
  const waiters: { type: string; resolve: (f: any) => void }[] = [];
  let closed: { code: number } | null = null;
  ws.addEventListener("message", (e) => {
    const frame = JSON.parse(e.data as string);
    frames.push(frame);
    const i = waiters.findIndex((w) => w.type === frame.type);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(frame);
  });
  ws.addEventListener("close", (e) => (closed = { code: e.code }));
  return {
    ws,
    frames,
    closed: () => closed,
    send: (frame: unknown) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    /** The next frame of `type` not yet consumed (already received ones count). */
    next(type: string, timeoutMs = 20_000): Promise<any> {
      const seen = frames.findIndex((f) => f.type === type && !f.__used);
      if (seen >= 0) {
        frames[seen].__used = true;
        return Promise.resolve(frames[seen]);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} frame within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ type, resolve: (f) => { clearTimeout(timer); f.__used = true; resolve(f); } });
      });
    },
  };
}
