// What this host's cgroups offer, as far as a container's spec and its limit
// checks depend on it: the cgroup version (v1 or hybrid vs. pure v2), whether
// a memory+swap limit can be set, and the CPUs and memory nodes containers may
// use (what Docker's pkg/sysinfo finds). Read from cgroupfs, and kept for a
// second: a burst of starts asks twice per container (limit checks, spec),
// and the answers may still change (CPU hotplug).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { isErrno } from "../errors.js";

export interface CgroupHost {
  version: 1 | 2;
  /**
   * A memory+swap limit can be written: v1 has memory.memsw.* only with swap
   * accounting, v2 has memory.swap.max only with swap support; runc fails
   * writing either where it is missing.
   */
  swapLimit: boolean;
  /** CPUs this process may run on (Docker's sysinfo.NumCPU). */
  numCpus: number;
  /** The cpuset containers may use, in list form ("0-1"). */
  cpus: string;
  /** The memory nodes containers may use ("0"). */
  mems: string;
}

const FRESH_MS = 1000;
const recent = new Map<string, { at: number; host: CgroupHost }>();

/** The host's cgroup facts, read under `root` (the cgroupfs mount point). */
export function cgroupHost(root = "/sys/fs/cgroup"): CgroupHost {
  const now = Date.now();
  const kept = recent.get(root);
  if (kept && now - kept.at < FRESH_MS) return kept.host;
  const host = readCgroupHost(root);
  recent.set(root, { at: now, host });
  return host;
}

function readCgroupHost(root: string): CgroupHost {
  const v2 = existsSync(path.join(root, "cgroup.controllers"));
  return {
    version: v2 ? 2 : 1,
    swapLimit: v2 ? v2SwapLimit(root) : existsSync(path.join(root, "memory", "memory.memsw.limit_in_bytes")),
    numCpus: availableParallelism(),
    cpus: readList(v2 ? path.join(root, "cpuset.cpus.effective") : path.join(root, "cpuset", "cpuset.cpus")) ?? `0-${availableParallelism() - 1}`,
    mems: readList(v2 ? path.join(root, "cpuset.mems.effective") : path.join(root, "cpuset", "cpuset.mems")) ?? "0",
  };
}

/**
 * The root cgroup has no memory.swap.max even with swap support, so look at
 * the first child that has the memory controller.
 */
function v2SwapLimit(root: string): boolean {
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(root, entry.name);
    if (existsSync(path.join(dir, "memory.max"))) return existsSync(path.join(dir, "memory.swap.max"));
  }
  return false;
}

function readList(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
}
