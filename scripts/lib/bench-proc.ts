/**
 * Linux `/proc` helpers of the benchmark: the process tree under a pid, its resident memory
 * (summed `VmRSS`), a periodic peak-memory sampler, and process-group termination.
 * Plain TypeScript run by Node's type stripping; only `node:` built-ins.
 */
import { readdir, readFile } from "node:fs/promises";

/** One process as read from `/proc/<pid>/stat`. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgrp: number;
  /** One-letter state (`R`, `S`, `Z`, ...). */
  state: string;
  /** Executable name, at most 15 characters (`workerd`, `node`, `node-MainThread`, ...). */
  comm: string;
  /** Start time in clock ticks after boot: with the pid, identifies a process across pid reuse. */
  starttime: number;
}

/** Parses the content of `/proc/<pid>/stat`; the name may hold spaces and parentheses. */
function parseStat(pid: number, text: string): ProcInfo | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  // Fields after the name, starting with field 3 (state).
  const rest = text.slice(close + 2).split(" ");
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0],
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    starttime: Number(rest[19]),
  };
}

/**
 * Lists the processes visible in `/proc`. Processes that exit while being read are left out.
 *
 * @returns One entry per process, in no particular order.
 */
export async function listProcesses(): Promise<ProcInfo[]> {
  const names = (await readdir("/proc")).filter((n) => /^\d+$/.test(n));
  const out: ProcInfo[] = [];
  await Promise.all(
    names.map(async (name) => {
      try {
        const info = parseStat(Number(name), await readFile(`/proc/${name}/stat`, "utf8"));
        if (info) out.push(info);
      } catch {
        // exited in the meantime
      }
    }),
  );
  return out;
}

/**
 * The process `root` and all its descendants, found by following the parent links of `procs`.
 *
 * @param root Pid of the tree's root.
 * @param procs A snapshot from {@link listProcesses}.
 * @returns The root (when it is still in `procs`) followed by its descendants, breadth first.
 */
export function processTree(root: number, procs: readonly ProcInfo[]): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const self = procs.find((p) => p.pid === root);
  const out: ProcInfo[] = self ? [self] : [];
  const queue = [root];
  const seen = new Set<number>([root]);
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/**
 * Resident set size of a process in KiB, from the `VmRSS` line of `/proc/<pid>/status`.
 *
 * @returns 0 for a process without one (zombie, kernel thread) or that has exited.
 */
export async function rssKiB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** One memory sample of a process tree. */
export interface MemorySample {
  /** Seconds since the sampler started. */
  t: number;
  /** Summed RSS of the root and all its descendants, KiB. */
  totalKiB: number;
  /** Summed RSS of the `workerd` processes of the tree, KiB. */
  workerdKiB: number;
  /** Processes in the tree. */
  processes: number;
  /** Phase label current when the sample was taken (see {@link TreeMemorySampler.setPhase}). */
  phase: string;
}

/** Peak values over a set of samples. */
export interface MemoryPeak {
  totalKiB: number;
  workerdKiB: number;
  /** Most processes seen in the tree at once. */
  processes: number;
  samples: number;
}

/** One process of the tree at the peak sample. */
export interface PeakProcess {
  pid: number;
  comm: string;
  /** Executable and first arguments from `/proc/<pid>/cmdline`, shortened. */
  command: string;
  rssKiB: number;
}

/**
 * Takes one memory sample of the tree under `root`: summed RSS in KiB of all its processes and of
 * its `workerd` processes, and each member's RSS.
 */
export async function sampleTree(root: number): Promise<{ totalKiB: number; workerdKiB: number; processes: number; members: { pid: number; comm: string; rssKiB: number }[] }> {
  const tree = processTree(root, await listProcesses());
  const sizes = await Promise.all(tree.map((p) => rssKiB(p.pid)));
  let totalKiB = 0;
  let workerdKiB = 0;
  tree.forEach((p, i) => {
    totalKiB += sizes[i];
    if (p.comm === "workerd") workerdKiB += sizes[i];
  });
  const members = tree.map((p, i) => ({ pid: p.pid, comm: p.comm, rssKiB: sizes[i] }));
  return { totalKiB, workerdKiB, processes: tree.length, members };
}

