/** The Hono application: one sub-app per resource, mounted with `app.route`. */
import { Hono, type MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./http/context";
import { errorBody, handleError } from "./http/errors";
import { corsForClient } from "./http/cors";
import { requestLog } from "./http/logger";
import { authenticate, type AppRoute } from "./http/auth";
import { bodyLimits } from "./http/body-limits";
import { rateLimits } from "./http/rate-limit";
import { deployedEnv } from "./config-versions/deployed";
import { adminSessionRoute } from "./routes/admin-session";
import { apiKeysRoute } from "./routes/api-keys";
import { authRoute } from "./routes/auth";
import { usersRoute } from "./routes/users";
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
import { taskProgressRoute } from "./routes/task-progress";
import { resumeTasksOnce } from "./tasks/recovery";

/** Middleware: the request's env becomes the production config version's (worker/config-versions/deployed.ts). */
const withDeployedConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.env = await deployedEnv(c.env);
  await next();
};

/** JSON answers: nothing may load from them, nothing may frame them (`hono/secure-headers` defaults plus a CSP). */
const apiSecureHeaders = secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } });

/** The app's routes, for telling an unlisted route (admin) from no route (404) in `authenticate`. */
const appRoutes = (): readonly AppRoute[] => app.routes;

export const app = new Hono<AppEnv>()
  .use(requestLog())
  // The first request of an isolate wakes task Workflows that stopped with a restarted local runtime (worker/tasks/recovery.ts).
  .use(resumeTasksOnce())
  .use("/api/*", corsForClient())
  // Security headers of the API's answers (the web client's are in web/public/_headers); not on
  // /ws, whose 101 answers come from the Durable Object.
  .use("/api/*", apiSecureHeaders)
  .use("/v1/*", apiSecureHeaders)
  .use("/health", apiSecureHeaders)
  // The API runs with the production config version's tunables (cached per isolate, ≤ 60 s old);
  // /health and /ws skip it (the ChatSession reads the deployed version itself).
  .use("/api/*", withDeployedConfig)
  .use("/v1/*", withDeployedConfig)
  // Who calls, and whether the route allows it (worker/http/auth.ts, worker/auth/policy.ts).
  .use("/api/*", authenticate(appRoutes))
  .use("/v1/*", authenticate(appRoutes))
  .use("/ws/*", authenticate(appRoutes))
  .use(rateLimits())
  .use(bodyLimits())
  .route("/health", health)
  .route("/api/admin/session", adminSessionRoute)
  .route("/api/auth/api-keys", apiKeysRoute)
  .route("/api/auth", authRoute)
  .route("/api/users", usersRoute)
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
  .route("/ws/tasks", taskProgressRoute)
  .route("/ws", wsRoute)
  .route("/api/debug", debugRoute)
  .route("/v1", openAICompatRoute);

/** The API's route types, for the web client's typed client (`hc<AppType>` from "hono/client"). */
export type AppType = typeof app;

app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404));
app.onError(handleError);
