/**
 * Config versions: the production pointer (version, since when, by whom) with "Roll back
 * production", the versions table (version, description, created, parent) with each version's
 * values and "Deploy" for the others. Deploy and roll back need a reason and a confirmation
 * (ConfirmDialog); the API's error is shown in the dialog.
 */
import { useRef, useState } from "preact/hooks";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { deployVersion, rollbackProduction, VERSIONS_PAGE_SIZE, type ConfigVersion, type Production, type VersionPage } from "./controlsApi";
import { formatDateTime } from "./format";
import { ListPager } from "./ListPager";
import { formatTunable, shortId } from "./valueFormat";
import "./tables.css";
import { TableHead } from "../../components/TableHead";

/** Props of {@link ConfigVersions}. */
export interface ConfigVersionsProps {
  production: Production | undefined;
  /** The shown page of versions. */
  versions: VersionPage | undefined;
  page: number;
  onPage: (page: number) => void;
  /** "version 3" for an id, from every version the page knows. */
  versionName: (id: string | null) => string;
  /** After a deploy or rollback: its message; the page reloads. */
  onChanged: (message: string) => Promise<void> | void;
}

/** The version production rolls back to: the one before its latest move, as the API chooses it. */
export function rollbackTargetOf(production: Production): string | null {
  const latest = production.events[0];
  return latest && latest.to_version_id === production.version.id ? latest.from_version_id : null;
}