/** A short command line of a process: each path reduced to its last two segments, at most 6 words. */
async function shortCommand(pid: number): Promise<string> {
  try {
    const words = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").filter(Boolean);
    return words
      .slice(0, 6)
      .map((w) => (w.startsWith("/") ? w.split("/").slice(-2).join("/") : w))
      .join(" ");
  } catch {
    return "";
  }
}

/**
 * Samples, at a fixed interval, the summed RSS of a process and all its descendants (walking the
 * parent links of `/proc/*\/stat`), and separately of its `workerd` processes. Keeps every sample
 * and the peaks overall and per phase. Reads are asynchronous so that the sampler does not block
 * the event loop of the load generator; a tick is skipped while the previous one still runs.
 */
export class TreeMemorySampler {
  readonly root: number;
  readonly intervalMs: number;
  readonly samples: MemorySample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #started = 0;
  #phase = "startup";
  #peakProcesses: PeakProcess[] = [];
  #peakTotal = 0;

  /**
   * @param root Pid of the tree's root (the process the benchmark spawned).
   * @param intervalMs Sampling interval in milliseconds.
   */
  constructor(root: number, intervalMs = 200) {
    this.root = root;
    this.intervalMs = intervalMs;
  }

  /** Starts sampling (one sample right away, then every `intervalMs`). */
  start(): void {
    if (this.#timer) return;
    this.#started = performance.now();
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), this.intervalMs);
  }

  /** Labels the following samples with `phase` (e.g. `ingestion`, `latency`). */
  setPhase(phase: string): void {
    this.#phase = phase;
  }

  /** Stops sampling after a last sample; waits for a sample in progress. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
    this.#tick();
    await this.#running;
  }

  /** Peaks over all samples, or over those of one phase. */
  peak(phase?: string): MemoryPeak {
    const peak: MemoryPeak = { totalKiB: 0, workerdKiB: 0, processes: 0, samples: 0 };
    for (const s of this.samples) {
      if (phase !== undefined && s.phase !== phase) continue;
      peak.totalKiB = Math.max(peak.totalKiB, s.totalKiB);
      peak.workerdKiB = Math.max(peak.workerdKiB, s.workerdKiB);
      peak.processes = Math.max(peak.processes, s.processes);
      peak.samples++;
    }
    return peak;
  }

  /** The processes of the tree and their RSS at the sample with the highest total. */
  peakProcesses(): PeakProcess[] {
    return this.#peakProcesses;
  }

  /** Phase labels in order of first appearance. */
  phases(): string[] {
    return [...new Set(this.samples.map((s) => s.phase))];
  }

  #tick(): void {
    if (this.#running) return;
    const phase = this.#phase;
    const t = (performance.now() - this.#started) / 1000;
    this.#running = sampleTree(this.root)
      .then(async ({ members, ...s }) => {
        if (s.processes === 0) return;
        this.samples.push({ t, phase, ...s });
        if (s.totalKiB > this.#peakTotal) {
          this.#peakTotal = s.totalKiB;
          const commands = await Promise.all(members.map((m) => shortCommand(m.pid)));
          this.#peakProcesses = members.map((m, i) => ({ ...m, command: commands[i] }));
        }
      })
      .catch(() => {
        // /proc unreadable for a moment: skip this sample
      })
      .finally(() => {
        this.#running = undefined;
      });
  }
}

/**
 * Whether any non-zombie process of process group `pgid` exists.
 *
 * @param pgid Process group id.
 */
export async function groupAlive(pgid: number): Promise<boolean> {
  return (await listProcesses()).some((p) => p.pgrp === pgid && p.state !== "Z");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw e;
  }
}

