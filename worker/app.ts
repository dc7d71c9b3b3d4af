/** The Hono application: one sub-app per resource, mounted with `app.route`. */
import { Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "./http/context";
import { errorBody, handleError } from "./http/errors";
import { corsForClient } from "./http/cors";
import { requestLog } from "./http/logger";
import { requireAdmin } from "./http/admin";
import { deployedEnv } from "./config-versions/deployed";
import { adminSessionRoute } from "./routes/admin-session";
import { chatRoute, wsRoute } from "./routes/chat";
import { configRoute } from "./routes/config";
import { debugRoute } from "./routes/debug";
import { documentsRoute } from "./routes/documents";
import { feedbackRoute } from "./routes/feedback";
import { health } from "./routes/health";
import { ingestRoute } from "./routes/ingest";
import { monitoringAlertsRoute } from "./routes/monitoring-alerts";
import { monitoringHealthRoute } from "./routes/monitoring-health";
import { monitoringProposalsRoute } from "./routes/monitoring-proposals";
import { monitoringRunsRoute } from "./routes/monitoring-runs";
import { openAICompatRoute } from "./routes/openai-compat";
import { ragRoute } from "./routes/rag";
import { agentsRoute } from "./routes/agents";
import { tasksRoute } from "./routes/tasks";

/** Middleware: the request's env becomes the production config version's (worker/config-versions/deployed.ts). */
const withDeployedConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.env = await deployedEnv(c.env);
  await next();
};

export const app = new Hono<AppEnv>()
  .use(requestLog())
  .use("/api/*", corsForClient())
  // The API runs with the production config version's tunables (cached per isolate, ≤ 60 s old);
  // /health and /ws skip it (the ChatSession reads the deployed version itself).
  .use("/api/*", withDeployedConfig)
  .use("/v1/*", withDeployedConfig)
  // The quality loop and the config versions are the admin's (worker/http/admin.ts).
  .use("/api/meta-monitoring/*", requireAdmin())
  .use("/api/config/*", requireAdmin())
  .route("/health", health)
  .route("/api/admin/session", adminSessionRoute)
  .route("/api/documents", documentsRoute)
  .route("/api/ingest", ingestRoute)
  .route("/api/rag", ragRoute)
  .route("/api/chat", chatRoute)
  .route("/api/feedback", feedbackRoute)
  .route("/api/tasks", tasksRoute)
  .route("/api/agents", agentsRoute)
  .route("/api/meta-monitoring", monitoringHealthRoute)
  .route("/api/meta-monitoring", monitoringAlertsRoute)
  .route("/api/meta-monitoring", monitoringRunsRoute)
  .route("/api/meta-monitoring", monitoringProposalsRoute)
  .route("/api/config", configRoute)
  .route("/ws", wsRoute)
  .route("/api/debug", debugRoute)
  .route("/v1", openAICompatRoute);

/** The API's route types, for the web client's typed client (`hc<AppType>` from "hono/client"). */
export type AppType = typeof app;

app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404));
app.onError(handleError);
