/** The connection state, shown only when it is not plainly open (connecting, reconnecting). */
import type { SocketStatus } from "../../api/socket";

export function SocketStatusView({ status }: { status: SocketStatus | null }) {
  const text = status === "connecting" ? "Connecting…" : status === "reconnecting" ? "Connection lost, reconnecting…" : "";
  return (
    <p class={`socket-status${text ? " visible" : ""}`} role="status" data-status={status ?? "none"}>
      {text && <span class="spinner" aria-hidden="true" />} {text}
    </p>
  );
}
