// The body of GET /containers/{id}/stats, field for field as dockerd writes it
// on Linux (the spec leaves it untyped). The cgroup parts come from
// runtime/cgroup-stats.ts; the rest is the container's identity and the
// host figures docker's CPU % divides by.
import type { BlkioStats, CgroupCpuStats, MemoryStats, PidsStats } from "../runtime/cgroup-stats.js";
import type { NetworkStats } from "../runtime/cgroup-stats-proc.js";

export type { BlkioStats, MemoryStats, NetworkStats, PidsStats };

export interface CpuStats extends CgroupCpuStats {
  /** The host's CPU time in nanoseconds. */
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface ContainerStatsResponse {
  /** When this sample was taken; Go's zero time for a container that is not running. */
  read: string;
  /** When precpu_stats was taken; Go's zero time on a first sample. */
  preread: string;
  pids_stats: PidsStats;
  blkio_stats: BlkioStats;
  /** Windows only; dockerd writes zero on Linux. */
  num_procs: number;
  /** Windows only; dockerd writes {} on Linux. */
  storage_stats: Record<string, never>;
  cpu_stats: CpuStats;
  /** The sample before this one (a second earlier), for CPU %. */
  precpu_stats: CpuStats;
  memory_stats: MemoryStats;
  /** "/name" */
  name: string;
  id: string;
  /** By interface, lo left out; absent without a network namespace of the container's own. */
  networks?: Record<string, NetworkStats>;
}

export interface StatsOptions {
  /** One sample a second until the client leaves (`signal`) or the container is removed. */
  stream: boolean;
  /** Without stream: one sample at once, without waiting for a second to fill precpu_stats. */
  oneShot?: boolean;
  signal?: AbortSignal;
}
