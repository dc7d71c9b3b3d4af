/**
 * Lifecycle of the isolated `wrangler dev --local` server used by the benchmark: free ports, D1
 * migrations and the dev server in their own process groups with output to log files, health
 * wait, and teardown of the whole process group. Plain TypeScript run by Node's type stripping.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { killProcessGroup, killProcessGroupSync, listProcesses, processTree, type ProcInfo } from "./bench-proc.ts";

/** Process groups started by this module and not yet reaped: killed on exit as a last resort. */
const liveGroups = new Set<number>();

/** SIGKILLs every process group this module started and that is still registered. Synchronous. */
export function killAllGroupsSync(): void {
  for (const pgid of liveGroups) killProcessGroupSync(pgid);
  liveGroups.clear();
}

/**
 * Whether a TCP port can be bound on `host`.
 *
 * @param port Port to try.
 * @param host Interface address, default `127.0.0.1`.
 */
export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A port the operating system reports free on `host` (bound to port 0, then released).
 *
 * @param host Interface address, default `127.0.0.1`.
 */
export function ephemeralPort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("could not get a free port"))));
    });
  });
}

/**
 * Picks the dev server port: `port` when it is free on 127.0.0.1; otherwise, unless it was given
 * explicitly, the next free one of the following 49 ports, or else one the system reports free.
 *
 * @param port Requested port.
 * @param explicit Whether the user chose `port` (then a busy port is an error).
 * @param log Progress logger, told which port is used instead.
 * @throws Error when an explicit port is busy.
 */
export async function choosePort(port: number, explicit: boolean, log: (message: string) => void): Promise<number> {
  if (await isPortFree(port)) return port;
  if (explicit) throw new Error(`port ${port} is already in use on 127.0.0.1; choose another with --port`);
  for (let p = port + 1; p < Math.min(65536, port + 50); p++) {
    if (await isPortFree(p)) {
      log(`port ${port} is in use; using ${p}`);
      return p;
    }
  }
  const p = await ephemeralPort();
  log(`ports ${port}..${port + 49} are in use; using ${p}`);
  return p;
}

/** Last `lines` lines of a log file, or an empty string when it cannot be read. */
export function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Where and how to run wrangler. */
export interface WranglerContext {
  /** Repository root (holds wrangler.toml and node_modules). */
  root: string;
  /** Folder of the isolated local state (`--persist-to`). */
  persistTo: string;
}

function wranglerBin(root: string): string {
  return path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");
}

function baseEnv(root: string): NodeJS.ProcessEnv {
  const bin = path.join(root, "node_modules", ".bin");
  return {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
  };
}

/** Spawns `node wrangler.js <args>` as the leader of a new process group, output appended to `logFile`. */
function spawnWrangler(ctx: WranglerContext, args: string[], logFile: string, env: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(logFile, "a");
  try {
    const child = spawn(process.execPath, [wranglerBin(ctx.root), ...args], {
      cwd: ctx.root,
      env,
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    if (child.pid !== undefined) liveGroups.add(child.pid);
    return child;
  } finally {
    closeSync(fd);
  }
}

/**
 * Applies the D1 migrations to the isolated state:
 * `wrangler d1 migrations apply DB --local --persist-to <persistTo>` with `CI=true` (no prompt).
 *
 * @param ctx Repository root and state folder.
 * @param logFile File that receives the command's stdout and stderr.
 * @throws Error with the end of the log when the command fails.
 */
export async function applyMigrations(ctx: WranglerContext, logFile: string): Promise<void> {
  const child = spawnWrangler(ctx, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", ctx.persistTo], logFile, {
    ...baseEnv(ctx.root),
    CI: "true",
  });
  const code = await new Promise<number | string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (c, signal) => resolve(c ?? signal ?? 1));
  }).finally(() => {
    if (child.pid !== undefined) liveGroups.delete(child.pid);
  });
  if (code !== 0) {
    throw new Error(`wrangler d1 migrations apply failed (exit ${code}); end of ${logFile}:\n${logTail(logFile)}`);
  }
}

/** A running dev server. */
export interface DevServer {
  /** Pid of the spawned wrangler process, also its process group id. */
  pid: number;
  /** Base URL, e.g. `http://127.0.0.1:8790`. */
  url: string;
  port: number;
  logFile: string;
  /** Body of the first successful `GET /health`. */
  health: unknown;
  /** Kills the whole process group (idempotent). Resolves with the pids that needed SIGKILL. */
  stop(): Promise<number[]>;
}