/** Waits until no non-zombie process of group `pgid` is left, or `ms` elapsed. Resolves whether it emptied. */
async function waitGroupGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (!(await groupAlive(pgid))) return true;
    if (performance.now() >= deadline) return false;
    await sleep(100);
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Terminates a process group that this program created (a child spawned with `detached: true`
 * leads its own group, and its descendants inherit it), from gentle to forceful:
 *  1. SIGTERM to the leader only, so that it shuts its children down and reaps them (wrangler
 *     forwards the signal to its CLI process, which stops workerd);
 *  2. after `graceMs`, SIGTERM to the whole group;
 *  3. after another `graceMs`, SIGKILL to the whole group.
 * Descendants of the leader that left the group (listed in `tree`, taken before the call) and are
 * still alive with the same start time are killed as well.
 *
 * @param pgid Process group id, i.e. the pid of the detached child.
 * @param tree Processes of the child's tree from {@link processTree}, to catch escapees.
 * @param graceMs Time allowed for each of the first two steps.
 * @returns The pids that needed SIGKILL.
 */
export async function killProcessGroup(pgid: number, tree: readonly ProcInfo[] = [], graceMs = 5000): Promise<number[]> {
  const forced: number[] = [];
  signalPid(pgid, "SIGTERM");
  if (!(await waitGroupGone(pgid, graceMs))) {
    signalGroup(pgid, "SIGTERM");
    if (!(await waitGroupGone(pgid, graceMs))) {
      const left = (await listProcesses()).filter((p) => p.pgrp === pgid && p.state !== "Z");
      forced.push(...left.map((p) => p.pid));
      signalGroup(pgid, "SIGKILL");
      await waitGroupGone(pgid, 2000);
    }
  }
  const now = await listProcesses();
  for (const old of tree) {
    const same = now.find((p) => p.pid === old.pid && p.starttime === old.starttime && p.state !== "Z");
    if (!same) continue;
    if (signalPid(old.pid, "SIGKILL")) forced.push(old.pid);
  }
  // Children that outlived their parent are reparented to init as zombies until it reaps them:
  // give it a moment, so that nothing of the group is listed any more when this resolves.
  const deadline = performance.now() + 3000;
  while (performance.now() < deadline && (await listProcesses()).some((p) => p.pgrp === pgid)) await sleep(100);
  return forced;
}

/**
 * Synchronous last resort for `process.on("exit")` and second interrupts: SIGKILL to the group.
 *
 * @param pgid Process group id of a detached child of this program.
 */
export function killProcessGroupSync(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time used so far by one process of a dev server's tree. */
export interface ProcessCpu {
  pid: number;
  /**
   * What the process is: `wrangler` (Node), `workerd-proxy` (wrangler's proxy in front of the
   * Worker, listening on the dev server's port), `workerd-user` (the Worker, its Durable Objects
   * and local D1; its entry socket is on an ephemeral port), `esbuild`, or `other`.
   */
  role: "wrangler" | "workerd-proxy" | "workerd-user" | "esbuild" | "other";
  /** User plus system CPU time in milliseconds since the process started. */
  cpuMs: number;
}

/**
 * CPU times of the processes in the tree under `root` (from `/proc/<pid>/stat` fields 14 and 15),
 * each with its role. Processes that exit while being read are left out.
 *
 * @param root Pid of the tree's root (the spawned wrangler process).
 */
export async function processCpu(root: number): Promise<ProcessCpu[]> {
  const tree = processTree(root, await listProcesses());
  const out: ProcessCpu[] = [];
  for (const p of tree) {
    try {
      const stat = await readFile(`/proc/${p.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
      let role: ProcessCpu["role"] = "other";
      if (p.comm === "workerd") {
        const cmdline = (await readFile(`/proc/${p.pid}/cmdline`, "utf8")).split("\0");
        role = cmdline.some((a) => /^--socket-addr=entry=.*:0$/.test(a)) ? "workerd-user" : "workerd-proxy";
      } else if (p.comm === "esbuild") role = "esbuild";
      else if (p.comm.startsWith("node")) role = "wrangler";
      out.push({ pid: p.pid, role, cpuMs });
    } catch {
      // exited in the meantime
    }
  }
  return out;
}
