/**
 * `/dashboard`: the quality loop at a glance. The loop's health with each check's message, the
 * latest metrics against their alert thresholds, the five newest alerts (each links to its
 * drawer on the alerts page) and the proposals by status (each links to the proposals page
 * filtered by it). Refreshed every 30 s; each section shows its own error.
 */
import type { ComponentChildren } from "preact";
import { DashboardShell } from "./DashboardShell";
import { HealthBadge, SeverityBadge, StatusBadge } from "./badges";
import { formatDateTime, formatMetricValue, formatThreshold, label } from "./format";
import { LatestMetricsTable } from "./LatestMetricsTable";
import { LoadState } from "./LoadState";
import { loadOverview, type LoopHealth, type Overview, type Part, type ProposalStats } from "./overviewApi";
import type { AlertPage } from "./alertsApi";
import type { AlertRule } from "./metricsApi";
import { useAdminData } from "./useAdminData";
import "./overview.css";

const CHECK_LABEL: Record<string, string> = {
  last_evaluation: "Last evaluation",
  active_runs: "Runs in progress",
  alerts: "Alerts",
  proposals: "Proposals",
  production_config: "Production configuration",
};

/** A titled section of the overview. */
function Card({ id, title, children, wide }: { id: string; title: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <section class={wide ? "overview-card wide" : "overview-card"} aria-labelledby={id} data-section={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** The part's error in the API's words. */
function PartError({ part, what }: { part: Extract<Part<unknown>, { ok: false }>; what: string }) {
  return (
    <p class="alert" role="alert">
      Could not load {what}: {part.message}
    </p>
  );
}

function Health({ health }: { health: LoopHealth }) {
  return (
    <>
      <p class="health-status">
        <span>Status:</span> <HealthBadge status={health.status} />
        <span class="muted"> checked {formatDateTime(health.checked_at)}</span>
      </p>
      <ul class="health-checks">
        {health.checks.map((c) => (
          <li key={c.name} data-check={c.name}>
            <HealthBadge status={c.status} /> <strong>{CHECK_LABEL[c.name] ?? label(c.name)}:</strong> {c.message}
          </li>
        ))}
      </ul>
      <p class="muted small">
        Evaluations run on the schedule <code>{health.schedule.evaluation_cron}</code> (cron, UTC).
      </p>
    </>
  );
}

function RecentAlerts({ page, rules }: { page: AlertPage; rules: readonly AlertRule[] | null }) {
  if (!page.alerts.length) return <p class="muted">No alert has been raised yet.</p>;
  const operator = (ruleId: string) => rules?.find((r) => r.id === ruleId)?.operator;
  return (
    <>
      <ul class="recent-alerts">
        {page.alerts.map((a) => (
          <li key={a.id} data-alert-id={a.id}>
            <span class="badges">
              <SeverityBadge severity={a.severity} /> <StatusBadge status={a.status} />
              {a.acknowledged_at && <span class="badge">Acknowledged</span>}
            </span>
            <a href={`/dashboard/alerts/${encodeURIComponent(a.id)}`}>
              <code>{a.metric}</code>
              <span class="visually-hidden">, {a.severity} alert started {formatDateTime(a.started_at)}</span>
            </a>
            <span class="muted">
              {formatMetricValue(a.metric, a.value)} (threshold {formatThreshold(a.metric, operator(a.rule_id), a.threshold)}) · started {formatDateTime(a.started_at)}
            </span>
          </li>
        ))}
      </ul>
      <p>
        <a href="/dashboard/alerts">All {page.total} alerts</a>
      </p>
    </>
  );
}

function Proposals({ stats }: { stats: ProposalStats }) {
  return (
    <>
      <p>
        {stats.total} {stats.total === 1 ? "proposal" : "proposals"} in all.
      </p>
      <ul class="proposal-counts">
        {Object.entries(stats.by_status).map(([status, n]) => (
          <li key={status} data-status={status}>
            <a href={`/dashboard/proposals?status=${encodeURIComponent(status)}`}>
              {label(status)}: {n}
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}

function Sections({ data }: { data: Overview }) {
  const rules = data.rules.ok ? data.rules.value.rules : null;
  return (
    <div class="overview-grid">
      <Card id="overview-health" title="Loop health">
        {data.health.ok ? <Health health={data.health.value} /> : <PartError part={data.health} what="the loop's health" />}
      </Card>
      <Card id="overview-alerts" title="Recent alerts">
        {data.recentAlerts.ok ? <RecentAlerts page={data.recentAlerts.value} rules={rules} /> : <PartError part={data.recentAlerts} what="the alerts" />}
      </Card>
      <Card id="overview-proposals" title="Proposals">
        {data.proposals.ok ? <Proposals stats={data.proposals.value} /> : <PartError part={data.proposals} what="the proposals" />}
      </Card>
      <Card id="overview-metrics" title="Latest metrics" wide>
        {!data.rules.ok && <PartError part={data.rules} what="the alert rules" />}
        {data.latest.ok ? (
          <LatestMetricsTable latest={data.latest.value} rules={rules} />
        ) : data.latest.status === 404 ? (
          <p class="notice">{data.latest.message}.</p>
        ) : (
          <PartError part={data.latest} what="the latest metrics" />
        )}
        <p>
          <a href="/dashboard/metrics">Trends of every metric</a>
        </p>
      </Card>
    </div>
  );
}

/** The page component (default export, loaded by OverviewPage.tsx). */
export default function OverviewPage() {
  const { data, error, loading, updatedAt, refresh } = useAdminData(loadOverview);
  return (
    <DashboardShell title="Overview" updatedAt={updatedAt} loading={loading} onRefresh={() => void refresh()}>
      <LoadState hasData={Boolean(data)} loading={loading} error={error} what="the overview" />
      {data && <Sections data={data} />}
    </DashboardShell>
  );
}
