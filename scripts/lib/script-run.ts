/**
 * Lifecycle shared by the scripts that measure a fresh local dev server (`bench.ts`,
 * `bench-latency.ts`, `bench-scale.ts`, `eval-retrieval.ts`): the run state that the cleanup needs
 * (temporary folder, dev server, teardown outcome), the optional memory sampler of the server's
 * process tree, stopping the server's process group, removing the temporary folder, the
 * SIGINT/SIGTERM handlers (exit code 130 / 143) and the wrapper that runs `main` and sets the
 * exit code. Plain TypeScript run by Node's type stripping.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { groupAlive, listProcesses, TreeMemorySampler } from "./bench-proc.ts";
import { applyMigrations, ephemeralPort, killAllGroupsSync, startDevServer } from "./bench-server.ts";
import type { DevServer, DevServerOptions } from "./bench-server.ts";
import { num } from "./report.ts";

/** What the cleanup and the report need to know about a run. */
export interface RunState {
  /** `--keep`: leave the temporary folder in place. */
  keep: boolean;
  /** Temporary folder of the run (state, logs), once created. */
  tmp?: string;
  /** The dev server, once started. */
  server?: DevServer;
  /** Pids that needed SIGKILL when the server was stopped. */
  forcedKills: number[];
  /** Whether processes of the server's group were still alive after stopping it. */
  leftovers: boolean;
}

/** Paths inside the temporary folder of a run, from {@link ScriptRun.createTemp}. */
export interface TempFolder {
  /** The folder itself. */
  tmp: string;
  /** Local state of the dev server (`--persist-to`). */
  persistTo: string;
  /** Output of `wrangler d1 migrations apply`. */
  migrationsLog: string;
  /** Output of `wrangler dev`. */
  devLog: string;
}

/** The fields of the dev server's `GET /health` body that the reports use. */
export interface ServerHealth {
  version?: string;
  providers?: { embedding?: string; generation?: string; vector_index?: string };
}

/** A dev server started by {@link ScriptRun.startServer}. */
export interface StartedServer {
  server: DevServer;
  /** Seconds from spawning `wrangler dev` until `GET /health` answered 200. */
  startupSeconds: number;
  /** Body of that first `GET /health`. */
  health: ServerHealth;
}

/** Options of {@link ScriptRun}. */
export interface ScriptRunOptions {
  /** Progress logger of the script (stderr, with the script's prefix). */
  log: (message: string) => void;
  /**
   * Sampling interval in milliseconds of a {@link TreeMemorySampler} started on each dev server's
   * process tree as soon as its `wrangler dev` is spawned (read through {@link ScriptRun.sampler}).
   * Without it, no memory is sampled.
   */
  memorySampleMs?: number;
  /**
   * Awaited by {@link ScriptRun.cleanup} after stopping the memory sampler and before stopping the
   * server (e.g. to stop other servers the script started itself).
   */
  beforeCleanup?: () => Promise<void>;
  /** Called on the first SIGINT/SIGTERM, before the cleanup (e.g. to stop a load test in progress). */
  onInterrupt?: () => void;
  /** After stopping the server, also log how many exited processes of its group await reaping by init. */
  reportZombies?: boolean;
  /**
   * When stopping the server fails during {@link ScriptRun.cleanup}, log the error and go on with the
   * cleanup instead of rejecting. A direct {@link ScriptRun.stopServer} call rejects either way.
   */
  logStopErrors?: boolean;
}

/**
 * One run of a script around a dev server: create it at module level, fill in `state` as the run
 * goes (`keep`, then `server`; `tmp` through {@link createTemp}), call {@link checkInterrupted}
 * between steps, and start the script with {@link run}.
 */
export class ScriptRun {
  /** State read by the cleanup, the signal handlers and the report. */
  readonly state: RunState = { keep: false, forcedKills: [], leftovers: false };
  readonly #options: ScriptRunOptions;
  #interrupted = false;
  #sampler: TreeMemorySampler | undefined;
  #stopping: Promise<void> | undefined;
  #cleaning: Promise<void> | undefined;

  constructor(options: ScriptRunOptions) {
    this.#options = options;
  }

  /** Whether SIGINT or SIGTERM arrived; the signal handler then cleans up and exits. */
  get interrupted(): boolean {
    return this.#interrupted;
  }

