/**
 * `/knowledge/:document_id`: one document's metadata (source, domain, tags, size, updated) and its
 * chunks in order, with a back link and a delete button (confirm, then back to the list; shown to
 * callers with the `write` permission only). A chunk named in the URL's hash (`#chunk-<id>`, a
 * citation's link) is scrolled to and focused once loaded.
 * An unknown id shows "Document not found".
 */
import { useEffect, useState } from "preact/hooks";
import { useLocation, useRoute } from "preact-iso";
import { ApiRequestError, describeError } from "../../api/client";
import { can } from "../../auth";
import { ChunkList } from "./ChunkList";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { deleteDocument, fetchChunks, fetchDocument, formatDate, type DocumentChunks, type DocumentDetail } from "./documentsApi";
import { formatBytes } from "./uploads";
import { usePageTitle } from "../../components/usePageTitle";
import "./knowledge.css";

type Loaded = { doc: DocumentDetail; chunks: DocumentChunks };
type State = { status: "loading" } | { status: "not_found" } | { status: "error"; message: string } | { status: "ready"; data: Loaded };

/** The page component (default export for the lazy route). */
export default function DocumentPage() {
  const { params } = useRoute();
  const { route } = useLocation();
  const id = params.document_id ?? "";
  const [state, setState] = useState<State>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    let current = true;
    setState({ status: "loading" });
    Promise.all([fetchDocument(id), fetchChunks(id)]).then(
      ([doc, chunks]) => current && setState({ status: "ready", data: { doc, chunks } }),
      (e) => {
        if (!current) return;
        if (e instanceof ApiRequestError && e.status === 404) setState({ status: "not_found" });
        else setState({ status: "error", message: describeError(e) });
      },
    );
    return () => {
      current = false;
    };
  }, [id, attempt]);

  usePageTitle(state.status === "ready" ? state.data.doc.title : state.status === "not_found" ? "Document not found" : "Document");
  useEffect(() => {
    // A citation's link names a chunk: show it once the chunks are on the page.
    if (state.status !== "ready" || !location.hash.startsWith("#chunk-")) return;
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
    }
  }, [state]);

  const back = (
    <p class="back-link">
      <a href="/knowledge">
        <span aria-hidden="true">← </span>All documents
      </a>
    </p>
  );

  if (state.status === "loading") {
    return (
      <div class="page knowledge document-page" aria-busy="true">
        {back}
        <h1>Document</h1>
        <p class="loading-state">
          <span class="spinner" aria-hidden="true" /> Loading the document…
        </p>
      </div>
    );
  }
  if (state.status === "not_found") {
    return (
      <div class="page knowledge document-page">
        {back}
        <h1>Document not found</h1>
        <p class="notice">There is no document with this id. It may have been deleted or replaced.</p>
      </div>
    );
  }
  if (state.status === "error") {
    return (
      <div class="page knowledge document-page">
        {back}
        <h1>Document</h1>
        <div class="alert error-box" role="alert">
          <p>Could not load the document: {state.message}</p>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Retry
          </button>
        </div>
      </div>
    );
  }

  const { doc, chunks } = state.data;
  return (
    <div class="page knowledge document-page">
      {back}
      <div class="doc-header">
        <h1>{doc.title}</h1>
        {can("write") && (
          <button type="button" class="danger" onClick={() => setConfirming(true)}>
            Delete document
          </button>
        )}
      </div>
      <dl class="doc-meta">
        <div>
          <dt>Source</dt>
          <dd>
            <code>{doc.source}</code>
          </dd>
        </div>
        <div>
          <dt>Type</dt>
          <dd>{doc.content_type}</dd>
        </div>
        <div>
          <dt>Domain</dt>
          <dd>{doc.domain ?? <span class="muted">none</span>}</dd>
        </div>
        <div>
          <dt>Tags</dt>
          <dd>
            {doc.tags.length ? (
              <ul class="tags">
                {doc.tags.map((t) => (
                  <li key={t}>{t}</li>
                ))}
              </ul>
            ) : (
              <span class="muted">none</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(doc.size_bytes)}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>
            <time dateTime={doc.updated_at}>{formatDate(doc.updated_at)}</time>
          </dd>
        </div>
      </dl>

      <section aria-labelledby="chunks-title">
        <h2 id="chunks-title">
          {chunks.chunks.length} {chunks.chunks.length === 1 ? "chunk" : "chunks"}
        </h2>
        {chunks.chunks.length ? <ChunkList chunks={chunks.chunks} /> : <p class="notice">This document has no chunks.</p>}
      </section>

      {confirming && (
        <ConfirmDialog
          title="Delete this document?"
          confirmLabel="Delete"
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={async () => {
            await deleteDocument(doc.id);
            setConfirming(false);
            route("/knowledge");
          }}
        >
          <p>
            “{doc.title}” ({doc.source}) and its {chunks.chunks.length} {chunks.chunks.length === 1 ? "chunk" : "chunks"} will be removed from the knowledge base.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
