/**
 * Helpers of the daily model caps tests (docs/access.md, "Daily model caps"): a production config
 * version on the OpenAI-compatible provider with the mock server's model, the mock's endpoint and
 * small caps in a session's Durable Object, and the counters in D1.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { sessionStub } from "../../worker/routes/chat";
import { ADMIN, api } from "./api";

/** Deploys a config version with GENERATION_PROVIDER=openai and `model` of the mock server (test/support/mock-openai.ts). */
export async function deployModelProvider(model = "graph-json"): Promise<void> {
  const created = await api("POST", "/api/config/versions", { values: { GENERATION_PROVIDER: "openai", OPENAI_CHAT_MODEL: model }, description: "daily caps test" }, ADMIN);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const deployed = await api("POST", "/api/config/deploy", { version_id: created.body.id, reason: "daily caps test" }, ADMIN);
  expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
}

/**
 * Runs the session's Durable Object with the mock server as its OpenAI-compatible endpoint and
 * `vars` (e.g. DAILY_MODEL_CALLS_PER_SESSION) over the test bindings: its `env` is replaced in
 * the live instance, which the Worker's requests to that session then reach. The secret and the
 * base URL are not tunables of config versions, hence this rather than a deploy.
 */
export async function sessionVars(sessionId: string, vars: Record<string, string> = {}): Promise<void> {
  await runInDurableObject(sessionStub(env, sessionId), (instance: object) => {
    (instance as { env: Env }).env = { ...env, OPENAI_API_KEY: "sk-test-caps", OPENAI_BASE_URL: `${env.MOCK_OPENAI_URL}/v1`, ...vars } as unknown as Env;
  });
}

/** Today's counter of a user or session, or undefined. */
export async function counter(scope: "user" | "session", key: string): Promise<{ calls: number; tokens: number } | undefined> {
  const row = await env.DB.prepare("SELECT calls, tokens FROM model_usage WHERE day = ? AND scope = ? AND key = ?")
    .bind(new Date().toISOString().slice(0, 10), scope, key)
    .first<{ calls: number; tokens: number }>();
  return row ?? undefined;
}

/** Seconds until the next UTC midnight, as the server computes `retry-after`. */
export function secondsToMidnight(): number {
  const now = Date.now();
  return Math.ceil((Math.ceil((now + 1) / 86_400_000) * 86_400_000 - now) / 1000);
}
