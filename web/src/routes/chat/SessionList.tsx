/**
 * The conversations of this browser, newest first: open, rename (inline), delete (after a
 * confirmation: DELETE /api/chat/:session_id, a 404 is fine, then forgotten locally), new chat.
 * On narrow screens the list folds behind a toggle above the conversation.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiRequestError, call, describeError } from "../../api/client";
import { forgetSession, renameSession, sessions, type SessionEntry } from "../../state/sessions";
import { PencilIcon, TrashIcon } from "./icons";

export interface SessionListProps {
  activeId: string | null;
  onNewChat: () => void;
  /** Called after the active session was deleted. */
  onDeletedActive: () => void;
}

export function SessionList({ activeId, onNewChat, onDeletedActive }: SessionListProps) {
  const [open, setOpen] = useState(false);
  const list = sessions.value;
  return (
    <nav class={`session-list${open ? " open" : ""}`} aria-label="Conversations">
      <div class="session-head">
        <button type="button" class="ghost session-toggle" aria-expanded={open} aria-controls="session-items" onClick={() => setOpen(!open)}>
          Conversations ({list.length})
        </button>
        <h2 class="session-title">Conversations</h2>
        <button type="button" class="new-chat" onClick={onNewChat}>
          New chat
        </button>
      </div>
      <div id="session-items" class="session-items">
        {list.length === 0 ? (
          <p class="muted small">No conversations yet. Your questions will be listed here.</p>
        ) : (
          <ul>
            {list.map((s) => (
              <SessionItem key={s.id} session={s} active={s.id === activeId} onDeleted={() => s.id === activeId && onDeletedActive()} />
            ))}
          </ul>
        )}
      </div>
    </nav>
  );
}

type Mode = "view" | "rename" | "confirm" | "deleting";

function SessionItem({ session, active, onDeleted }: { session: SessionEntry; active: boolean; onDeleted: () => void }) {
  const [mode, setMode] = useState<Mode>("view");
  const [name, setName] = useState(session.title);
  const [error, setError] = useState<string | null>(null);
  const renameRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const focusAfter = useRef<"rename" | "delete" | null>(null);

  useEffect(() => {
    if (mode === "rename") inputRef.current?.select();
    if (mode === "confirm") confirmRef.current?.focus();
    if (mode === "view" && focusAfter.current) {
      (focusAfter.current === "rename" ? renameRef : deleteRef).current?.focus();
      focusAfter.current = null;
    }
  }, [mode]);

  const back = (to: "rename" | "delete") => {
    focusAfter.current = to;
    setMode("view");
  };

  const remove = async () => {
    setMode("deleting");
    setError(null);
    try {
      await call(api.api.chat[":session_id"].$delete({ param: { session_id: session.id } }));
    } catch (e) {
      if (!(e instanceof ApiRequestError && e.status === 404)) {
        setError(describeError(e));
        setMode("view");
        return;
      }
    }
    forgetSession(session.id);
    onDeleted();
  };

  return (
    <li class={active ? "active" : undefined}>
      {mode === "rename" ? (
        <form
          class="rename-form"
          onSubmit={(e) => {
            e.preventDefault();
            renameSession(session.id, name);
            back("rename");
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.preventDefault();
              setName(session.title);
              back("rename");
            }
          }}
        >
          <label for={`rename-${session.id}`} class="visually-hidden">
            New name for “{session.title}”
          </label>
          <input id={`rename-${session.id}`} ref={inputRef} value={name} maxLength={80} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          <div class="row">
            <button type="submit" class="small">
              Save
            </button>
            <button
              type="button"
              class="ghost small"
              onClick={() => {
                setName(session.title);
                back("rename");
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div class="session-row">
          <a href={`/chat/${encodeURIComponent(session.id)}`} aria-current={active ? "page" : undefined} class="session-link">
            {session.title}
          </a>
          {mode === "view" && (
            <span class="session-actions">
              <button
                type="button"
                class="ghost small icon"
                ref={renameRef}
                aria-label={`Rename “${session.title}”`}
                onClick={() => {
                  setName(session.title);
                  setMode("rename");
                }}
              >
                <PencilIcon />
              </button>
              <button type="button" class="ghost small icon" ref={deleteRef} aria-label={`Delete “${session.title}”`} onClick={() => setMode("confirm")}>
                <TrashIcon />
              </button>
            </span>
          )}
        </div>
      )}
      {(mode === "confirm" || mode === "deleting") && (
        <div
          class="confirm"
          role="group"
          aria-label={`Delete “${session.title}”?`}
          onKeyDown={(e) => {
            if (e.key === "Escape" && mode === "confirm") back("delete");
          }}
        >
          <span class="small">Delete this conversation?</span>
          <button type="button" class="danger small" ref={confirmRef} disabled={mode === "deleting"} onClick={() => void remove()}>
            {mode === "deleting" ? "Deleting…" : "Delete"}
          </button>
          <button type="button" class="ghost small" disabled={mode === "deleting"} onClick={() => back("delete")}>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p class="alert small" role="alert">
          Could not delete: {error}
        </p>
      )}
    </li>
  );
}
