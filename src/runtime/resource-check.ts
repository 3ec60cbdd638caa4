// Docker's checks of a container's resource limits against the host (moby
// daemon_unix.go verifyPlatformContainerResources), with Docker's messages:
// a limit the kernel would refuse is reported in the user's terms rather than
// as runc's "failed to write ... numerical result out of range".
import { InvalidArgumentError } from "../errors.js";
import type { CgroupHost } from "./cgroup-host.js";
import type { ResourceLimits } from "./spec-options.js";

const MIN_MEMORY = 6 * 1024 * 1024;

/**
 * Throws InvalidArgumentError with Docker's wording for the first limit the
 * host cannot honour; returns Docker's warnings for limits it will ignore.
 */
export function checkResources(limits: ResourceLimits, host: CgroupHost): string[] {
  const warnings: string[] = [];
  const memory = limits.memory ?? 0;
  const swap = limits.memorySwap ?? 0;
  if (memory !== 0 && memory < MIN_MEMORY) throw new InvalidArgumentError("Minimum memory limit allowed is 6MB");
  if (swap > 0 && memory === 0) {
    throw new InvalidArgumentError("You should always set the Memory limit when using Memoryswap limit, see usage");
  }
  if (swap > 0 && swap < memory) {
    throw new InvalidArgumentError("Minimum memoryswap limit should be larger than memory limit, see usage");
  }
  // cgroup v2 has neither knob; Docker drops them there with these words.
  const swappiness = limits.memorySwappiness ?? -1;
  if (swappiness !== -1 && host.version === 2) {
    warnings.push("Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.");
  } else if (swappiness < -1 || swappiness > 100) {
    throw new InvalidArgumentError(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  }
  const reservation = limits.memoryReservation ?? 0;
  if (reservation > 0 && reservation < MIN_MEMORY) throw new InvalidArgumentError("Minimum memory reservation allowed is 6MB");
  if (memory > 0 && reservation > 0 && memory < reservation) {
    throw new InvalidArgumentError("Minimum memory limit can not be less than memory reservation limit, see usage");
  }
  if (limits.oomKillDisable && host.version === 2) {
    warnings.push("Your kernel does not support OomKillDisable. OomKillDisable discarded.");
  } else if (limits.oomKillDisable && memory === 0) {
    warnings.push("OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.");
  }

  const nano = limits.nanoCpus ?? 0;
  if (nano > 0 && limits.cpuPeriod) throw new InvalidArgumentError("Conflicting options: Nano CPUs and CPU Period cannot both be set");
  if (nano > 0 && limits.cpuQuota) throw new InvalidArgumentError("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
  if (nano < 0 || nano > host.numCpus * 1e9) {
    throw new InvalidArgumentError(
      `Range of CPUs is from 0.01 to ${host.numCpus}.00, as there are only ${host.numCpus} CPUs available`,
    );
  }
  if ((limits.cpuShares ?? 0) < 0) throw new InvalidArgumentError("shares: invalid argument");
  const period = limits.cpuPeriod ?? 0;
  if (period !== 0 && (period < 1000 || period > 1_000_000)) {
    throw new InvalidArgumentError("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
  }
  const quota = limits.cpuQuota ?? 0;
  if (quota > 0 && quota < 1000) throw new InvalidArgumentError("CPU cfs quota can not be less than 1ms (i.e. 1000)");

  if (limits.cpusetCpus) checkSubset(limits.cpusetCpus, host.cpus, { what: "cpus", unavailable: "Requested CPUs are not available" });
  if (limits.cpusetMems) {
    checkSubset(limits.cpusetMems, host.mems, { what: "mems", unavailable: "Requested memory nodes are not available" });
  }
  return warnings;
}

function checkSubset(requested: string, available: string, words: { what: string; unavailable: string }): void {
  const wanted = parseList(requested);
  if (!wanted) throw new InvalidArgumentError(`Invalid value ${requested} for cpuset ${words.what}: invalid format: ${requested}`);
  const have = parseList(available) ?? [];
  const covered = (n: number): boolean => have.some(([from, to]) => n >= from && n <= to);
  // Walk the requested numbers only up to the highest available one, so a
  // huge range costs nothing.
  const highest = Math.max(-1, ...have.map(([, to]) => to));
  for (const [from, to] of wanted) {
    if (to > highest) throw new InvalidArgumentError(`${words.unavailable} - requested ${requested}, available: ${available}`);
    for (let n = from; n <= to; n++) {
      if (!covered(n)) throw new InvalidArgumentError(`${words.unavailable} - requested ${requested}, available: ${available}`);
    }
  }
}

/** A kernel list ("0-2,5") as inclusive ranges, or undefined when malformed. */
export function parseList(list: string): [number, number][] | undefined {
  const out: [number, number][] = [];
  for (const part of list.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return undefined;
    out.push([from, to]);
  }
  return out;
}
