#!/usr/bin/env node
/**
 * `npm start`: the one command that runs edge-rag on a fresh clone.
 *  1. installs dependencies when node_modules is missing or older than package-lock.json;
 *  2. builds the web client (web/dist) when it is missing or older than web/;
 *  3. applies the D1 migrations to the local database (the one of `--persist-to DIR` when given);
 *  4. starts `wrangler dev --local` on port $PORT (default 8787), which serves the client at `/`;
 *  5. on an empty knowledge base, ingests the project's own docs/ folder;
 *  6. creates `.dev.vars` with a random ADMIN_TOKEN (the dashboard's sign-in, the break-glass
 *     admin) and JWT_SECRET (accounts' access tokens) when it lacks them;
 *  7. on first run (no user yet), creates the admin account admin@edge-rag.local and prints its
 *     one-time password. Local development runs with AUTH_MODE=open (wrangler.toml): anonymous
 *     requests may chat and ingest; `--var AUTH_MODE:accounts` requires sign-in (docs/access.md).
 * Plain JavaScript that runs on any Node ≥ 18: it is what brings in the project's Node.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureInstalled, projectEnv, root } from "./lib/install.mjs";
import { ensureWebBuilt } from "./lib/web-build.mjs";

const port = process.env.PORT || "8787";
const url = `http://127.0.0.1:${port}`;
const env = projectEnv();

function log(message) {
  process.stdout.write(`[edge-rag] ${message}\n`);
}

function run(command, args, extraEnv = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...env, ...extraEnv } });
  if (result.status !== 0) {
    log(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

const installFailure = ensureInstalled(log);
if (installFailure) {
  log(installFailure);
  process.exit(1);
}

const webFailure = ensureWebBuilt(log);
if (webFailure) {
  log(webFailure);
  process.exit(1);
}

/** Extra arguments go to `wrangler dev`; a state folder among them (`--persist-to DIR`) is migrated too. */
const devArgs = process.argv.slice(2);
const persistAt = devArgs.findIndex((a) => a === "--persist-to" || a.startsWith("--persist-to="));
const persistArgs = persistAt < 0 ? [] : devArgs[persistAt].includes("=") ? [devArgs[persistAt]] : devArgs.slice(persistAt, persistAt + 2);

// Secrets of the local Worker, never in wrangler.toml: the admin token of the quality dashboard
// and the key that signs access tokens.
const devVars = join(root, ".dev.vars");
const secrets = { ADMIN_TOKEN: [18, "an admin token for the dashboard"], JWT_SECRET: [32, "a key for access tokens"] };
for (const [name, [bytes, what]] of Object.entries(secrets)) {
  const vars = existsSync(devVars) ? readFileSync(devVars, "utf8") : "";
  if (new RegExp(`^${name}=`, "m").test(vars)) continue;
  appendFileSync(devVars, `${vars && !vars.endsWith("\n") ? "\n" : ""}${name}=${randomBytes(bytes).toString("base64url")}\n`);
  log(`created ${what}: ${name} in .dev.vars`);
}
const adminToken = /^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(devVars, "utf8"))[1].trim();

log("applying D1 migrations…");
run("wrangler", ["d1", "migrations", "apply", "DB", "--local", ...persistArgs], { CI: "true" });

log(`starting wrangler dev on ${url}…`);
const dev = spawn("wrangler", ["dev", "--local", "--port", port, "--ip", "127.0.0.1", ...devArgs], {
  cwd: root,
  stdio: "inherit",
  env,
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));

async function waitForHealth(timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return res.json();
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the dev server did not answer on ${url}/health within ${timeoutMs / 1000} s`);
}

try {
  const health = await waitForHealth();
  const list = await (await fetch(`${url}/api/documents?limit=1`)).json();
  if (list.total === 0) {
    log("empty knowledge base: ingesting docs/ …");
    const ingest = spawnSync("node", [join(root, "scripts", "ingest.ts"), join(root, "docs"), "--url", url], { cwd: root, stdio: "inherit", env });
    if (ingest.status !== 0) log("ingesting docs/ reported failures (see above); the server keeps running");
  } else {
    log(`knowledge base holds ${list.total} document(s)`);
  }
  const users = await fetch(`${url}/api/users`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (users.ok && (await users.json()).users.length === 0) {
    const created = await fetch(`${url}/api/users`, {
      method: "POST", headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@edge-rag.local", role: "admin" }),
    });
    const admin = await created.json();
    if (created.ok) log(`created the admin account admin@edge-rag.local with the one-time password ${admin.one_time_password} (shown once; POST /api/auth/login)`);
    else log(`could not create the admin account: ${JSON.stringify(admin)}`);
  }
  log(`ready: open ${url}/ in a browser (embedding ${health.providers.embedding}, generation ${health.providers.generation}, vector index ${health.providers.vector_index})`);
  log(`quality dashboard: ${url}/dashboard (sign in with ADMIN_TOKEN from .dev.vars)`);
  log(`try: curl -s -X POST ${url}/api/chat -H 'content-type: application/json' -d '{"query":"What is edge-rag?"}'`);
} catch (e) {
  log(String(e instanceof Error ? e.message : e));
  dev.kill("SIGTERM");
  process.exit(1);
}
