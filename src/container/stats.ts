// docker stats: samples of a container's cgroup (runtime/cgroup-stats.ts),
// its network counters and the host's CPU time, in dockerd's shape. As
// dockerd: a stream sends a sample a second for as long as the container
// runs (nothing while it does not); a single answer waits a second so that
// precpu_stats holds the sample before (unless one-shot), and a container
// that does not run gets a zero sample with only its name and ID.
import { totalmem } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { readCgroupStats } from "../runtime/cgroup-stats.js";
import { emptyBlkio } from "../runtime/cgroup-stats-files.js";
import { onlineCpus, readNetworkStats, systemCpuUsage } from "../runtime/cgroup-stats-proc.js";
import { networkKind } from "./config.js";
import { cgroupParent } from "./container-spec.js";
import type { Context } from "./context.js";
import { zeroTime, type ContainerRecord } from "./records.js";
import type { ContainerStatsResponse, CpuStats, StatsOptions } from "./stats-types.js";

const INTERVAL_MS = 1000;

type Sample = Omit<ContainerStatsResponse, "preread" | "precpu_stats" | "name" | "id">;

/** Resolves (or throws "No such container") before any sampling, so the API can answer 404 first. */
export async function containerStats(ctx: Context, idOrName: string, opts: StatsOptions): Promise<AsyncIterable<ContainerStatsResponse>> {
  const { id } = ctx.records.get(idOrName);
  return opts.stream ? streamed(ctx, id, opts.signal) : single(ctx, id, opts);
}

async function* single(ctx: Context, id: string, opts: StatsOptions): AsyncGenerator<ContainerStatsResponse> {
  const rec = ctx.records.find(id);
  if (!rec) return;
  if (!sampled(rec)) {
    yield notRunning(rec);
    return;
  }
  const before = opts.oneShot ? undefined : await sample(ctx, rec);
  if (before && !(await pause(opts.signal))) return;
  yield combine(rec, await sample(ctx, rec), before);
}

async function* streamed(ctx: Context, id: string, signal: AbortSignal | undefined): AsyncGenerator<ContainerStatsResponse> {
  let previous: Sample | undefined;
  for (;;) {
    const rec = ctx.records.find(id);
    if (!rec) return;
    if (sampled(rec)) {
      const current = await sample(ctx, rec);
      yield combine(rec, current, previous);
      previous = current;
    } else previous = undefined;
    if (!(await pause(signal))) return;
  }
}

/** dockerd samples running and paused containers, not restarting ones. */
function sampled(rec: ContainerRecord): boolean {
  return rec.state.status === "running" || rec.state.status === "paused";
}

async function sample(ctx: Context, rec: ContainerRecord): Promise<Sample> {
  const read = new Date().toISOString();
  const [cgroup, system, networks] = await Promise.all([
    readCgroupStats(`${cgroupParent(rec.hostConfig)}/${rec.id}`),
    systemCpuUsage(),
    // host and container: modes have no namespace of their own to count; none has only lo.
    networkKind(rec.hostConfig) === "bridge" && rec.state.pid > 0 ? readNetworkStats(rec.state.pid) : undefined,
  ]);
  // Without a limit the cgroup says "unlimited" in its own way; dockerd shows the host's memory.
  const machine = totalmem();
  const limit = cgroup.memory.limit === undefined || cgroup.memory.limit > machine ? machine : cgroup.memory.limit;
  return {
    read,
    pids_stats: cgroup.pids,
    blkio_stats: cgroup.blkio,
    num_procs: 0,
    storage_stats: {},
    cpu_stats: { cpu_usage: cgroup.cpu.cpu_usage, system_cpu_usage: system, online_cpus: onlineCpus(), throttling_data: cgroup.cpu.throttling_data },
    memory_stats: { ...cgroup.memory, limit },
    ...(networks && Object.keys(networks).length > 0 ? { networks } : {}),
  };
}

function combine(rec: ContainerRecord, current: Sample, previous: Sample | undefined): ContainerStatsResponse {
  // dockerd's field order, which people reading the JSON are used to.
  return {
    read: current.read,
    preread: previous?.read ?? zeroTime,
    pids_stats: current.pids_stats,
    blkio_stats: current.blkio_stats,
    num_procs: 0,
    storage_stats: {},
    cpu_stats: current.cpu_stats,
    precpu_stats: previous?.cpu_stats ?? zeroCpu(),
    memory_stats: current.memory_stats,
    name: rec.name,
    id: rec.id,
    ...(current.networks ? { networks: current.networks } : {}),
  };
}

function notRunning(rec: ContainerRecord): ContainerStatsResponse {
  return {
    read: zeroTime,
    preread: zeroTime,
    pids_stats: {},
    blkio_stats: emptyBlkio("null"),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: zeroCpu(),
    precpu_stats: zeroCpu(),
    memory_stats: {},
    name: rec.name,
    id: rec.id,
  };
}

function zeroCpu(): CpuStats {
  return {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

/** Waits one interval; false when the client left meanwhile. */
async function pause(signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await sleep(INTERVAL_MS, undefined, { signal });
    return true;
  } catch (err) {
    if (signal?.aborted) return false;
    throw err;
  }
}
