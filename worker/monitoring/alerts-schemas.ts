/** zod schemas of the alert endpoints under `/api/meta-monitoring` (worker/routes/monitoring-alerts.ts). */
import { z } from "zod";
import { ALERT_SEVERITIES, ALERT_STATUSES } from "./alerts-state";

/** Query string of `GET /api/meta-monitoring/alerts`. */
export const ListAlertsQuerySchema = z.object({
  severity: z.enum(ALERT_SEVERITIES).optional(),
  status: z.enum(ALERT_STATUSES).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** Path parameter `:id` of an alert. */
export const AlertIdParamSchema = z.object({ id: z.string().trim().min(1).max(100) });

/** Body of `POST /api/meta-monitoring/alerts/:id/acknowledge`. */
export const AcknowledgeAlertSchema = z.object({ note: z.string().trim().min(1).max(1000).optional() });

/** Body of `POST /api/meta-monitoring/alerts/:id/resolve`. */
export const ResolveAlertSchema = z.object({ note: z.string().trim().min(1, "note must not be empty").max(1000) });