/** Options of {@link startDevServer}. */
export interface DevServerOptions extends WranglerContext {
  port: number;
  /** Devtools inspector port; must be free (the default 9229 is often taken by another server). */
  inspectorPort: number;
  logFile: string;
  /** Time allowed until `GET /health` answers 200. Default 120 s. */
  readyTimeoutMs?: number;
  /** Called with the pid right after spawning, before the health wait (e.g. to start sampling). */
  onSpawn?: (pid: number) => void;
  /**
   * Worker vars that override wrangler.toml `[vars]` for this server, passed as
   * `--var NAME:VALUE` (e.g. `{ MAX_TOP_K: "100" }`). Names must not contain `:`.
   */
  vars?: Record<string, string>;
  /** Further `wrangler dev` arguments, appended after the others (e.g. `["--log-level", "warn"]`). */
  extraArgs?: readonly string[];
  /** Environment variables for wrangler, over the defaults (e.g. `{ X_LOCAL_OBSERVABILITY: "false" }`). */
  env?: Record<string, string>;
}

/**
 * Starts `wrangler dev --local --port <port> --ip 127.0.0.1 --persist-to <persistTo>` (plus one
 * `--var NAME:VALUE` per entry of `vars`, then `extraArgs`) in a new process group, with
 * `CLOUDFLARE_CF_FETCH_ENABLED=false`, `WRANGLER_SEND_METRICS=false` and `env`, stdout and stderr
 * appended to `logFile`, and waits until `GET /health` answers 200.
 *
 * @returns The server; call `stop()` in every outcome (it is also killed on process exit by
 *   {@link killAllGroupsSync} when registered as an exit handler).
 * @throws Error with the end of the log when the process exits, the log reports `Build failed`
 *   (wrangler would otherwise wait for a source change), or it does not become healthy in time;
 *   the process group is killed before throwing.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const args = [
    "dev", "--local",
    "--port", String(options.port),
    "--ip", "127.0.0.1",
    "--inspector-port", String(options.inspectorPort),
    "--persist-to", options.persistTo,
    "--show-interactive-dev-session=false",
  ];
  for (const [name, value] of Object.entries(options.vars ?? {})) {
    if (!name || name.includes(":")) throw new Error(`invalid var name for --var: '${name}'`);
    args.push("--var", `${name}:${value}`);
  }
  args.push(...(options.extraArgs ?? []));
  const child = spawnWrangler(options, args, options.logFile, { ...baseEnv(options.root), ...options.env });
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((resolve) => child.once("error", resolve));
    throw new Error(`could not spawn wrangler dev; see ${options.logFile}`);
  }
  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = `exit ${code ?? signal}`;
  });

  // Tree snapshots taken while the server runs, to catch descendants that might leave the group.
  let lastTree: ProcInfo[] = [];
  let stopping: Promise<number[]> | undefined;
  const stop = (): Promise<number[]> => {
    stopping ??= (async () => {
      try {
        const tree = processTree(pid, await listProcesses());
        if (tree.length > 0) lastTree = tree;
      } catch {
        // keep the previous snapshot
      }
      const forced = await killProcessGroup(pid, lastTree);
      liveGroups.delete(pid);
      return forced;
    })();
    return stopping;
  };

  options.onSpawn?.(pid);
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = performance.now() + (options.readyTimeoutMs ?? 120_000);
  let health: unknown;
  try {
    for (;;) {
      if (exited) throw new Error(`wrangler dev stopped before answering (${exited}); end of ${options.logFile}:\n${logTail(options.logFile)}`);
      // wrangler keeps watching after a failed build instead of exiting: fail fast.
      if (/Build failed/.test(logTail(options.logFile, 400))) {
        throw new Error(`wrangler dev could not build the Worker; end of ${options.logFile}:\n${logTail(options.logFile, 40)}`);
      }
      if (performance.now() > deadline) {
        throw new Error(`wrangler dev did not answer GET ${url}/health within ${(options.readyTimeoutMs ?? 120_000) / 1000} s; end of ${options.logFile}:\n${logTail(options.logFile)}`);
      }
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) {
          health = await res.json();
          break;
        }
        await res.body?.cancel();
      } catch {
        // not up yet
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    lastTree = processTree(pid, await listProcesses());
  } catch (e) {
    await stop();
    throw e;
  }
  return { pid, url, port: options.port, logFile: options.logFile, health, stop };
}
