/**
 * Command-line handling shared by `bench.ts`, `bench-scale.ts`, `bench-latency.ts` and
 * `eval-retrieval.ts`: `node:util` parseArgs with exit code 2 and the usage on bad usage, `--help`,
 * bounded integer options, the option declarations they have in common, and the command line as
 * typed for their reports. Plain TypeScript run by Node's type stripping.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import type { ParseArgsOptionsConfig } from "node:util";

/**
 * Options of every script that starts its own dev server: `--port <n>` (string as typed), `--keep`
 * (boolean, default false) and `-h, --help` (boolean, default false; {@link CommandLine.parse} acts
 * on it). Spread into the script's own table (`cli.parse({ ...SERVER_SCRIPT_OPTIONS, … })`); each
 * script still validates `port`, applies `keep` and documents all three in its usage text.
 */
export const SERVER_SCRIPT_OPTIONS = {
  port: { type: "string" },
  keep: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsOptionsConfig;

/**
 * Options of the load tests (`bench.ts`, `bench-scale.ts`, `bench-latency.ts`): `--requests <n>`,
 * `--warmup <n>` and `--timeout <s>`, strings as typed. Spread into the script's own table next to
 * {@link SERVER_SCRIPT_OPTIONS}; each script parses them with its own defaults and bounds
 * ({@link CommandLine.int}) and documents them in its usage text.
 */
export const LOAD_TEST_OPTIONS = {
  requests: { type: "string" },
  warmup: { type: "string" },
  timeout: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

/** Parsed option values for an options config, as `parseArgs` types them. */
export type OptionValues<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O }>>["values"];

/**
 * A script's command line and its usage text. Declare the instance with an explicit type
 * (`const cli: CommandLine = …`) so that TypeScript sees that {@link usageError} does not return.
 */
export class CommandLine {
  /** Usage text, printed by `--help` and after a usage error. */
  readonly usage: string;

  constructor(usage: string) {
    this.usage = usage;
  }

  /** Prints `error: <message>` and the usage to stderr and exits with code 2. */
  usageError(message: string): never {
    process.stderr.write(`error: ${message}\n\n${this.usage}\n`);
    process.exit(2);
  }

  /**
   * Parses `process.argv` (strict, no positionals). A parse error is a {@link usageError}; when the
   * options define `help` and it is set, prints the usage to stdout and exits with code 0.
   *
   * @param options The options, as for `parseArgs`.
   */
  parse<const O extends ParseArgsOptionsConfig>(options: O): OptionValues<O> {
    let parsed;
    try {
      parsed = parseArgs({ options });
    } catch (e) {
      this.usageError((e as Error).message);
    }
    const { values } = parsed;
    if ((values as { help?: unknown }).help) {
      process.stdout.write(`${this.usage}\n`);
      process.exit(0);
    }
    return values;
  }

  /**
   * An integer option: `fallback` when absent, else the value, which must be digits only and within
   * `min..max` ({@link usageError} otherwise).
   *
   * @param name Option name without dashes, for the message.
   * @param raw The option's string value, or undefined when absent.
   */
  int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) this.usageError(`--${name} must be an integer in ${min}..${max}, got '${raw}'`);
    return n;
  }
}

/** Quotes an argument for a POSIX shell when needed. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** How a script was started, as {@link commandAsTyped} reads it; {@link currentInvocation} gives this process's. */
export interface Invocation {
  /** As `process.argv`: the program, the script's path, then the arguments. */
  argv: readonly string[];
  /** As `process.argv0`: the program as typed; may be empty. */
  argv0: string;
  /** Working directory; the script's path is shown relative to it. */
  cwd: string;
  /** `npm_lifecycle_event`: the npm script being run, undefined outside npm. */
  npmEvent: string | undefined;
}

/** The {@link Invocation} of this process (`process.argv`, `process.argv0`, `process.cwd()`, `npm_lifecycle_event`). */
export function currentInvocation(): Invocation {
  return { argv: process.argv, argv0: process.argv0, cwd: process.cwd(), npmEvent: process.env.npm_lifecycle_event };
}

/** What differs between the scripts in {@link commandAsTyped}. */
export interface CommandEcho {
  /**
   * The npm script(s) that run this script: its name (`"bench:scale"`, matched exactly), or a test
   * of a non-empty `npm_lifecycle_event` (e.g. `(event) => event.startsWith("eval")`).
   */
  npmScript: string | ((event: string) => boolean);
  /** Program shown outside npm; by default the one typed (`argv0`, or `node` when empty), shell-quoted. */
  program?: string;
}

/**
 * The command line as typed, for the `Command:` line of a report and the `command` field of its
 * JSON: `npm run <event>` followed by `-- <arguments>` when there are any, when the npm script being
 * run matches `echo.npmScript`; else `<program> <script path relative to cwd> <arguments>` (the
 * absolute path when it is the working directory itself). Arguments and paths are quoted with
 * {@link shellQuote}.
 *
 * @param echo The script's npm script name(s) and, optionally, the program to show.
 * @param invocation How the script was started; this process's by default.
 * @returns The command, one line, e.g. `npm run bench:scale -- --chunks 10000` or
 *   `node scripts/bench-scale.ts --chunks 10000`.
 */
export function commandAsTyped(echo: CommandEcho, invocation: Invocation = currentInvocation()): string {
  const args = invocation.argv.slice(2).map(shellQuote);
  const event = invocation.npmEvent;
  const matches = typeof echo.npmScript === "string" ? event === echo.npmScript : !!event && echo.npmScript(event);
  if (matches) return [`npm run ${event}`, ...(args.length ? ["--", ...args] : [])].join(" ");
  const script = path.relative(invocation.cwd, invocation.argv[1]) || invocation.argv[1];
  return [echo.program ?? shellQuote(invocation.argv0 || "node"), shellQuote(script), ...args].join(" ");
}
