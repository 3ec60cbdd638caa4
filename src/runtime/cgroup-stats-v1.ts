// cgroup v1 (and hybrid hosts): each controller is its own hierarchy under
// <root>/<controller>/<cgroupsPath>. The files and fields are the ones dockerd
// reports (through containerd's cgroups package): cpuacct for CPU time,
// cpu.stat for throttling, memory.* for usage and the memory.stat keys below,
// blkio.throttle.* for block I/O, pids.* for tasks.
import path from "node:path";
import type { BlkioEntry, CgroupStats } from "./cgroup-stats.js";
import { emptyBlkio, parseFlatKeyed, readFirst } from "./cgroup-stats-files.js";

/** USER_HZ: cpuacct.stat counts in these ticks on every Linux Docker supports. */
const CLOCK_TICKS = 100;

// The memory.stat keys dockerd puts in memory_stats.stats on v1.
const MEMORY_KEYS = [
  "active_anon",
  "active_file",
  "cache",
  "dirty",
  "inactive_anon",
  "inactive_file",
  "mapped_file",
  "pgfault",
  "pgmajfault",
  "pgpgin",
  "pgpgout",
  "rss",
  "rss_huge",
  "unevictable",
  "writeback",
];

export async function readV1Stats(root: string, cgroupsPath: string): Promise<CgroupStats> {
  const dir = (controllers: string[]) => controllers.map((c) => path.join(root, c, cgroupsPath));
  const cpuacct = dir(["cpuacct", "cpu,cpuacct", "cpuacct,cpu"]);
  const cpu = dir(["cpu", "cpu,cpuacct", "cpuacct,cpu"]);
  const memory = dir(["memory"]);
  const blkio = dir(["blkio"]);
  const pids = dir(["pids"]);

  const [usage, percpu, acctStat, cpuStat, memUsage, memMax, memFailcnt, memLimit, memStat, blkBytes, blkOps, pidsCurrent, pidsMax] =
    await Promise.all([
      readFirst(cpuacct, "cpuacct.usage"),
      readFirst(cpuacct, "cpuacct.usage_percpu"),
      readFirst(cpuacct, "cpuacct.stat"),
      readFirst(cpu, "cpu.stat"),
      readFirst(memory, "memory.usage_in_bytes"),
      readFirst(memory, "memory.max_usage_in_bytes"),
      readFirst(memory, "memory.failcnt"),
      readFirst(memory, "memory.limit_in_bytes"),
      readFirst(memory, "memory.stat"),
      readFirst(blkio, "blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes"),
      readFirst(blkio, "blkio.throttle.io_serviced_recursive", "blkio.throttle.io_serviced"),
      readFirst(pids, "pids.current"),
      readFirst(pids, "pids.max"),
    ]);

  const ticks = parseFlatKeyed(acctStat ?? "");
  const throttle = parseFlatKeyed(cpuStat ?? "");
  const stat = parseFlatKeyed(memStat ?? "");
  const stats: Record<string, number> = {};
  for (const key of MEMORY_KEYS) {
    if (key in stat) stats[key] = stat[key]!;
    if (`total_${key}` in stat) stats[`total_${key}`] = stat[`total_${key}`]!;
  }
  for (const key of ["hierarchical_memory_limit", "hierarchical_memsw_limit"]) if (key in stat) stats[key] = stat[key]!;

  const blkioStats = emptyBlkio("empty");
  blkioStats.io_service_bytes_recursive = parseBlkio(blkBytes ?? "");
  blkioStats.io_serviced_recursive = parseBlkio(blkOps ?? "");
  const limit = toNumber(memLimit);
  const maxPids = pidsMax?.trim();
  return {
    cpu: {
      cpu_usage: {
        total_usage: toNumber(usage) ?? 0,
        ...(percpu !== undefined ? { percpu_usage: percpu.trim().split(/\s+/).filter(Boolean).map(Number) } : {}),
        usage_in_kernelmode: ((ticks.system ?? 0) * 1e9) / CLOCK_TICKS,
        usage_in_usermode: ((ticks.user ?? 0) * 1e9) / CLOCK_TICKS,
      },
      throttling_data: {
        periods: throttle.nr_periods ?? 0,
        throttled_periods: throttle.nr_throttled ?? 0,
        throttled_time: throttle.throttled_time ?? 0,
      },
    },
    memory: {
      ...(memUsage !== undefined ? { usage: toNumber(memUsage) } : {}),
      ...(memMax !== undefined ? { max_usage: toNumber(memMax) } : {}),
      // Sorted, as Go writes a map.
      ...(memStat !== undefined ? { stats: Object.fromEntries(Object.entries(stats).sort(([a], [b]) => (a < b ? -1 : 1))) } : {}),
      ...(toNumber(memFailcnt) ? { failcnt: toNumber(memFailcnt) } : {}),
      ...(limit !== undefined ? { limit } : {}),
    },
    blkio: blkioStats,
    pids: {
      ...(pidsCurrent !== undefined ? { current: toNumber(pidsCurrent) } : {}),
      ...(maxPids && maxPids !== "max" ? { limit: Number(maxPids) } : {}),
    },
  };
}

/** "8:0 Read 4096" lines; the device-less "Total" line is left out, as containerd does. */
export function parseBlkio(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3) continue;
    const dev = /^(\d+):(\d+)$/.exec(fields[0]!);
    if (!dev || !/^\d+$/.test(fields[2]!)) continue;
    out.push({ major: Number(dev[1]), minor: Number(dev[2]), op: fields[1]!, value: Number(fields[2]) });
  }
  return out;
}

function toNumber(text: string | undefined): number | undefined {
  const t = text?.trim();
  return t && /^\d+$/.test(t) ? Number(t) : undefined;
}
