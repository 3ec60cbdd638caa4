// berth update [OPTIONS] CONTAINER [CONTAINER...]: new resource limits and
// restart policy for containers, live for running ones, as `docker update`.
// Prints each container as named; the daemon's refusals go to stderr.
import type { Command } from "commander";
import type { ContainerUpdateBody } from "../../client/container-resources.js";
import { action } from "../action.js";
import { integer, parsed } from "../args.js";
import type { CliContext } from "../context.js";
import { forEach } from "../each.js";
import { parseBytes, parseNanoCpus } from "../format/units.js";
import { UsageError } from "../usage-error.js";
import { swapBytes } from "./resource-flags.js";
import { restartPolicy } from "./runtime-flags.js";

interface Flags {
  blkioWeight?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  cpus?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  memory?: number;
  memoryReservation?: number;
  memorySwap?: number;
  pidsLimit?: number;
  restart?: string;
}

/** The request body as the docker CLI sends it: the fields of the flags given. */
export function updateBody(flags: Flags): ContainerUpdateBody {
  const body: ContainerUpdateBody = {
    ...(flags.blkioWeight !== undefined ? { BlkioWeight: flags.blkioWeight } : {}),
    ...(flags.cpuPeriod !== undefined ? { CpuPeriod: flags.cpuPeriod } : {}),
    ...(flags.cpuQuota !== undefined ? { CpuQuota: flags.cpuQuota } : {}),
    ...(flags.cpuShares !== undefined ? { CpuShares: flags.cpuShares } : {}),
    ...(flags.cpus !== undefined ? { NanoCpus: flags.cpus } : {}),
    ...(flags.cpusetCpus !== undefined ? { CpusetCpus: flags.cpusetCpus } : {}),
    ...(flags.cpusetMems !== undefined ? { CpusetMems: flags.cpusetMems } : {}),
    ...(flags.memory !== undefined ? { Memory: flags.memory } : {}),
    ...(flags.memoryReservation !== undefined ? { MemoryReservation: flags.memoryReservation } : {}),
    ...(flags.memorySwap !== undefined ? { MemorySwap: flags.memorySwap } : {}),
    ...(flags.pidsLimit !== undefined ? { PidsLimit: flags.pidsLimit } : {}),
    ...(flags.restart !== undefined ? { RestartPolicy: restartPolicy(flags.restart) } : {}),
  };
  if (Object.keys(body).length === 0) throw new UsageError("you must provide one or more flags when using this command");
  return body;
}

export function define(cmd: Command, ctx: CliContext): void {
  cmd
    .usage("[OPTIONS] CONTAINER [CONTAINER...]")
    .description("Update configuration of one or more containers")
    .option("--blkio-weight <uint16>", "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)", parsed(integer))
    .option("--cpu-period <int>", "Limit CPU CFS (Completely Fair Scheduler) period", parsed(integer))
    .option("--cpu-quota <int>", "Limit CPU CFS (Completely Fair Scheduler) quota", parsed(integer))
    .option("-c, --cpu-shares <int>", "CPU shares (relative weight)", parsed(integer))
    .option("--cpus <decimal>", "Number of CPUs", parsed(parseNanoCpus))
    .option("--cpuset-cpus <string>", "CPUs in which to allow execution (0-3, 0,1)")
    .option("--cpuset-mems <string>", "MEMs in which to allow execution (0-3, 0,1)")
    .option("-m, --memory <bytes>", "Memory limit", parsed(parseBytes))
    .option("--memory-reservation <bytes>", "Memory soft limit", parsed(parseBytes))
    .option("--memory-swap <bytes>", "Swap limit equal to memory plus swap: -1 to enable unlimited swap", parsed(swapBytes))
    .option("--pids-limit <int>", "Tune container pids limit (set -1 for unlimited)", parsed(integer))
    .option("--restart <string>", "Restart policy to apply when a container exits");
  action<Flags>(cmd, { min: 1 }, async (names, flags) => {
    const body = updateBody(flags);
    const containers = ctx.client().containers;
    const { failed } = await forEach(ctx, names, async (name) => {
      const { Warnings } = await containers.update(name, body);
      for (const w of Warnings ?? []) ctx.err(`${w}\n`);
    });
    return failed.length > 0 ? 1 : 0;
  }, ctx);
}
