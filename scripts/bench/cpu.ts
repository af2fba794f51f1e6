// CPU time of processes (and of the whole machine) over a load run, from /proc: where the two
// cores went. Figures are percent of one core (200% = both cores busy the whole run).
const TICKS_PER_SECOND = 100; // USER_HZ: 100 on Linux x86-64

/** utime + stime of a process, in ticks; 0 once it is gone. */
function processTicks(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** `pid` and its children (one level: PostgreSQL's backends are children of the postmaster). */
export function withChildren(pid: number): number[] {
  const pids = [pid];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) pids.push(Number(entry.name));
    } catch { /* gone meanwhile */ }
  }
  return pids;
}

/** Busy and total ticks of all CPUs together, from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1)
    .map(Number);
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

export type Groups = Record<string, () => number[]>;

/**
 * Samples the groups' CPU time before and after a run (and every 200 ms meanwhile, so a process
 * that ends with the run, like the load generator, is counted up to its last sample).
 */
export class CpuMeter {
  private before = new Map<string, Map<number, number>>();
  private latest = new Map<string, Map<number, number>>();
  private machineBefore = machineTicks();
  private started = performance.now();
  private timer: ReturnType<typeof setInterval>;

  constructor(private readonly groups: Groups) {
    for (const name of Object.keys(groups)) this.before.set(name, this.sample(name));
    this.timer = setInterval(() => this.sampleAll(), 200);
  }

  /**
   * Percent of one core per group, plus "machine" (all processes) and "other" (machine less the
   * groups: the bench itself, and anything else running, which makes the figures unfair).
   */
  stop(): Record<string, number> {
    clearInterval(this.timer);
    this.sampleAll();
    const seconds = (performance.now() - this.started) / 1000;
    const percent = (ticks: number) => Math.round(ticks / TICKS_PER_SECOND / seconds * 100);
    const result: Record<string, number> = {};
    for (const name of Object.keys(this.groups)) {
      const before = this.before.get(name)!;
      let ticks = 0;
      for (const [pid, now] of this.latest.get(name) ?? []) ticks += now - (before.get(pid) ?? 0);
      result[name] = percent(ticks);
    }
    const machine = machineTicks();
    const cores = navigator.hardwareConcurrency;
    result.machine = Math.round(
      (machine.busy - this.machineBefore.busy) / (machine.total - this.machineBefore.total) *
        cores * 100,
    );
    const groupsTotal = Object.keys(this.groups).reduce((sum, name) => sum + result[name], 0);
    result.other = Math.max(0, result.machine - groupsTotal);
    return result;
  }

  private sampleAll() {
    for (const name of Object.keys(this.groups)) {
      const previous = this.latest.get(name) ?? new Map();
      for (const [pid, ticks] of this.sample(name)) {
        if (ticks > 0) previous.set(pid, ticks); // keep the last reading of a process now gone
      }
      this.latest.set(name, previous);
    }
  }

  private sample(name: string): Map<number, number> {
    return new Map(this.groups[name]().map((pid) => [pid, processTicks(pid)]));
  }
}
