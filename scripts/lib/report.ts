/**
 * Reporting shared by the benchmark and evaluation scripts (`bench.ts`, `bench-latency.ts`,
 * `bench-scale.ts`, `eval-retrieval.ts`): the machine and package versions recorded in a JSON
 * result file, the peak-memory rows of that file, writing it, and the end of the Markdown report
 * (errors and warnings sections, the closing log lines and the exit code). Plain TypeScript run by
 * Node's type stripping.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { MemoryPeak } from "./bench-proc.ts";

/** Fixed-point number with thousands separators (`1,234.5`); `–` for NaN and infinities. */
export function num(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return "–";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `value` rounded to `digits` decimals for the JSON result; NaN and infinities unchanged. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Number.isFinite(value) ? Math.round(value * f) / f : value;
}

/** The machine a run measured on, as recorded in the result files. */
export interface MachineInfo {
  /** `<type> <release> <arch>`, e.g. `Linux 6.8.0 x64`. */
  os: string;
  cpus: number;
  cpuModel: string;
  /** Total memory in GiB, one decimal. */
  totalMemGiB: number;
  /** Node version, e.g. `v24.1.0`. */
  node: string;
}

/** The machine this process runs on (`node:os`). */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    totalMemGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
  };
}

/**
 * Version of a package installed in `<root>/node_modules`, or `unknown`.
 *
 * @param root Repository root.
 * @param name Package name, e.g. `wrangler` or `@orama/orama`.
 */
export async function packageVersion(root: string, name: string): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(path.join(root, "node_modules", name, "package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * The fields every result file starts with, in this order: `schema` (1), `startedAt`,
 * `finishedAt` (now), `command`, `cwd`, `machine`, `versions`.
 *
 * @param run When the run started, the command line as typed, the machine and the versions of the
 *   measured and measuring packages.
 */
export function resultHeader<V>(run: { startedAt: Date; command: string; machine: MachineInfo; versions: V }) {
  return {
    schema: 1,
    startedAt: run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: run.command,
    cwd: process.cwd(),
    machine: run.machine,
    versions: run.versions,
  };
}

/**
 * Writes a run's result as JSON indented by 2 spaces with a final newline, creating the folder.
 *
 * @param file Path of the result file.
 * @param result Anything `JSON.stringify` accepts.
 */
export async function writeJsonResult(file: string, result: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
}

/** Peak memory of a run or of one of its phases, as recorded in the JSON result files. */
export interface MemoryRow {
  /** Highest summed RSS of the dev server's process tree, MiB (1 MiB = 1024 KiB), one decimal. */
  peakTotalMiB: number;
  /** Highest summed RSS of the tree's `workerd` processes, MiB, one decimal. */
  peakWorkerdMiB: number;
  /** Most processes in the tree at once; only when asked for (`maxProcesses: true`). */
  maxProcesses?: number;
  /** Number of samples the peaks were taken over. */
  samples: number;
}

/**
 * The JSON row of a memory peak from a `TreeMemorySampler` (`sampler.peak()` or
 * `sampler.peak(phase)`), its KiB converted to MiB.
 *
 * @param peak Peaks in KiB and the number of samples.
 * @param options `maxProcesses`: also record the most processes seen at once (`bench.ts` does,
 *   `bench-scale.ts` does not).
 * @returns The fields in this order: `peakTotalMiB`, `peakWorkerdMiB`, `maxProcesses` (when asked
 *   for), `samples`.
 */
export function memoryRow(peak: MemoryPeak, options: { maxProcesses?: boolean } = {}): MemoryRow {
  return {
    peakTotalMiB: round(peak.totalKiB / 1024, 1),
    peakWorkerdMiB: round(peak.workerdKiB / 1024, 1),
    ...(options.maxProcesses ? { maxProcesses: peak.processes } : {}),
    samples: peak.samples,
  };
}

/** The end of a run, for {@link printReport}. */
export interface ReportEnd {
  /** Errors of the run: each one a list item; any makes the exit code 1. */
  issues: readonly string[];
  /** Worth a look but not failures: each one a list item. */
  warnings: readonly string[];
  /** The JSON result file, logged relative to the working directory. */
  file: string;
  /** With `--keep`: the temporary folder and its logs, logged as kept. */
  kept?: string;
  /** Progress logger of the script (stderr). */
  log: (message: string) => void;
}

/**
 * Appends the `**Errors in this run:**` and `**Warnings:**` lists (each only when non-empty) to
 * the Markdown report, prints it to stdout, then logs where the results were written, the kept
 * temporary folder and the number of errors.
 *
 * @param lines The Markdown report so far, ending with a blank line; appended to.
 * @returns The exit code: 1 when there are issues, else 0.
 */
export function printReport(lines: string[], end: ReportEnd): number {
  const { issues, warnings, file, kept, log } = end;
  if (issues.length > 0) {
    lines.push("**Errors in this run:**", "");
    for (const i of issues) lines.push(`- ${i}`);
    lines.push("");
  }
  if (warnings.length > 0) {
    lines.push("**Warnings:**", "");
    for (const w of warnings) lines.push(`- ${w}`);
    lines.push("");
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  log(`results written to ${path.relative(process.cwd(), file) || file}`);
  if (kept !== undefined) log(`temporary folder kept: ${kept}`);
  if (issues.length > 0) log(`the run finished with ${issues.length} error(s); see above`);
  return issues.length > 0 ? 1 : 0;
}
