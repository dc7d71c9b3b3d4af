/**
 * `/knowledge`: the knowledge explorer. Upload area, then the documents: search, domain and tag
 * filters, one page of the table, pager. The list's state (page, q, domain, tag) lives in the URL
 * query string, so reload, back and shared links restore it. Deleting asks for confirmation.
 * Uploading and deleting need the `write` permission (editors, admins, anyone in open mode): a
 * viewer sees the list without those controls (the API answers 403 anyway).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { describeError } from "../../api/client";
import { can, currentUser } from "../../auth";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { DocumentTable } from "./DocumentTable";
import { deleteDocument, fetchDocuments, fetchFacets, listHref, listQueryFrom, type DocumentPage, type DocumentSummary, type Facets, type ListQuery } from "./documentsApi";
import { Filters } from "./Filters";
import { pageCount, Pagination } from "./Pagination";
import { UploadPanel } from "./UploadPanel";
import { usePageTitle } from "../../components/usePageTitle";
import "./knowledge.css";

/** A page of documents with the list state it was fetched for. */
type Loaded = DocumentPage & { query: ListQuery };
type ListState = { status: "loading"; data?: Loaded } | { status: "error"; message: string } | { status: "ready"; data: Loaded };

/** The page component (default export for the lazy route). */
export default function KnowledgePage() {
  const { query, route } = useLocation();
  const state = listQueryFrom(query);
  const key = listHref(state);
  const [list, setList] = useState<ListState>({ status: "loading" });
  const [facets, setFacets] = useState<Facets | null>(null);
  const [facetsError, setFacetsError] = useState(false);
  const [reload, setReload] = useState(0);
  const [toDelete, setToDelete] = useState<DocumentSummary | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  usePageTitle("Knowledge");

  // The page of documents, again whenever the URL's state or `reload` changes; a late answer for an older state is dropped.
  useEffect(() => {
    let current = true;
    // While loading, the previous rows stay (marked busy) so the page does not jump.
    setList((prev) => ({ status: "loading", data: prev.status === "error" ? undefined : prev.data }));
    fetchDocuments(state).then(
      (data) => {
        if (!current) return;
        const pages = pageCount(data.total);
        // Past the last page (after a delete, or an old link): go to the last one.
        if (data.documents.length === 0 && data.total > 0 && state.page > pages) route(listHref({ ...state, page: pages }), true);
        setList({ status: "ready", data: { ...data, query: state } });
      },
      (e) => current && setList({ status: "error", message: describeError(e) }),
    );
    return () => {
      current = false;
    };
  }, [key, reload]);

  useEffect(() => {
    let current = true;
    fetchFacets().then(
      (f) => {
        if (!current) return;
        setFacets(f);
        setFacetsError(false);
      },
      () => current && setFacetsError(true),
    );
    return () => {
      current = false;
    };
  }, [reload]);

  const change = (next: Partial<ListQuery>, replace = false) => {
    setNotice(null);
    route(listHref({ ...state, ...next }), replace);
  };

  const mayWrite = can("write");
  const data = list.status === "error" ? undefined : list.data;
  const filtered = Boolean(state.q || state.domain || state.tag);
  const loading = list.status === "loading";

  return (
    <div class="page knowledge">
      <h1>Knowledge</h1>
      <p class="muted intro">The documents the assistant answers from. Add files, browse their chunks, or remove what is outdated.</p>

      {mayWrite ? (
        <UploadPanel facets={facets} onUploaded={() => setReload((n) => n + 1)} />
      ) : (
        <p class="notice read-only-note">
          {currentUser.value ? `Your role (${currentUser.value.role}) may read the knowledge base.` : "You may read the knowledge base."} Adding and removing documents needs an editor.
        </p>
      )}

      <section class="documents" aria-labelledby="documents-title" aria-busy={loading ? "true" : "false"} data-state={list.status}>
        <h2 id="documents-title" ref={headingRef} tabIndex={-1}>
          Documents
        </h2>
        <Filters state={state} facets={facets} onChange={change} />
        {facetsError && <p class="muted small-print">Domain and tag counts could not be loaded.</p>}

        <div class="list-status">
          <p role="status" class="result-summary">
            {data ? summary(data.total, data.query) : loading ? "Loading documents…" : ""}
            {loading && data && (
              <>
                {" "}
                <span class="spinner" aria-hidden="true" />
                <span class="visually-hidden"> Updating…</span>
              </>
            )}
          </p>
          {notice && (
            <p class="success" role="status">
              {notice}
            </p>
          )}
        </div>

        {list.status === "error" && (
          <div class="alert error-box" role="alert">
            <p>Could not load the documents: {list.message}</p>
            <button type="button" onClick={() => setReload((n) => n + 1)}>
              Retry
            </button>
          </div>
        )}

        {!data && loading && (
          <p class="loading-state">
            <span class="spinner" aria-hidden="true" /> Loading documents…
          </p>
        )}

        {data && data.documents.length === 0 && !loading && (
          <div class="notice empty-state">
            {filtered ? (
              <>
                <p>No documents match these filters.</p>
                <a href="/knowledge">Show all documents</a>
              </>
            ) : (
              <p>No documents yet. Add Markdown, text, HTML or PDF files above.</p>
            )}
          </div>
        )}

        {data && data.documents.length > 0 && (
          <>
            <DocumentTable documents={data.documents} caption={`Documents, page ${data.query.page} of ${pageCount(data.total)}`} onDelete={mayWrite ? setToDelete : undefined} />
            <Pagination state={data.query} total={data.total} />
          </>
        )}
      </section>

      {toDelete && (
        <ConfirmDialog
          title="Delete this document?"
          confirmLabel="Delete"
          danger
          onCancel={() => setToDelete(null)}
          onConfirm={async () => {
            await deleteDocument(toDelete.id);
            const name = toDelete.title || toDelete.source;
            setToDelete(null);
            setNotice(`Deleted “${name}”.`);
            setReload((n) => n + 1);
          }}
          // The row and its button are going: focus the list's heading.
          focusAfterConfirm={() => headingRef.current}
        >
          <p>
            “{toDelete.title || toDelete.source}” ({toDelete.source}) and its {toDelete.chunk_count} {toDelete.chunk_count === 1 ? "chunk" : "chunks"} will be removed from the knowledge base. The assistant will no longer
            cite it.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function summary(total: number, state: ListQuery): string {
  const docs = `${total} ${total === 1 ? "document" : "documents"}`;
  const parts: string[] = [];
  if (state.q) parts.push(`matching “${state.q}”`);
  if (state.domain) parts.push(`in domain ${state.domain}`);
  if (state.tag) parts.push(`tagged ${state.tag}`);
  return parts.length ? `${docs} ${parts.join(", ")}` : docs;
}
