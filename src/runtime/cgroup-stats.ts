// A container's resource usage read from its cgroup, in the shapes of Docker's
// stats API (cpu_stats, memory_stats, blkio_stats, pids_stats). Two readers
// stand behind one call: cgroup v1, one hierarchy per controller (this is
// also what a hybrid host uses), and the unified v2 tree. Each sample is a
// fresh read of a handful of small files; nothing is kept between calls.
//
//   readCgroupStats("/berth/<id>")        → the host's layout, detected
//   readCgroupStats(path, { root, version }) → fixtures in tests
//
// What is not the cgroup's — the host's CPU time, online CPUs, the
// container's network counters — lives in cgroup-stats-proc.ts.
import { existsSync } from "node:fs";
import { readV1Stats } from "./cgroup-stats-v1.js";
import { readV2Stats } from "./cgroup-stats-v2.js";

export interface CpuUsage {
  /** Nanoseconds of CPU time, all CPUs. */
  total_usage: number;
  /** Per CPU, nanoseconds (v1 only, as in Docker). */
  percpu_usage?: number[];
  usage_in_kernelmode: number;
  usage_in_usermode: number;
}

export interface ThrottlingData {
  periods: number;
  throttled_periods: number;
  /** Nanoseconds. */
  throttled_time: number;
}

export interface CgroupCpuStats {
  cpu_usage: CpuUsage;
  throttling_data: ThrottlingData;
}

export interface MemoryStats {
  usage?: number;
  max_usage?: number;
  stats?: Record<string, number>;
  failcnt?: number;
  /** Bytes; absent (v2 "max") or huge (v1) when the container has no limit. */
  limit?: number;
}

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

/** Docker's eight lists; v2 fills only the first and leaves the rest null, as dockerd does. */
export interface BlkioStats {
  io_service_bytes_recursive: BlkioEntry[] | null;
  io_serviced_recursive: BlkioEntry[] | null;
  io_queue_recursive: BlkioEntry[] | null;
  io_service_time_recursive: BlkioEntry[] | null;
  io_wait_time_recursive: BlkioEntry[] | null;
  io_merged_recursive: BlkioEntry[] | null;
  io_time_recursive: BlkioEntry[] | null;
  sectors_recursive: BlkioEntry[] | null;
}

export interface PidsStats {
  current?: number;
  /** Absent when unlimited. */
  limit?: number;
}

export interface CgroupStats {
  cpu: CgroupCpuStats;
  memory: MemoryStats;
  blkio: BlkioStats;
  pids: PidsStats;
}

export interface CgroupStatsOptions {
  /** The cgroupfs mount point; /sys/fs/cgroup by default. */
  root?: string;
  /** Detected under root when absent: cgroup.controllers at the root means pure v2. */
  version?: 1 | 2;
}

/** The usage of the cgroup at `cgroupsPath` ("/berth/<id>", as in the runtime spec). */
export async function readCgroupStats(cgroupsPath: string, opts: CgroupStatsOptions = {}): Promise<CgroupStats> {
  const root = opts.root ?? "/sys/fs/cgroup";
  const version = opts.version ?? (existsSync(`${root}/cgroup.controllers`) ? 2 : 1);
  return version === 2 ? readV2Stats(root, cgroupsPath) : readV1Stats(root, cgroupsPath);
}
