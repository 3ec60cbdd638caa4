// cgroup v2: one unified tree, <root>/<cgroupsPath>. dockerd's v2 figures:
// cpu.stat (microseconds, turned into nanoseconds), memory.current/max/stat
// with the keys below, memory.events "oom" as failcnt, io.stat bytes as
// io_service_bytes_recursive (the other block I/O lists stay null), pids.*.
// v2 has no per-CPU usage and no max_usage.
import path from "node:path";
import type { BlkioEntry, CgroupStats } from "./cgroup-stats.js";
import { emptyBlkio, parseFlatKeyed, readFirst } from "./cgroup-stats-files.js";

// The memory.stat keys dockerd puts in memory_stats.stats on v2.
const MEMORY_KEYS = [
  "anon",
  "file",
  "kernel_stack",
  "slab",
  "sock",
  "shmem",
  "file_mapped",
  "file_dirty",
  "file_writeback",
  "anon_thp",
  "inactive_anon",
  "active_anon",
  "inactive_file",
  "active_file",
  "unevictable",
  "slab_reclaimable",
  "slab_unreclaimable",
  "pgfault",
  "pgmajfault",
  "workingset_refault",
  "workingset_activate",
  "workingset_nodereclaim",
  "pgrefill",
  "pgscan",
  "pgsteal",
  "pgactivate",
  "pgdeactivate",
  "pglazyfree",
  "pglazyfreed",
  "thp_fault_alloc",
  "thp_collapse_alloc",
];

export async function readV2Stats(root: string, cgroupsPath: string): Promise<CgroupStats> {
  const dir = [path.join(root, cgroupsPath)];
  const [cpuStat, current, max, memStat, events, ioStat, pidsCurrent, pidsMax] = await Promise.all(
    ["cpu.stat", "memory.current", "memory.max", "memory.stat", "memory.events", "io.stat", "pids.current", "pids.max"].map((f) =>
      readFirst(dir, f),
    ),
  );
  const cpu = parseFlatKeyed(cpuStat ?? "");
  const stat = parseFlatKeyed(memStat ?? "");
  const stats: Record<string, number> = {};
  // Newer kernels split workingset_refault into _anon and _file; dockerd's key sums them.
  if (!("workingset_refault" in stat) && ("workingset_refault_anon" in stat || "workingset_refault_file" in stat)) {
    stat.workingset_refault = (stat.workingset_refault_anon ?? 0) + (stat.workingset_refault_file ?? 0);
  }
  if (!("workingset_activate" in stat) && ("workingset_activate_anon" in stat || "workingset_activate_file" in stat)) {
    stat.workingset_activate = (stat.workingset_activate_anon ?? 0) + (stat.workingset_activate_file ?? 0);
  }
  for (const key of MEMORY_KEYS) stats[key] = stat[key] ?? 0;
  const oom = parseFlatKeyed(events ?? "").oom;
  const limit = max?.trim();
  const maxPids = pidsMax?.trim();

  const blkio = emptyBlkio("null");
  if (ioStat !== undefined) blkio.io_service_bytes_recursive = parseIoStat(ioStat);
  return {
    cpu: {
      cpu_usage: {
        total_usage: (cpu.usage_usec ?? 0) * 1000,
        usage_in_kernelmode: (cpu.system_usec ?? 0) * 1000,
        usage_in_usermode: (cpu.user_usec ?? 0) * 1000,
      },
      throttling_data: {
        periods: cpu.nr_periods ?? 0,
        throttled_periods: cpu.nr_throttled ?? 0,
        throttled_time: (cpu.throttled_usec ?? 0) * 1000,
      },
    },
    memory: {
      ...(current !== undefined ? { usage: Number(current.trim()) } : {}),
      // Sorted, as Go writes a map.
      ...(memStat !== undefined ? { stats: Object.fromEntries(Object.entries(stats).sort(([a], [b]) => (a < b ? -1 : 1))) } : {}),
      ...(oom ? { failcnt: oom } : {}),
      ...(limit && limit !== "max" ? { limit: Number(limit) } : {}),
    },
    blkio,
    pids: {
      ...(pidsCurrent !== undefined ? { current: Number(pidsCurrent.trim()) } : {}),
      ...(maxPids && maxPids !== "max" ? { limit: Number(maxPids) } : {}),
    },
  };
}

/** "8:0 rbytes=1 wbytes=2 rios=…" → a read and a write entry per device, as dockerd lists them. */
export function parseIoStat(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split("\n")) {
    const [device, ...pairs] = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(device ?? "");
    if (!dev) continue;
    const values = Object.fromEntries(pairs.map((p) => p.split("=")).map(([k, v]) => [k, Number(v)]));
    const major = Number(dev[1]);
    const minor = Number(dev[2]);
    out.push({ major, minor, op: "read", value: values.rbytes ?? 0 }, { major, minor, op: "write", value: values.wbytes ?? 0 });
  }
  return out;
}
