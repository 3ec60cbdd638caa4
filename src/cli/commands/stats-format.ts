// What `docker stats` shows for a sample, worked out as the docker CLI works
// it out (cli/command/container/stats_helpers.go): CPU % from the change in
// the container's and the host's CPU time since precpu_stats, memory without
// the inactive file cache, block I/O and network summed over devices; and the
// table (or template) it prints, with the CLI's headers and number formats.
import type { ContainerStatsResponse } from "../../client/container-resources.js";
import { renderList, type ListFormat } from "../format/render.js";
import { bytesSize, humanSize } from "../format/units.js";

/** One container's line: docker's StatsEntry. */
export interface StatsEntry {
  /** The name or ID as the user gave it (or the short ID when listing). */
  container: string;
  name: string;
  id: string;
  cpuPercentage: number;
  memory: number;
  memoryLimit: number;
  memoryPercentage: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pidsCurrent: number;
  /** No sample could be had (the container went away): "--" everywhere. */
  invalid?: boolean;
}

export const STATS_FORMAT: ListFormat = {
  defaultTable: "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}",
  headers: {
    BlockIO: "BLOCK I/O",
    CPUPerc: "CPU %",
    Container: "CONTAINER",
    ID: "CONTAINER ID",
    MemPerc: "MEM %",
    MemUsage: "MEM USAGE / LIMIT",
    Name: "NAME",
    NetIO: "NET I/O",
    PIDs: "PIDS",
  },
  typeName: "formatter.statsContext",
};

/** An entry of zeros, as the CLI shows a container before its first sample. */
export function emptyEntry(container: string): StatsEntry {
  return {
    container,
    name: "",
    id: "",
    cpuPercentage: 0,
    memory: 0,
    memoryLimit: 0,
    memoryPercentage: 0,
    networkRx: 0,
    networkTx: 0,
    blockRead: 0,
    blockWrite: 0,
    pidsCurrent: 0,
  };
}

export function statsEntry(container: string, v: ContainerStatsResponse): StatsEntry {
  const memory = memoryUsage(v.memory_stats);
  const limit = v.memory_stats.limit ?? 0;
  const net = Object.values(v.networks ?? {});
  const blkio = blockIO(v);
  return {
    container,
    name: v.name,
    id: v.id,
    cpuPercentage: cpuPercent(v),
    memory,
    memoryLimit: limit,
    memoryPercentage: limit !== 0 ? (memory / limit) * 100 : 0,
    networkRx: net.reduce((sum, n) => sum + n.rx_bytes, 0),
    networkTx: net.reduce((sum, n) => sum + n.tx_bytes, 0),
    blockRead: blkio.read,
    blockWrite: blkio.write,
    pidsCurrent: v.pids_stats.current ?? 0,
  };
}

/** The container's share of the host's CPU time since the previous sample, times the CPUs: 100% is one CPU busy. */
export function cpuPercent(v: Pick<ContainerStatsResponse, "cpu_stats" | "precpu_stats">): number {
  const cpuDelta = v.cpu_stats.cpu_usage.total_usage - v.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (v.cpu_stats.system_cpu_usage ?? 0) - (v.precpu_stats.system_cpu_usage ?? 0);
  const cpus = v.cpu_stats.online_cpus || v.cpu_stats.cpu_usage.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** Usage without the page cache the kernel can drop: v1's total_inactive_file, v2's inactive_file. */
export function memoryUsage(mem: ContainerStatsResponse["memory_stats"]): number {
  const usage = mem.usage ?? 0;
  const v1 = mem.stats?.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = mem.stats?.inactive_file ?? 0;
  if (v2 < usage) return usage - v2;
  return usage;
}

function blockIO(v: ContainerStatsResponse): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const e of v.blkio_stats.io_service_bytes_recursive ?? []) {
    const op = e.op.toLowerCase();
    if (op === "read") read += e.value;
    else if (op === "write") write += e.value;
  }
  return { read, write };
}

/** The fields a template sees, in sorted order because `{{json .}}` prints them so. */
export function statsContext(e: StatsEntry, opts: { trunc: boolean }): Record<string, string> {
  const pct = (n: number): string => `${n.toFixed(2)}%`;
  return {
    BlockIO: e.invalid ? "--" : `${humanSize(e.blockRead, 3)} / ${humanSize(e.blockWrite, 3)}`,
    CPUPerc: e.invalid ? "--" : pct(e.cpuPercentage),
    Container: e.container,
    ID: opts.trunc ? e.id.slice(0, 12) : e.id,
    MemPerc: e.invalid ? "--" : pct(e.memoryPercentage),
    MemUsage: e.invalid ? "-- / --" : `${bytesSize(e.memory)} / ${bytesSize(e.memoryLimit)}`,
    Name: e.name.length > 1 ? e.name.replace(/^\//, "") : "--",
    NetIO: e.invalid ? "--" : `${humanSize(e.networkRx, 3)} / ${humanSize(e.networkTx, 3)}`,
    PIDs: e.invalid ? "--" : String(e.pidsCurrent),
  };
}

export function renderStats(entries: StatsEntry[], opts: { format?: string; trunc: boolean }): string {
  return renderList(opts.format, entries.map((e) => statsContext(e, opts)), STATS_FORMAT);
}
