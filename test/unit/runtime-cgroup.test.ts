// What berth itself decides from the host's cgroups: v1 vs v2 specs, swap
// limits only where they can be written, Docker's limit checks, and the host
// facts read from a cgroupfs (here fake trees in temp dirs).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { allCapabilities } from "../../src/runtime/capabilities.js";
import { cgroupHost, type CgroupHost } from "../../src/runtime/cgroup-host.js";
import { checkResources } from "../../src/runtime/resource-check.js";
import { buildSpec } from "../../src/runtime/spec.js";
import type { ResourceLimits } from "../../src/runtime/spec-options.js";
import { specOptions } from "./spec-options-fixture.js";

const v1: CgroupHost = { version: 1, swapLimit: true, numCpus: 2, cpus: "0-1", mems: "0" };
const v2: CgroupHost = { ...v1, version: 2 };

const options = specOptions;

const MiB = 1024 * 1024;

describe("spec on cgroup v1 and v2", () => {
  it("gives the container a private cgroup namespace on v2 only (Docker's default cgroupns mode)", () => {
    const types = (host: CgroupHost) => buildSpec(options({ host })).linux?.namespaces?.map((n) => n.type);
    assert.ok(types(v2)?.includes("cgroup"));
    assert.ok(!types(v1)?.includes("cgroup"));
  });

  it("writes OCI (v1-style) values that runc converts for v2", () => {
    const res = buildSpec(
      options({ host: v2, resources: { memory: 32 * MiB, memorySwap: 64 * MiB, nanoCpus: 5e8, cpuShares: 512, cpusetCpus: "0", pidsLimit: 20 } }),
    ).linux?.resources;
    assert.deepEqual(res?.memory, { limit: 32 * MiB, swap: 64 * MiB });
    assert.deepEqual(res?.cpu, { period: 100000, quota: 50000, shares: 512, cpus: "0" });
    assert.deepEqual(res?.pids, { limit: 20 });
  });

  it("sets no swap limit where the host cannot take one (no memsw files, no memory.swap.max)", () => {
    for (const host of [v1, v2]) {
      const noSwap = { ...host, swapLimit: false };
      assert.deepEqual(buildSpec(options({ host: noSwap, resources: { memory: 32 * MiB } })).linux?.resources?.memory, { limit: 32 * MiB });
      assert.deepEqual(
        buildSpec(options({ host: noSwap, resources: { memory: 32 * MiB, memorySwap: -1 } })).linux?.resources?.memory,
        { limit: 32 * MiB },
      );
      assert.deepEqual(buildSpec(options({ host, resources: { memory: 32 * MiB } })).linux?.resources?.memory, {
        limit: 32 * MiB,
        swap: 64 * MiB,
      });
    }
  });

  it("refuses limits the host cannot honour, in Docker's words", () => {
    assert.throws(() => buildSpec(options({ host: v2, resources: { nanoCpus: 99e9 } })), {
      name: "InvalidArgumentError",
      message: "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available",
    });
  });
});

