/**
 * `/dashboard/alerts` and `/dashboard/alerts/:alert_id`: the alerts, newest first, filtered by
 * severity and status, one page at a time (all of it in the URL query string, so reload, back
 * and shared links restore it), and one alert's drawer over the list when the path names it.
 * Refreshed every 30 s and after an action in the drawer.
 */
import { useLocation, useRoute } from "preact-iso";
import { AlertDrawer } from "./AlertDrawer";
import { AlertFilters } from "./AlertFilters";
import { alertsHref, alertsQueryFrom, fetchAlerts, type AlertsQuery } from "./alertsApi";
import { AlertsTable } from "./AlertsTable";
import { DashboardShell } from "./DashboardShell";
import { ListPager, pageCount } from "./ListPager";
import { LoadState } from "./LoadState";
import { fetchRules } from "./metricsApi";
import { useAdminData } from "./useAdminData";
import "./alerts.css";

function summary(total: number, q: AlertsQuery): string {
  const parts = [`${total} ${total === 1 ? "alert" : "alerts"}`];
  if (q.severity) parts.push(`severity ${q.severity}`);
  if (q.status) parts.push(`status ${q.status}`);
  return parts.join(", ");
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The page component (default export, loaded by AlertsPage.tsx). */
export default function AlertsPage() {
  const { query, route } = useLocation();
  const { params } = useRoute();
  const q = alertsQueryFrom(query);
  const listKey = alertsHref(q);
  const alertId = params.alert_id ? decoded(params.alert_id) : null;

  const list = useAdminData(async () => {
    const [page, rules] = await Promise.all([fetchAlerts(q), fetchRules()]);
    return { page, rules: rules.rules, q };
  }, [listKey]);
  const data = list.data;
  const filtered = Boolean(q.severity || q.status);

  return (
    <DashboardShell title="Alerts" updatedAt={list.updatedAt} loading={list.loading} onRefresh={() => void list.refresh()}>
      <AlertFilters q={q} onChange={(next) => route(alertsHref({ ...q, ...next, page: 1 }))} />
      <section class="alerts-list" aria-labelledby="alerts-list-title" aria-busy={list.loading ? "true" : "false"}>
        <h2 id="alerts-list-title" class="visually-hidden">
          Alert list
        </h2>
        <p role="status" class="result-summary">
          {data ? summary(data.page.total, data.q) : ""}
        </p>
        <LoadState hasData={Boolean(data)} loading={list.loading} error={list.error} what="the alerts" />
        {data && data.page.alerts.length === 0 && (
          <div class="notice">
            {data.page.total > 0 ? (
              <p>
                No alerts on this page. <a href={alertsHref({ ...data.q, page: 1 })}>Go to the first page</a>
              </p>
            ) : filtered ? (
              <p>
                No alerts match these filters. <a href="/dashboard/alerts">Show all alerts</a>
              </p>
            ) : (
              <p>No alert has been raised yet. Alerts open when an evaluation run breaches an alert rule.</p>
            )}
          </div>
        )}
        {data && data.page.alerts.length > 0 && (
          <AlertsTable alerts={data.page.alerts} rules={data.rules} q={data.q} caption={`Alerts, page ${data.q.page} of ${pageCount(data.page.total, data.q.limit)}`} />
        )}
        {data && data.page.total > 0 && (
          <ListPager page={data.q.page} total={data.page.total} pageSize={data.q.limit} noun="alerts" label="Pages of alerts" hrefFor={(page) => alertsHref({ ...data.q, page })} />
        )}
      </section>
      {alertId && (
        <AlertDrawer
          key={alertId}
          id={alertId}
          rules={data?.rules ?? []}
          onClose={() => route(alertsHref(q))}
          onChanged={list.refresh}
          fallbackFocus={() =>
            document.querySelector<HTMLElement>(`[data-alert-link="${CSS.escape(alertId)}"]`) ?? document.querySelector<HTMLElement>("main#main")
          }
        />
      )}
    </DashboardShell>
  );
}
