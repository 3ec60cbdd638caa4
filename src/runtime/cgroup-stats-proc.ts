// The figures of a stats sample that are not the cgroup's: the host's CPU
// time (the denominator of docker's CPU %), the online CPUs, and the
// container's network counters, read from /proc/<pid>/net/dev — which shows
// the devices of that process's network namespace.
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { isErrno } from "../errors.js";

/** USER_HZ, the unit of /proc/stat. */
const CLOCK_TICKS = 100;

export interface NetworkStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

/**
 * The host's CPU time in nanoseconds, as dockerd's system_cpu_usage: the
 * first seven fields of the "cpu" line of /proc/stat (user … softirq).
 */
export async function systemCpuUsage(procRoot = "/proc"): Promise<number> {
  return parseSystemCpu(await readFile(`${procRoot}/stat`, "utf8"));
}

export function parseSystemCpu(procStat: string): number {
  const line = procStat.split("\n").find((l) => l.startsWith("cpu "));
  const fields = line?.trim().split(/\s+/).slice(1, 8).map(Number) ?? [];
  const ticks = fields.reduce((sum, n) => sum + n, 0);
  return (ticks * 1e9) / CLOCK_TICKS;
}

export function onlineCpus(): number {
  return availableParallelism();
}

/**
 * The namespace's interfaces but lo, keyed by name; undefined when the
 * process is gone (the container stopped between the state check and here).
 */
export async function readNetworkStats(pid: number, procRoot = "/proc"): Promise<Record<string, NetworkStats> | undefined> {
  let text: string;
  try {
    text = await readFile(`${procRoot}/${pid}/net/dev`, "utf8");
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ESRCH")) return undefined;
    throw err;
  }
  return parseNetDev(text);
}

export function parseNetDev(text: string): Record<string, NetworkStats> {
  const out: Record<string, NetworkStats> = {};
  for (const line of text.split("\n").slice(2)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === "lo") continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    out[name] = {
      rx_bytes: f[0] ?? 0,
      rx_packets: f[1] ?? 0,
      rx_errors: f[2] ?? 0,
      rx_dropped: f[3] ?? 0,
      tx_bytes: f[8] ?? 0,
      tx_packets: f[9] ?? 0,
      tx_errors: f[10] ?? 0,
      tx_dropped: f[11] ?? 0,
    };
  }
  return out;
}