  /**
   * Memory sampler of the current dev server's process tree: started when its `wrangler dev` was
   * spawned, sampling every `memorySampleMs` (phase `startup` until the script calls `setPhase`),
   * stopped by {@link restartServer} (which starts a new one for the new server) and by
   * {@link cleanup}. Its samples stay readable after it stops.
   *
   * @throws Error when the run has no `memorySampleMs` or no dev server was spawned yet.
   */
  get sampler(): TreeMemorySampler {
    if (!this.#sampler) throw new Error(this.#options.memorySampleMs === undefined ? "this run samples no memory (no memorySampleMs)" : "no dev server was spawned yet");
    return this.#sampler;
  }

  /**
   * Ends the main flow once a signal arrived (the signal handler cleans up and exits).
   *
   * @throws Error `interrupted` after SIGINT or SIGTERM.
   */
  checkInterrupted(): void {
    if (this.#interrupted) throw new Error("interrupted");
  }

  /**
   * Creates the run's temporary folder under the OS temporary directory, records it in
   * `state.tmp` (removed by {@link cleanup} unless `state.keep`) and logs its path.
   *
   * @param prefix Folder name prefix, e.g. `edge-rag-bench-`.
   * @returns The folder and the paths of the server state and logs inside it.
   */
  async createTemp(prefix: string): Promise<TempFolder> {
    const tmp = await mkdtemp(path.join(os.tmpdir(), prefix));
    this.state.tmp = tmp;
    this.#options.log(`temporary folder ${tmp}${this.state.keep ? " (kept)" : ""}`);
    return { tmp, persistTo: path.join(tmp, "state"), migrationsLog: path.join(tmp, "migrations.log"), devLog: path.join(tmp, "wrangler-dev.log") };
  }

  /**
   * Applies the D1 migrations to the fresh state folder, then starts `wrangler dev --local` on it
   * with a free inspector port ({@link startDevServer}), timed, and records it in `state.server`
   * for the cleanup. Logs each step, then the startup time and the server's providers.
   *
   * @param options As for {@link startDevServer}, without the inspector port.
   * @param migrationsLog File that receives the output of the migrations.
   * @throws Error from {@link applyMigrations} or {@link startDevServer}, or `interrupted` when a
   *   signal arrived during either step.
   */
  async startServer(options: Omit<DevServerOptions, "inspectorPort">, migrationsLog: string): Promise<StartedServer> {
    this.#options.log("applying D1 migrations…");
    await applyMigrations({ root: options.root, persistTo: options.persistTo }, migrationsLog);
    this.checkInterrupted();
    return this.#launch(options);
  }

  /**
   * Stops the memory sampler of the running dev server, if any, and the server ({@link stopServer}),
   * then starts a new one with `options` (same state folder, no migrations) and a new sampler, e.g.
   * to measure a cold start on the state the run has built.
   * Pids that needed SIGKILL accumulate in `state.forcedKills`, and `state.leftovers` stays true
   * once any server left processes behind.
   *
   * @param options As for {@link startServer}.
   * @throws Error from stopping or from {@link startDevServer}, or `interrupted` after a signal.
   */
  async restartServer(options: Omit<DevServerOptions, "inspectorPort">): Promise<StartedServer> {
    await this.#stopSampler();
    await this.stopServer();
    this.checkInterrupted();
    this.#stopping = undefined;
    this.state.server = undefined;
    return this.#launch(options);
  }

  /**
   * Starts the dev server on a free inspector port, timed, and records it in `state.server`; starts
   * a memory sampler on its process tree once it is spawned (with `memorySampleMs`).
   */
  async #launch(options: Omit<DevServerOptions, "inspectorPort">): Promise<StartedServer> {
    const { log } = this.#options;
    const inspectorPort = await ephemeralPort();
    const vars = Object.entries(options.vars ?? {}).map(([name, value]) => ` --var ${name}:${value}`).join("");
    log(`starting wrangler dev --local${vars} on 127.0.0.1:${options.port}…`);
    const bootStart = performance.now();
    const onSpawn = (pid: number) => {
      this.#startSampler(pid);
      options.onSpawn?.(pid);
    };
    this.state.server = await startDevServer({ ...options, inspectorPort, onSpawn });
    this.checkInterrupted();
    const server = this.state.server;
    const startupSeconds = (performance.now() - bootStart) / 1000;
    const health = server.health as ServerHealth;
    log(`ready in ${num(startupSeconds, 1)} s (pid ${server.pid}); providers: ${JSON.stringify(health.providers ?? {})}`);
    return { server, startupSeconds, health };
  }

  /** With `memorySampleMs`: starts sampling the process tree under `pid` (a new sampler). */
  #startSampler(pid: number): void {
    const { memorySampleMs } = this.#options;
    if (memorySampleMs === undefined) return;
    this.#sampler = new TreeMemorySampler(pid, memorySampleMs);
    this.#sampler.start();
  }

