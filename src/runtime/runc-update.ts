// `runc update`: new cgroup limits for a running (or paused) container, as
// dockerd asks containerd for them. Only the limits given are sent; runc keeps
// the others. The resources go as OCI LinuxResources JSON on stdin (-r -).
import { spawn } from "node:child_process";
import { cgroupHost, type CgroupHost } from "./cgroup-host.js";
import { RuncError, dockerError, runcErrorMessage, type RuncOptions } from "./runc.js";
import type { ResourceLimits } from "./spec-options.js";

const CPU_PERIOD = 100_000;

/** The LinuxResources object for the limits given (moby's toContainerdResources). */
export function updateResources(limits: ResourceLimits, host: CgroupHost): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const memory: Record<string, number> = {};
  if (limits.memory) memory.limit = limits.memory;
  if (limits.memoryReservation) memory.reservation = limits.memoryReservation;
  // Without swap accounting runc cannot write memsw; dockerd drops the limit too.
  if (limits.memorySwap && limits.memorySwap > 0 && host.swapLimit) memory.swap = limits.memorySwap;
  if (Object.keys(memory).length > 0) out.memory = memory;

  const cpu: Record<string, number | string> = {};
  if (limits.cpuShares) cpu.shares = limits.cpuShares;
  if (limits.nanoCpus) {
    cpu.period = CPU_PERIOD;
    cpu.quota = Math.round((limits.nanoCpus * CPU_PERIOD) / 1e9);
  } else {
    if (limits.cpuPeriod) cpu.period = limits.cpuPeriod;
    if (limits.cpuQuota) cpu.quota = limits.cpuQuota;
  }
  if (limits.cpusetCpus) cpu.cpus = limits.cpusetCpus;
  if (limits.cpusetMems) cpu.mems = limits.cpusetMems;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;

  // runc writes "max" for a negative limit and leaves 0 alone.
  if (limits.pidsLimit !== undefined) out.pids = { limit: limits.pidsLimit > 0 ? limits.pidsLimit : -1 };
  return out;
}

export function runcUpdate(rc: RuncOptions, id: string, limits: ResourceLimits): Promise<void> {
  const body = JSON.stringify(updateResources(limits, cgroupHost()));
  return new Promise((resolve, reject) => {
    const child = spawn(rc.runtimePath, ["--root", rc.runtimeRoot, "--log-format", "json", "update", "--resources", "-", id], {
      stdio: ["pipe", "ignore", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" },
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(dockerError(new RuncError(runcErrorMessage(stderr) || `exit status ${code}`, "update"), id));
    });
    child.stdin.end(body);
  });
}
