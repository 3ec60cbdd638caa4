// The resource flags of `run` and `create` (memory, CPU, pids, /dev/shm,
// tmpfs) and the HostConfig fields they fill, as Docker's CLI fills them.
// Limits the host cannot honour are left for the daemon to refuse, in its words.
import type { HostConfig } from "../../api/types/index.js";
import { parseBytes } from "../format/units.js";
import { UsageError } from "../usage-error.js";

export interface ResourceFlags {
  memory?: number;
  memorySwap?: number;
  memoryReservation?: number;
  memorySwappiness?: number;
  oomKillDisable?: boolean;
  cpus?: number;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: number;
  shmSize?: number;
  tmpfs?: string[];
}

/** --memory-swap: "-1" is unlimited swap, anything else a size. */
export function swapBytes(text: string): number {
  return text === "-1" ? -1 : parseBytes(text);
}

export function resourceHostConfig(flags: ResourceFlags): HostConfig {
  const swappiness = flags.memorySwappiness ?? -1;
  if (swappiness < -1 || swappiness > 100) {
    throw new UsageError(`invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);
  }
  return {
    CpuPeriod: flags.cpuPeriod,
    CpuQuota: flags.cpuQuota,
    CpuShares: flags.cpuShares,
    CpusetCpus: flags.cpusetCpus,
    CpusetMems: flags.cpusetMems,
    Memory: flags.memory,
    MemoryReservation: flags.memoryReservation,
    MemorySwap: flags.memorySwap,
    MemorySwappiness: flags.memorySwappiness,
    NanoCpus: flags.cpus,
    OomKillDisable: flags.oomKillDisable,
    PidsLimit: flags.pidsLimit,
    ShmSize: flags.shmSize,
    Tmpfs: tmpfs(flags.tmpfs ?? []),
  };
}

/** "--tmpfs /run:rw,size=64m" → { "/run": "rw,size=64m" }; the daemon checks path and options. */
function tmpfs(specs: string[]): Record<string, string> | undefined {
  if (specs.length === 0) return undefined;
  return Object.fromEntries(
    specs.map((spec) => {
      const colon = spec.indexOf(":");
      return colon < 0 ? [spec, ""] : [spec.slice(0, colon), spec.slice(colon + 1)];
    }),
  );
}