  /** Stops the current memory sampler, if any (after a last sample); never rejects. */
  async #stopSampler(): Promise<void> {
    await this.#sampler?.stop().catch(() => undefined);
  }

  /**
   * Stops the dev server's whole process group, if one was started, and records the pids that
   * needed SIGKILL and whether anything of the group is left in `state`. Idempotent: later calls
   * return the first call's promise (until {@link restartServer} starts another server).
   */
  stopServer(): Promise<void> {
    const { log, reportZombies } = this.#options;
    const state = this.state;
    this.#stopping ??= (async () => {
      if (!state.server) return;
      const pid = state.server.pid;
      log(`stopping the dev server (process group ${pid})…`);
      const forced = await state.server.stop();
      state.forcedKills.push(...forced);
      const alive = await groupAlive(pid).catch(() => false);
      if (alive) state.leftovers = true;
      if (reportZombies) {
        const zombies = (await listProcesses().catch(() => [])).filter((p) => p.pgrp === pid).length;
        if (zombies > 0 && !alive) log(`${zombies} exited process(es) of the group still await reaping by init`);
      }
      if (forced.length) log(`SIGKILL was needed for pid(s) ${forced.join(", ")}`);
      log(alive ? `WARNING: processes of group ${pid} are still alive` : "dev server stopped; no process of its group is left");
    })();
    return this.#stopping;
  }

  /**
   * Stops the memory sampler, runs `beforeCleanup`, stops the server ({@link stopServer}), SIGKILLs
   * every process group still registered, and removes the temporary folder unless `state.keep`.
   * Idempotent.
   */
  cleanup(): Promise<void> {
    const { log, beforeCleanup, logStopErrors } = this.#options;
    this.#cleaning ??= (async () => {
      await this.#stopSampler();
      await beforeCleanup?.();
      const stopped = this.stopServer();
      await (logStopErrors ? stopped.catch((e) => log(`error while stopping the server: ${e instanceof Error ? e.message : String(e)}`)) : stopped);
      killAllGroupsSync();
      if (this.state.tmp && !this.state.keep) await rm(this.state.tmp, { recursive: true, force: true }).catch(() => undefined);
    })();
    return this.#cleaning;
  }

  /**
   * Installs the signal and exit handlers, then runs `main` and sets the exit code.
   *
   * - First SIGINT/SIGTERM: logs it, calls `onInterrupt`, cleans up, exits 130 (SIGINT) or 143
   *   (SIGTERM); a second signal SIGKILLs the process groups and exits 130 at once.
   * - On exit: SIGKILLs every process group still registered (last resort).
   * - `main` resolves: cleans up, exit code = the resolved value.
   * - `main` rejects (unless interrupted): logs `error: <message>`, cleans up, logs the kept
   *   temporary folder if any, exit code 1.
   *
   * @param main The script's flow; resolves with its exit code.
   */
  run(main: () => Promise<number>): void {
    const { log, onInterrupt } = this.#options;
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.on(signal, () => {
        if (this.#interrupted) {
          killAllGroupsSync();
          process.exit(130);
        }
        this.#interrupted = true;
        log(`${signal} received: stopping…`);
        onInterrupt?.();
        void this.cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
      });
    }
    process.on("exit", () => killAllGroupsSync());

    main().then(
      async (code) => {
        await this.cleanup();
        process.exitCode = code;
      },
      async (e) => {
        if (this.#interrupted) return;
        log(`error: ${e instanceof Error ? e.message : String(e)}`);
        await this.cleanup();
        if (this.state.tmp && this.state.keep) log(`temporary folder kept: ${this.state.tmp}`);
        process.exitCode = 1;
      },
    );
  }
}
