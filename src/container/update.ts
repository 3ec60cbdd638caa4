// docker update: new limits and restart policy for a container. The request
// is checked as dockerd checks an update, merged into the recorded HostConfig
// with moby's rules (a CPU limit given one way cannot be changed the other
// way; a memory limit above the recorded swap limit needs a new swap limit),
// applied to a running or paused task through the runtime, and recorded only
// once that worked — the next start applies whatever the record holds.
import type { HostConfig } from "../api/types/index.js";
import type { operations } from "../api/types/engine.js";
import { ConflictError, SystemError } from "../errors.js";
import { cgroupHost } from "../runtime/cgroup-host.js";
import { checkResources } from "../runtime/resource-check.js";
import type { ResourceLimits } from "../runtime/spec-options.js";
import { normalizeHostConfig, resourcesOf } from "./config.js";
import { publish, type Context } from "./context.js";

export type ContainerUpdateBody = operations["ContainerUpdate"]["parameters"]["body"]["update"];

export async function updateContainer(ctx: Context, idOrName: string, body: ContainerUpdateBody): Promise<{ Warnings: string[] }> {
  const { id } = ctx.records.get(idOrName);
  // The request's fields share HostConfig's names and meanings.
  const requested = resourcesOf(body as HostConfig);
  const warnings = checkResources(checkedOnUpdate(requested), cgroupHost());
  await ctx.locks.withLock(id, async () => {
    const rec = ctx.records.get(id);
    if (rec.state.status === "removing" || rec.state.status === "dead") {
      throw new SystemError(`Cannot update container ${id}: container is marked for removal and cannot be "update"`);
    }
    const hostConfig = mergeUpdate(rec.hostConfig, body, id);
    if (rec.state.status === "running" || rec.state.status === "paused") {
      try {
        await ctx.runtime.update(id, requested);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new SystemError(`Cannot update container ${id}: ${message}`, { cause: err });
      }
    }
    ctx.records.setHostConfig(id, hostConfig);
    publish(ctx, rec, "update");
  });
  return { Warnings: warnings };
}

/**
 * dockerd checks an update as it checks a create but for one rule: a swap
 * limit may come without a memory limit (the recorded one stands), so the
 * swap checks are left to the merge and the kernel.
 */
function checkedOnUpdate(limits: ResourceLimits): ResourceLimits {
  if (limits.memory) return limits;
  const { memorySwap: _swap, ...rest } = limits;
  return rest;
}

/** moby's Container.UpdateContainer: the recorded HostConfig with the request's non-zero fields. */
export function mergeUpdate(current: HostConfig, body: ContainerUpdateBody, id: string): HostConfig {
  const conflict = (message: string): never => {
    throw new ConflictError(`Cannot update container ${id}: ${message}`);
  };
  // NanoCpus sets period and quota itself, so each excludes the others once set.
  if (body.NanoCpus && current.CpuPeriod) conflict("Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set");
  if (body.NanoCpus && current.CpuQuota) conflict("Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set");
  if (body.CpuPeriod && current.NanoCpus) conflict("Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set");
  if (body.CpuQuota && current.NanoCpus) conflict("Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");

  const next: HostConfig = { ...current };
  if (body.BlkioWeight) next.BlkioWeight = body.BlkioWeight;
  if (body.CpuShares) next.CpuShares = body.CpuShares;
  if (body.NanoCpus) next.NanoCpus = body.NanoCpus;
  if (body.CpuPeriod) next.CpuPeriod = body.CpuPeriod;
  if (body.CpuQuota) next.CpuQuota = body.CpuQuota;
  if (body.CpusetCpus) next.CpusetCpus = body.CpusetCpus;
  if (body.CpusetMems) next.CpusetMems = body.CpusetMems;
  if (body.Memory) {
    if (body.Memory > (current.MemorySwap ?? 0) && !body.MemorySwap) {
      conflict("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time");
    }
    next.Memory = body.Memory;
  }
  if (body.MemorySwap) next.MemorySwap = body.MemorySwap;
  if (body.MemoryReservation) next.MemoryReservation = body.MemoryReservation;
  // -1 and 0 both mean "no limit"; dockerd records no limit as 0.
  if (body.PidsLimit !== undefined && body.PidsLimit !== null) next.PidsLimit = body.PidsLimit > 0 ? body.PidsLimit : 0;

  if (body.RestartPolicy?.Name) {
    if (current.AutoRemove && body.RestartPolicy.Name !== "no") {
      conflict("Restart policy cannot be updated because AutoRemove is enabled for the container");
    }
    next.RestartPolicy = normalizeHostConfig({ RestartPolicy: body.RestartPolicy }).hostConfig.RestartPolicy;
  }
  return next;
}
