// docker stats' arithmetic and table, docker update's merge rules and the
// prune prompts and filters — the pure parts, as tables.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { cpuPercent, memoryUsage, renderStats, statsEntry } from "../../src/cli/commands/stats-format.js";
import { updateBody } from "../../src/cli/commands/update.js";
import { systemPruneWarning } from "../../src/cli/commands/system-prune.js";
import { deletedImages, imagePruneFilters } from "../../src/cli/commands/image-prune.js";
import { deletedContainers, totalReclaimed } from "../../src/cli/commands/container-prune.js";
import { mergeUpdate } from "../../src/container/update.js";
import { pruneFilter } from "../../src/container/prune.js";
import { updateResources } from "../../src/runtime/runc-update.js";
import type { ContainerStatsResponse } from "../../src/container/stats-types.js";
import type { ContainerRecord } from "../../src/container/records.js";

const cpu = (total: number, system: number, cpus = 2) => ({
  cpu_usage: { total_usage: total, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  system_cpu_usage: system,
  online_cpus: cpus,
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
});

function sample(over: Partial<ContainerStatsResponse> = {}): ContainerStatsResponse {
  return {
    read: "2024-01-01T00:00:01Z",
    preread: "2024-01-01T00:00:00Z",
    pids_stats: { current: 3 },
    blkio_stats: {
      io_service_bytes_recursive: [
        { major: 8, minor: 0, op: "Read", value: 4_200_000 },
        { major: 8, minor: 0, op: "Write", value: 1000 },
        { major: 8, minor: 0, op: "Total", value: 4_201_000 },
      ],
      io_serviced_recursive: [],
      io_queue_recursive: [],
      io_service_time_recursive: [],
      io_wait_time_recursive: [],
      io_merged_recursive: [],
      io_time_recursive: [],
      sectors_recursive: [],
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpu(2_000_000_000, 20_000_000_000),
    precpu_stats: cpu(1_000_000_000, 18_000_000_000),
    memory_stats: { usage: 499712, limit: 67108864, stats: { total_inactive_file: 167936 } },
    name: "/web",
    id: "6db9658fffe1c9fde70446d78125cec63f80a5d1ca7a00dfa5ad3c31b00c7a15",
    networks: { eth0: { rx_bytes: 736, rx_packets: 8, rx_errors: 0, rx_dropped: 0, tx_bytes: 0, tx_packets: 0, tx_errors: 0, tx_dropped: 0 } },
    ...over,
  };
}

describe("stats arithmetic", () => {
  test("CPU %: the container's share of the host's time since precpu, times the CPUs", () => {
    // 1 s of CPU over 2 s of host time on 2 CPUs: one CPU fully busy.
    assert.equal(cpuPercent(sample()), 100);
    assert.equal(cpuPercent(sample({ precpu_stats: cpu(0, 0) })), 20);
    // No host time passed (a first sample): 0, not a division by zero.
    assert.equal(cpuPercent(sample({ precpu_stats: cpu(1_000_000_000, 20_000_000_000) })), 0);
    // online_cpus missing: the per-CPU list counts them.
    const legacy = sample();
    legacy.cpu_stats = { ...cpu(2_000_000_000, 20_000_000_000, 0), cpu_usage: { ...cpu(0, 0).cpu_usage, total_usage: 2_000_000_000, percpu_usage: [1, 2, 3, 4] } };
    assert.equal(cpuPercent(legacy), 200);
  });

  test("memory: usage without the inactive file cache (v1 total_inactive_file, v2 inactive_file)", () => {
    assert.equal(memoryUsage({ usage: 499712, stats: { total_inactive_file: 167936 } }), 331776);
    assert.equal(memoryUsage({ usage: 1000, stats: { inactive_file: 400 } }), 600);
    assert.equal(memoryUsage({ usage: 100, stats: { total_inactive_file: 400 } }), 100);
    assert.equal(memoryUsage({}), 0);
  });

  test("the table, as the docker CLI prints it", () => {
    const out = renderStats([statsEntry("web", sample())], { trunc: true });
    assert.equal(
      out,
      [
        "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O     BLOCK I/O     PIDS",
        "6db9658fffe1   web       100.00%   324KiB / 64MiB      0.49%     736B / 0B   4.2MB / 1kB   3",
        "",
      ].join("\n"),
    );
  });

  test("--format json and templates see docker's field names", () => {
    const out = renderStats([statsEntry("web", sample())], { trunc: false, format: "{{json .}}" });
    assert.deepEqual(JSON.parse(out), {
      BlockIO: "4.2MB / 1kB",
      CPUPerc: "100.00%",
      Container: "web",
      ID: "6db9658fffe1c9fde70446d78125cec63f80a5d1ca7a00dfa5ad3c31b00c7a15",
      MemPerc: "0.49%",
      MemUsage: "324KiB / 64MiB",
      Name: "web",
      NetIO: "736B / 0B",
      PIDs: "3",
    });
    assert.equal(renderStats([statsEntry("web", sample())], { trunc: true, format: "table {{.Container}}\t{{.PIDs}}" }), "CONTAINER   PIDS\nweb         3\n");
  });

  test("a container that does not run: zeros, as dockerd's empty sample gives", () => {
    const stopped = sample({ memory_stats: {}, pids_stats: {}, networks: undefined, cpu_stats: cpu(0, 0), precpu_stats: cpu(0, 0) });
    stopped.blkio_stats.io_service_bytes_recursive = null;
    assert.match(renderStats([statsEntry("x", stopped)], { trunc: true }), /0\.00%\s+0B \/ 0B\s+0\.00%\s+0B \/ 0B\s+0B \/ 0B\s+0\n$/);
  });
});

describe("update", () => {
  const id = "c".repeat(64);
  test("the body holds only the flags given; none is a usage error", () => {
    assert.deepEqual(updateBody({ memory: 104857600, cpus: 500_000_000, restart: "on-failure:3" }), {
      Memory: 104857600,
      NanoCpus: 500_000_000,
      RestartPolicy: { Name: "on-failure", MaximumRetryCount: 3 },
    });
    assert.throws(() => updateBody({}), /you must provide one or more flags when using this command/);
  });

  test("merge rules and dockerd's refusals", () => {
    const current = { Memory: 67108864, MemorySwap: 134217728, NanoCpus: 500_000_000, RestartPolicy: { Name: "no" as const } };
    assert.deepEqual(mergeUpdate(current, { Memory: 104857600, PidsLimit: -1 }, id), { ...current, Memory: 104857600, PidsLimit: 0 });
    assert.throws(
      () => mergeUpdate(current, { Memory: 209715200 }, id),
      { name: "ConflictError", message: `Cannot update container ${id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time` },
    );
    assert.equal(mergeUpdate(current, { Memory: 209715200, MemorySwap: 419430400 }, id).MemorySwap, 419430400);
    assert.throws(() => mergeUpdate(current, { CpuQuota: 50000 }, id), /CPU Quota cannot be updated as NanoCPUs has already been set/);
    assert.throws(() => mergeUpdate({ CpuPeriod: 100000 }, { NanoCpus: 1e9 }, id), /Nano CPUs cannot be updated as CPU Period has already been set/);
    assert.throws(
      () => mergeUpdate({ AutoRemove: true }, { RestartPolicy: { Name: "always" } }, id),
      /Restart policy cannot be updated because AutoRemove is enabled for the container/,
    );
    assert.deepEqual(mergeUpdate({}, { RestartPolicy: { Name: "on-failure", MaximumRetryCount: 2 } }, id).RestartPolicy, {
      Name: "on-failure",
      MaximumRetryCount: 2,
    });
  });

  test("runc gets only the limits asked for, NanoCpus as quota and period", () => {
    const host = { version: 1 as const, swapLimit: true, numCpus: 2, cpus: "0-1", mems: "0" };
    assert.deepEqual(updateResources({ nanoCpus: 500_000_000, pidsLimit: -1 }, host), { cpu: { period: 100000, quota: 50000 }, pids: { limit: -1 } });
    assert.deepEqual(updateResources({ memory: 1 << 27, memorySwap: 1 << 28 }, { ...host, swapLimit: false }), { memory: { limit: 1 << 27 } });
  });
});

describe("prune", () => {
  const rec = (created: string, labels: Record<string, string>) => ({ created, config: { Labels: labels } }) as unknown as ContainerRecord;
  test("container filters: until, label, label!", () => {
    const now = Date.parse("2024-01-01T12:00:00Z");
    const old = rec("2024-01-01T10:00:00Z", { keep: "1", team: "a" });
    const fresh = rec("2024-01-01T11:59:00Z", {});
    const keep = (f: Record<string, string[]>) => pruneFilter(new Map(Object.entries(f)), now);
    assert.equal(keep({ until: ["1h"] })(old), true);
    assert.equal(keep({ until: ["1h"] })(fresh), false);
    assert.equal(keep({ label: ["team=a"] })(old), true);
    assert.equal(keep({ label: ["team=b"] })(old), false);
    assert.equal(keep({ "label!": ["keep"] })(old), false);
    assert.equal(keep({ "label!": ["keep"] })(fresh), true);
    assert.throws(() => keep({ name: ["x"] }), /invalid filter 'name'/);
  });

  test("the docker CLI's words", () => {
    assert.equal(deletedContainers({ ContainersDeleted: ["a", "b"], SpaceReclaimed: 0 }) + totalReclaimed(1200), "Deleted Containers:\na\nb\n\nTotal reclaimed space: 1.2kB\n");
    assert.equal(deletedContainers({ ContainersDeleted: null, SpaceReclaimed: 0 }), "");
    assert.equal(
      deletedImages({ ImagesDeleted: [{ Untagged: "x:1" }, { Deleted: "sha256:aa" }], SpaceReclaimed: 0 }),
      "Deleted Images:\nuntagged: x:1\ndeleted: sha256:aa\n\n",
    );
    assert.deepEqual(imagePruneFilters(false, { until: ["1h"] }), { until: ["1h"], dangling: ["true"] });
    assert.deepEqual(imagePruneFilters(true, undefined), { dangling: ["false"] });
    assert.equal(
      systemPruneWarning({ volumes: true, all: true, filter: { until: ["1h"] } }),
      [
        "WARNING! This will remove:",
        "  - all stopped containers",
        "  - all networks not used by at least one container",
        "  - all anonymous volumes not used by at least one container",
        "  - all images without at least one container associated to them",
        "  - all build cache",
        "",
        "  Items to be pruned will be filtered with:",
        "  - until=1h",
        "",
        "Are you sure you want to continue?",
      ].join("\n"),
    );
    assert.match(systemPruneWarning({}), /  - all dangling images\n  - unused build cache\n\nAre you sure/);
  });
});
