/**
 * Upload area of the knowledge explorer: a drop zone around a keyboard-accessible file input
 * (several files at once), optional domain and tags for the batch, and one progress row per file
 * in a live region. Sending and polling are in uploads.ts; this component keeps the rows.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { listHref, loadLimits, uploadDeps, type Facets } from "./documentsApi";
import { ACCEPTED_EXTENSIONS, checkFile, describeLimit, formatBytes, parseTags, uploadFile, uploadKind, type UploadPhase, type UploadState } from "./uploads";

/** Files uploaded at the same time. */
const CONCURRENCY = 3;

/** Props of UploadPanel. */
export interface UploadPanelProps {
  /** Existing domains and tags, offered as suggestions. */
  facets: Facets | null;
  /** Called once a batch has finished with at least one file ingested (refresh the list and facets). */
  onUploaded: () => void;
}

const PHASE_LABEL: Record<UploadPhase, string> = {
  invalid: "Not uploaded",
  reading: "Reading file…",
  sending: "Uploading…",
  queued: "Queued",
  running: "Processing…",
  done: "Done",
  failed: "Failed",
};

let nextKey = 0;

/** The upload section. */
export function UploadPanel({ facets, onUploaded }: UploadPanelProps) {
  const [rows, setRows] = useState<UploadState[]>([]);
  const [domain, setDomain] = useState("");
  const [tags, setTags] = useState("");
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);
  useEffect(() => void loadLimits(), []);

  const update = (key: string, phase: UploadPhase, message?: string) => {
    if (!alive.current) return;
    setRows((all) => all.map((r) => (r.key === key ? { ...r, phase, message } : r)));
  };

  const start = async (files: File[]) => {
    if (files.length === 0) return;
    const meta = { domain: domain.trim() || undefined, tags: parseTags(tags) };
    const batch = files.map((file) => {
      const problem = checkFile(file);
      const row: UploadState = { key: `u${++nextKey}`, name: file.name, size: file.size, kind: uploadKind(file.name), phase: problem ? "invalid" : "reading", message: problem ?? undefined };
      return { file, row };
    });
    setRows((all) => [...batch.map((b) => b.row), ...all]);
    const queue = batch.filter((b) => b.row.phase !== "invalid");
    let done = 0;
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const { file, row } = item;
        const result = await uploadFile(file, meta, uploadDeps, (phase, message) => update(row.key, phase, message));
        if (result === "done") done++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    if (done > 0 && alive.current) onUploaded();
  };

  const busy = rows.some((r) => r.phase !== "invalid" && r.phase !== "done" && r.phase !== "failed");
  const finished = rows.filter((r) => r.phase === "done" || r.phase === "failed" || r.phase === "invalid");

  return (
    <section class="upload-panel" aria-labelledby="upload-title">
      <h2 id="upload-title">Add documents</h2>
      <div
        class={`dropzone${dragging ? " dragging" : ""}`}
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
          setDragging(true);
        }}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          void start(Array.from(e.dataTransfer?.files ?? []));
        }}
      >
        <input
          ref={inputRef}
          id="upload-files"
          class="file-input visually-hidden"
          type="file"
          multiple
          accept={ACCEPTED_EXTENSIONS.join(",")}
          aria-describedby="upload-hint"
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = ""; // the same file can be chosen again
            void start(files);
          }}
        />
        <label for="upload-files" class="button file-label">
          Choose files
        </label>
        <p id="upload-hint" class="muted">
          or drop them here. Markdown, text, HTML or PDF ({ACCEPTED_EXTENSIONS.join(" ")}), up to {describeLimit()} each.
        </p>
      </div>
      <div class="upload-meta">
        <div class="field">
          <label for="upload-domain">Domain (optional)</label>
          <input id="upload-domain" list="upload-domains" value={domain} maxLength={100} autoComplete="off" onInput={(e) => setDomain(e.currentTarget.value)} />
          <datalist id="upload-domains">
            {(facets?.domains ?? []).map((d) => (
              <option key={d.value} value={d.value} />
            ))}
          </datalist>
        </div>
        <div class="field grow">
          <label for="upload-tags">Tags (optional, comma-separated)</label>
          <input id="upload-tags" value={tags} autoComplete="off" placeholder="e.g. runbook, internal" onInput={(e) => setTags(e.currentTarget.value)} />
        </div>
      </div>
      <div class="upload-progress">
        <p class="visually-hidden" id="upload-progress-label">
          Upload progress
        </p>
        <ul class="upload-list" aria-live="polite" aria-labelledby="upload-progress-label">
          {rows.map((r) => (
            <li key={r.key} class={`upload-row phase-${r.phase}`} data-file={r.name}>
              <span class="upload-name">
                <strong>{r.name}</strong> <span class="muted">{formatBytes(r.size)}</span>
              </span>
              <span class="upload-status">
                {(r.phase === "reading" || r.phase === "sending" || r.phase === "queued" || r.phase === "running") && <span class="spinner" aria-hidden="true" />}{" "}
                {PHASE_LABEL[r.phase]}
                {r.phase === "done" && (
                  <>
                    {" · "}
                    <a href={listHref({ page: 1, q: r.name, domain: "", tag: "" })}>
                      Show<span class="visually-hidden"> {r.name}</span> in list
                    </a>
                  </>
                )}
              </span>
              {r.message && <span class="upload-message">{r.message}</span>}
            </li>
          ))}
        </ul>
        {finished.length > 0 && !busy && (
          <button type="button" class="ghost small" onClick={() => setRows((all) => all.filter((r) => !finished.includes(r)))}>
            Clear finished uploads
          </button>
        )}
      </div>
    </section>
  );
}
