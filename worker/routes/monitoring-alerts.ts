/**
 * Alerts of the quality loop under `/api/meta-monitoring` (docs/monitoring.md): listing with
 * filters and pages, counts, one alert with its transitions, the rules (list, create, change), and
 * acknowledge and resolve. All of it is the admin's (worker/http/admin.ts).
 */
import { Hono } from "hono";
import { database } from "../db/client";
import { actorOf } from "../http/auth";
import type { AppEnv } from "../http/context";
import { validate } from "../http/validate";
import { notifyAlertTransition } from "../monitoring/alerts-evaluate";
import {
  AcknowledgeAlertSchema, AlertIdParamSchema, CreateAlertRuleSchema, ListAlertsQuerySchema, ResolveAlertSchema, UpdateAlertRuleSchema,
} from "../monitoring/alerts-schemas";
import {
  acknowledgeAlert, alertStats, createAlertRule, getAlert, listAlertRules, listAlerts, resolveAlert, ruleView, updateAlertRule,
} from "../storage/alerts";

export const monitoringAlertsRoute = new Hono<AppEnv>()
  .get("/alerts", validate("query", ListAlertsQuerySchema), async (c) => c.json(await listAlerts(database(c.env.DB), c.req.valid("query"))))
  .get("/alerts/stats", async (c) => c.json(await alertStats(database(c.env.DB))))
  .get("/alerts/:id", validate("param", AlertIdParamSchema), async (c) => c.json(await getAlert(database(c.env.DB), c.req.valid("param").id)))
  .post("/alerts/:id/acknowledge", validate("param", AlertIdParamSchema), validate("json", AcknowledgeAlertSchema), async (c) => {
    const alert = await acknowledgeAlert(c.env.DB, c.req.valid("param").id, actorOf(c), c.req.valid("json").note);
    return c.json(alert);
  })
  .post("/alerts/:id/resolve", validate("param", AlertIdParamSchema), validate("json", ResolveAlertSchema), async (c) => {
    const db = database(c.env.DB);
    const note = c.req.valid("json").note;
    const { alert, from } = await resolveAlert(c.env.DB, c.req.valid("param").id, actorOf(c), note);
    // A firing alert nobody acknowledged was announced: announce its end too.
    if (from === "firing" && alert.acknowledged_at === null) {
      const rule = (await listAlertRules(db)).find((r) => r.id === alert.rule_id);
      const delivery = notifyAlertTransition(c.env, {
        alert_id: alert.id, rule_name: rule?.name ?? alert.rule_id, metric: alert.metric, operator: rule?.operator ?? "",
        status: "resolved", from, severity: alert.severity, value: alert.value, threshold: alert.threshold, run_id: null,
        note: `resolved by ${actorOf(c)}: ${note}`, at: Date.parse(alert.resolved_at!),
      });
      c.executionCtx.waitUntil(delivery);
    }
    return c.json(alert);
  })
  .get("/alert-rules", async (c) => c.json({ rules: (await listAlertRules(database(c.env.DB))).map(ruleView) }))
  .post("/alert-rules", validate("json", CreateAlertRuleSchema), async (c) => c.json(await createAlertRule(database(c.env.DB), c.req.valid("json")), 201))
  .patch("/alert-rules/:id", validate("param", AlertIdParamSchema), validate("json", UpdateAlertRuleSchema), async (c) =>
    c.json(await updateAlertRule(database(c.env.DB), c.req.valid("param").id, c.req.valid("json"))));