/** The section. */
export function ConfigVersions({ production, versions, page, onPage, versionName, onChanged }: ConfigVersionsProps) {
  const [deploying, setDeploying] = useState<ConfigVersion | null>(null);
  const [rollingBack, setRollingBack] = useState(false);
  const [shown, setShown] = useState<ConfigVersion | null>(null);
  const valuesHeading = useRef<HTMLHeadingElement>(null);
  const pointerRef = useRef<HTMLElement>(null);
  const target = production ? rollbackTargetOf(production) : null;
  // The shown version, from the latest page when it is there (kept otherwise).
  const open = shown ? (versions?.versions.find((v) => v.id === shown.id) ?? shown) : null;

  const show = (v: ConfigVersion) => {
    if (open?.id === v.id) {
      setShown(null);
      return;
    }
    setShown(v);
    requestAnimationFrame(() => valuesHeading.current?.focus());
  };

  return (
    <section class="control-panel config-versions" aria-labelledby="versions-title">
      <h2 id="versions-title">Config versions</h2>
      {production && (
        <section class="production-pointer" aria-labelledby="production-title" ref={pointerRef} tabIndex={-1} data-version-id={production.version.id}>
          <h3 id="production-title">Production</h3>
          <p class="pointer-line">
            Runs <strong>version {production.version.version}</strong> <span class="muted">({production.version.description})</span> since{" "}
            <time dateTime={production.updated_at}>{formatDateTime(production.updated_at)}</time>, deployed by <strong>{production.updated_by}</strong>.
          </p>
          {target ? (
            <button type="button" class="danger" onClick={() => setRollingBack(true)}>
              Roll back to {versionName(target)}
            </button>
          ) : (
            <p class="muted">Nothing to roll back to: production has not moved since its first version.</p>
          )}
        </section>
      )}
      {versions && (
        <>
          <table class="data-table stack-table versions-table">
            <caption>Versions, newest first</caption>
            <TableHead columns={["Version", "Description", "Created", "Parent", { label: "Actions", hidden: true }]} />
            <tbody>
              {versions.versions.map((v) => (
                <tr key={v.id} data-version-id={v.id} data-version={v.version} class={v.deployed ? "deployed" : undefined}>
                  <th scope="row">
                    Version {v.version}
                    {v.deployed && <span class="badge ok"> in production</span>}
                  </th>
                  <td data-label="Description" class="description-cell">
                    {v.description}
                  </td>
                  <td data-label="Created">
                    <time dateTime={v.created_at}>{formatDateTime(v.created_at)}</time> <span class="muted">by {v.created_by}</span>
                  </td>
                  <td data-label="Parent">{v.parent_id ? versionName(v.parent_id) : <span class="muted">none</span>}</td>
                  <td class="actions-cell">
                    <button type="button" class="ghost small" aria-expanded={open?.id === v.id ? "true" : "false"} aria-controls="version-values" onClick={() => show(v)}>
                      Values<span class="visually-hidden"> of version {v.version}</span>
                    </button>
                    {!v.deployed && (
                      <button type="button" class="small" onClick={() => setDeploying(v)}>
                        Deploy<span class="visually-hidden"> version {v.version}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {versions.total > VERSIONS_PAGE_SIZE && <ListPager page={page} total={versions.total} pageSize={VERSIONS_PAGE_SIZE} noun="versions" label="Version pages" onPage={onPage} />}
        </>
      )}
      <div id="version-values" class="version-values">
        {open && (
          <>
            <h3 ref={valuesHeading} tabIndex={-1}>
              Values of version {open.version}
            </h3>
            <VersionValues version={open} production={production?.version} />
          </>
        )}
      </div>
      {deploying && production && (
        <ConfirmDialog
          title={`Deploy version ${deploying.version}?`}
          confirmLabel="Deploy"
          reason={{ label: "Reason", required: true, hint: "Kept in the audit log of deployments." }}
          onConfirm={async (reason) => {
            await deployVersion(deploying.id, reason);
            setDeploying(null);
            await onChanged(`Deployed version ${deploying.version} to production.`);
          }}
          onCancel={() => setDeploying(null)}
          focusAfterConfirm={() => pointerRef.current}
        >
          <p>
            Production moves from version {production.version.version} to version {deploying.version} ({deploying.description}). Every chat turn and API request uses it
            within a minute.
          </p>
        </ConfirmDialog>
      )}
      {rollingBack && production && target && (
        <ConfirmDialog
          title="Roll production back?"
          confirmLabel="Roll back"
          danger
          reason={{ label: "Reason", required: true, hint: "Kept in the audit log of deployments." }}
          onConfirm={async (reason) => {
            await rollbackProduction(reason);
            setRollingBack(false);
            await onChanged(`Rolled production back to ${versionName(target)}.`);
          }}
          onCancel={() => setRollingBack(false)}
          focusAfterConfirm={() => pointerRef.current}
        >
          <p>
            Production moves back from version {production.version.version} to {versionName(target)}, the version before its latest move.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** A version's tunables, marking those that differ from production's. */
function VersionValues({ version, production }: { version: ConfigVersion; production: ConfigVersion | undefined }) {
  const keys = Object.keys(version.values).sort() as (keyof ConfigVersion["values"])[];
  const differs = (k: keyof ConfigVersion["values"]) => production && production.id !== version.id && String(production.values[k]) !== String(version.values[k]);
  const changed = keys.filter(differs).length;
  return (
    <>
      <p class="muted">
        {version.description} · id <code>{shortId(version.id)}</code>
        {production && production.id !== version.id && ` · ${changed} ${changed === 1 ? "value differs" : "values differ"} from production (version ${production.version})`}
        {production?.id === version.id && " · the version in production"}
      </p>
      <table class="data-table stack-table values-table">
        <caption class="visually-hidden">Values of version {version.version}</caption>
        <TableHead columns={["Key", "Value", "In production"]} />
        <tbody>
          {keys.map((k) => (
            <tr key={k} data-key={k} class={differs(k) ? "differs" : undefined}>
              <th scope="row">
                <code>{k}</code>
              </th>
              <td data-label="Value">
                <code>{formatTunable(version.values[k])}</code>
              </td>
              <td data-label="In production">
                {differs(k) ? (
                  <>
                    <strong>differs:</strong> <code>{formatTunable(production?.values[k])}</code>
                  </>
                ) : (
                  <span class="muted">same</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