describe("checkResources", () => {
  const refuses = (limits: ResourceLimits, message: string, host: CgroupHost = v1) =>
    assert.throws(() => checkResources(limits, host), { name: "InvalidArgumentError", message });

  it("accepts what the host has", () => {
    checkResources({ nanoCpus: 2e9, cpusetCpus: "0-1", cpusetMems: "0", cpuShares: 2 }, v1);
    checkResources({ cpuPeriod: 1000, cpuQuota: 1000 }, v1);
    checkResources({ memory: 6 * MiB, memorySwap: -1 }, v1);
    checkResources({ cpusetCpus: "0,1" }, { ...v1, cpus: "0-1,4" });
  });

  it("checks CPUs against the host", () => {
    refuses({ nanoCpus: 99e9 }, "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available");
    refuses({ nanoCpus: -1 }, "Range of CPUs is from 0.01 to 4.00, as there are only 4 CPUs available", { ...v1, numCpus: 4 });
    refuses({ cpusetCpus: "7" }, "Requested CPUs are not available - requested 7, available: 0-1");
    refuses({ cpusetCpus: "0-9" }, "Requested CPUs are not available - requested 0-9, available: 0-1");
    refuses({ cpusetCpus: "0-4294967295" }, "Requested CPUs are not available - requested 0-4294967295, available: 0-1");
    refuses({ cpusetCpus: "2" }, "Requested CPUs are not available - requested 2, available: 0-1,4", { ...v1, cpus: "0-1,4" });
    refuses({ cpusetCpus: "abc" }, "Invalid value abc for cpuset cpus: invalid format: abc");
    refuses({ cpusetCpus: "1-0" }, "Invalid value 1-0 for cpuset cpus: invalid format: 1-0");
    refuses({ cpusetMems: "3" }, "Requested memory nodes are not available - requested 3, available: 0");
    refuses({ cpuShares: -5 }, "shares: invalid argument");
    refuses({ cpuPeriod: 500 }, "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
    refuses({ cpuPeriod: 2_000_000 }, "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
    refuses({ cpuQuota: 500 }, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
    refuses({ nanoCpus: 1e9, cpuQuota: 50000 }, "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
    refuses({ nanoCpus: 1e9, cpuPeriod: 50000 }, "Conflicting options: Nano CPUs and CPU Period cannot both be set");
  });

  it("checks memory as Docker does", () => {
    refuses({ memory: 5 * MiB }, "Minimum memory limit allowed is 6MB");
    refuses({ memorySwap: 64 * MiB }, "You should always set the Memory limit when using Memoryswap limit, see usage");
    refuses({ memory: 32 * MiB, memorySwap: 16 * MiB }, "Minimum memoryswap limit should be larger than memory limit, see usage");
  });
});

describe("memory reservation, swappiness and the OOM killer", () => {
  const memory = (host: CgroupHost, resources: ResourceLimits) => buildSpec(options({ host, resources })).linux?.resources?.memory;

  it("sets the soft limit on both versions and the v1-only knobs on v1 only, as Docker", () => {
    const limits = { memory: 64 * MiB, memoryReservation: 32 * MiB, memorySwappiness: 10, oomKillDisable: true };
    assert.deepEqual(memory(v1, limits), { limit: 64 * MiB, swap: 128 * MiB, reservation: 32 * MiB, swappiness: 10, disableOOMKiller: true });
    assert.deepEqual(memory(v2, limits), { limit: 64 * MiB, swap: 128 * MiB, reservation: 32 * MiB });
    assert.deepEqual(memory(v1, { memoryReservation: 16 * MiB }), { reservation: 16 * MiB });
    assert.deepEqual(memory(v1, { memorySwappiness: 0 }), { swappiness: 0 });
    assert.equal(memory(v1, { memorySwappiness: -1 }), undefined);
  });

  it("refuses what Docker refuses and warns where it discards", () => {
    const refuses = (limits: ResourceLimits, message: string) =>
      assert.throws(() => checkResources(limits, v1), { name: "InvalidArgumentError", message });
    refuses({ memoryReservation: 1024 }, "Minimum memory reservation allowed is 6MB");
    refuses({ memory: 50 * MiB, memoryReservation: 100 * MiB }, "Minimum memory limit can not be less than memory reservation limit, see usage");
    refuses({ memorySwappiness: 101 }, "Invalid value: 101, valid memory swappiness range is 0-100");
    assert.deepEqual(checkResources({ memory: 64 * MiB, memorySwappiness: 60, oomKillDisable: true }, v1), []);
    assert.deepEqual(checkResources({ oomKillDisable: true }, v1), [
      "OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.",
    ]);
    assert.deepEqual(checkResources({ memory: 64 * MiB, memorySwappiness: 10, oomKillDisable: true }, v2), [
      "Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.",
      "Your kernel does not support OomKillDisable. OomKillDisable discarded.",
    ]);
  });
});

describe("cgroupHost", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const tree = async (files: Record<string, string>): Promise<string> => {
    const root = await mkdtemp(path.join(tmpdir(), "bt-cgroup-"));
    dirs.push(root);
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, name)), { recursive: true });
      await writeFile(path.join(root, name), content);
    }
    return root;
  };

  it("reads a v1 (or hybrid) host", async () => {
    const root = await tree({
      "memory/memory.limit_in_bytes": "",
      "memory/memory.memsw.limit_in_bytes": "",
      "cpuset/cpuset.cpus": "0-3\n",
      "cpuset/cpuset.mems": "0\n",
      "unified/cgroup.procs": "",
    });
    assert.deepEqual(cgroupHost(root), { version: 1, swapLimit: true, numCpus: availableParallelism(), cpus: "0-3", mems: "0" });
    const noSwap = await tree({ "memory/memory.limit_in_bytes": "", "cpuset/cpuset.cpus": "0\n", "cpuset/cpuset.mems": "0\n" });
    assert.equal(cgroupHost(noSwap).swapLimit, false);
  });

  it("reads a pure v2 host, with swap only where a child cgroup has memory.swap.max", async () => {
    const base = { "cgroup.controllers": "cpuset cpu memory pids\n", "cpuset.cpus.effective": "0-7\n", "cpuset.mems.effective": "0-1\n" };
    const swap = await tree({ ...base, "init.scope/memory.max": "max\n", "init.scope/memory.swap.max": "max\n" });
    assert.deepEqual(cgroupHost(swap), { version: 2, swapLimit: true, numCpus: availableParallelism(), cpus: "0-7", mems: "0-1" });
    const noSwap = await tree({ ...base, "system.slice/memory.max": "max\n" });
    assert.equal(cgroupHost(noSwap).swapLimit, false);
    const noMemory = await tree({ ...base, "system.slice/cgroup.procs": "" });
    assert.equal(cgroupHost(noMemory).swapLimit, false);
  });
});

describe("allCapabilities", () => {
  it("offers exactly the known capabilities in this process's bounding set (runc could grant no others)", () => {
    const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith("CapBnd:"))!;
    const last = BigInt(readFileSync("/proc/sys/kernel/cap_last_cap", "utf8").trim());
    const bounding = BigInt(`0x${line.slice("CapBnd:".length).trim()}`) & ((1n << (last + 1n)) - 1n);
    const caps = allCapabilities();
    assert.equal(caps.length, bounding.toString(2).split("").filter((b) => b === "1").length);
    // Bit 21 is CAP_SYS_ADMIN, bit 24 CAP_SYS_RESOURCE (which berthd lacks on the project's test machine).
    assert.equal(caps.includes("CAP_SYS_ADMIN"), Boolean((bounding >> 21n) & 1n));
    assert.equal(caps.includes("CAP_SYS_RESOURCE"), Boolean((bounding >> 24n) & 1n));
  });
});
