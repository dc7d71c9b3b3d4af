/** zod schemas of the alert endpoints under `/api/meta-monitoring` (worker/routes/monitoring-alerts.ts). */
import { z } from "zod";
import { METRIC_NAMES } from "./alerts-metrics";
import { ALERT_OPERATORS, ALERT_SEVERITIES, ALERT_STATUSES } from "./alerts-state";

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

const Threshold = z.number().finite().nullable();

/** The fields of a rule that `PATCH /api/meta-monitoring/alert-rules/:id` may change. */
const RuleFields = {
  warning: Threshold.optional(),
  critical: Threshold.optional(),
  warning_severity: z.enum(ALERT_SEVERITIES).optional(),
  critical_severity: z.enum(ALERT_SEVERITIES).optional(),
  for_runs: z.number().int().min(1).max(100).optional(),
  keep_firing_for_runs: z.number().int().min(0).max(100).optional(),
  enabled: z.boolean().optional(),
};

/** Body of `POST /api/meta-monitoring/alert-rules`: a new rule over one metric of the runs. */
export const CreateAlertRuleSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    metric: z.enum(METRIC_NAMES),
    operator: z.enum(ALERT_OPERATORS),
    ...RuleFields,
  })
  .strict();

/** Body of `PATCH /api/meta-monitoring/alert-rules/:id`. */
export const UpdateAlertRuleSchema = z.object(RuleFields).strict().refine((b) => Object.keys(b).length > 0, { message: "nothing to change" });
