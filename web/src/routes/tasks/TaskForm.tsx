/**
 * The form that creates a task: type, description, optional scope (a domain, or document ids for
 * an analysis) and the ids of tasks it depends on. Validation errors of the API are shown by field.
 */
import { useState } from "preact/hooks";
import { ApiRequestError, describeError } from "../../api/client";
import { createTask, type NewTask } from "./tasksApi";

const TYPES = [
  { value: "research", label: "Research: a cited report from 2 to 5 sub-questions" },
  { value: "analysis", label: "Analysis: digest and compare documents" },
  { value: "code", label: "Code: examples from the documents' code blocks" },
] as const;

/** Comma- or space-separated ids → list (empty entries dropped). */
const idList = (text: string) => text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

/** The new-task form; `onCreated` receives the created task's id. */
export function TaskForm({ onCreated }: { onCreated: (id: string) => void }) {
  const [type, setType] = useState<NewTask["type"]>("research");
  const [description, setDescription] = useState("");
  const [domain, setDomain] = useState("");
  const [documentIds, setDocumentIds] = useState("");
  const [dependsOn, setDependsOn] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; details: { path: string; message: string }[] } | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: NewTask = { type, description };
    const ids = idList(documentIds);
    if (type === "analysis" && ids.length) body.scope = { document_ids: ids };
    else if (domain.trim()) body.scope = { domain: domain.trim() };
    const deps = idList(dependsOn);
    if (deps.length) body.depends_on = deps;
    try {
      const task = await createTask(body);
      setDescription("");
      onCreated(task.id);
    } catch (err) {
      const details = err instanceof ApiRequestError && Array.isArray(err.details) ? (err.details as { path: string; message: string }[]) : [];
      setError({ message: describeError(err), details });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="task-form" onSubmit={submit} aria-labelledby="new-task-title">
      <h2 id="new-task-title">New task</h2>
      <div class="field">
        <label for="task-type">Type</label>
        <select id="task-type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value as NewTask["type"])}>
          {TYPES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="task-description">Description</label>
        <textarea id="task-description" rows={3} maxLength={4000} required value={description} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />
      </div>
      <div class="field-row">
        <div class="field">
          <label for="task-domain">Domain {type === "analysis" ? "(or document ids)" : "(optional)"}</label>
          <input id="task-domain" value={domain} onInput={(e) => setDomain((e.target as HTMLInputElement).value)} />
        </div>
        {type === "analysis" && (
          <div class="field">
            <label for="task-documents">Document ids</label>
            <input id="task-documents" value={documentIds} placeholder="id, id, …" onInput={(e) => setDocumentIds((e.target as HTMLInputElement).value)} />
          </div>
        )}
        <div class="field">
          <label for="task-depends">Depends on (task ids, optional)</label>
          <input id="task-depends" value={dependsOn} onInput={(e) => setDependsOn((e.target as HTMLInputElement).value)} />
        </div>
      </div>
      {error && (
        <div class="alert" role="alert">
          <p>{error.message}</p>
          {error.details.length > 0 && (
            <ul>
              {error.details.map((d, i) => (
                <li key={i}>
                  {d.path ? <code>{d.path}</code> : null} {d.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <button type="submit" disabled={busy || !description.trim()}>
        {busy ? "Creating…" : "Create task"}
      </button>
    </form>
  );
}
