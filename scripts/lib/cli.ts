/**
 * Command-line handling shared by `bench.ts` and `eval-retrieval.ts`: `node:util` parseArgs with
 * exit code 2 and the usage on bad usage, `--help`, bounded integer options, and shell quoting for
 * echoing the command line. Plain TypeScript run by Node's type stripping.
 */
import { parseArgs } from "node:util";
import type { ParseArgsOptionsConfig } from "node:util";

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
