// The cgroup stats readers on fixture trees (v1 as this host lays it out, v2
// as a unified host does), and the /proc parsers beside them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { readCgroupStats } from "../../src/runtime/cgroup-stats.js";
import { parseBlkio } from "../../src/runtime/cgroup-stats-v1.js";
import { parseIoStat } from "../../src/runtime/cgroup-stats-v2.js";
import { parseNetDev, parseSystemCpu } from "../../src/runtime/cgroup-stats-proc.js";

let root: string;
const cg = "/berth/abc";

async function files(dir: string, content: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(content)) await writeFile(path.join(dir, name), text);
}

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "cgstats-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("cgroup v1", () => {
  let v1: string;
  before(async () => {
    v1 = path.join(root, "v1");
    await files(path.join(v1, "cpuacct", cg), {
      "cpuacct.usage": "20497454\n",
      "cpuacct.usage_percpu": "6209078 14288376 \n",
      "cpuacct.stat": "user 3\nsystem 1\n",
    });
    await files(path.join(v1, "cpu", cg), { "cpu.stat": "nr_periods 10\nnr_throttled 2\nthrottled_time 5000\nnr_bursts 0\n" });
    await files(path.join(v1, "memory", cg), {
      "memory.usage_in_bytes": "499712\n",
      "memory.max_usage_in_bytes": "4284416\n",
      "memory.failcnt": "0\n",
      "memory.limit_in_bytes": "67108864\n",
      "memory.stat":
        "cache 167936\nrss 53248\nshmem 0\ninactive_file 45056\nactive_file 122880\nhierarchical_memory_limit 67108864\nhierarchical_memsw_limit 134217728\ntotal_cache 167936\ntotal_rss 53248\ntotal_inactive_file 45056\ntotal_shmem 0\n",
    });
    await files(path.join(v1, "blkio", cg), {
      "blkio.throttle.io_service_bytes_recursive": "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Total 12288\nTotal 12288\n",
      "blkio.throttle.io_serviced_recursive": "8:0 Read 1\n8:0 Write 2\nTotal 3\n",
    });
    await files(path.join(v1, "pids", cg), { "pids.current": "3\n", "pids.max": "max\n" });
  });

  test("reads CPU, memory, block I/O and pids as dockerd reports them", async () => {
    const s = await readCgroupStats(cg, { root: v1, version: 1 });
    assert.deepEqual(s.cpu.cpu_usage, {
      total_usage: 20497454,
      percpu_usage: [6209078, 14288376],
      usage_in_kernelmode: 10_000_000,
      usage_in_usermode: 30_000_000,
    });
    assert.deepEqual(s.cpu.throttling_data, { periods: 10, throttled_periods: 2, throttled_time: 5000 });
    assert.equal(s.memory.usage, 499712);
    assert.equal(s.memory.max_usage, 4284416);
    assert.equal(s.memory.limit, 67108864);
    assert.equal(s.memory.failcnt, undefined);
    // dockerd's keys only (no shmem), sorted as Go writes a map.
    assert.deepEqual(Object.keys(s.memory.stats ?? {}), [
      "active_file",
      "cache",
      "hierarchical_memory_limit",
      "hierarchical_memsw_limit",
      "inactive_file",
      "rss",
      "total_cache",
      "total_inactive_file",
      "total_rss",
    ]);
    assert.equal(s.memory.stats?.total_inactive_file, 45056);
    assert.deepEqual(s.blkio.io_service_bytes_recursive, [
      { major: 8, minor: 0, op: "Read", value: 4096 },
      { major: 8, minor: 0, op: "Write", value: 8192 },
      { major: 8, minor: 0, op: "Sync", value: 0 },
      { major: 8, minor: 0, op: "Total", value: 12288 },
    ]);
    assert.equal(s.blkio.io_serviced_recursive?.length, 2);
    assert.deepEqual(s.blkio.sectors_recursive, []);
    assert.deepEqual(s.pids, { current: 3 });
  });

  test("a cgroup that is gone reads as zeros, not an error", async () => {
    const s = await readCgroupStats("/berth/gone", { root: v1, version: 1 });
    assert.equal(s.cpu.cpu_usage.total_usage, 0);
    assert.deepEqual(s.memory, {});
    assert.deepEqual(s.pids, {});
  });

  test("blkio lines without a device are left out", () => {
    assert.deepEqual(parseBlkio("Total 5\n253:1 Read 7\n"), [{ major: 253, minor: 1, op: "Read", value: 7 }]);
  });
});

describe("cgroup v2", () => {
  let v2: string;
  before(async () => {
    v2 = path.join(root, "v2");
    await files(v2, { "cgroup.controllers": "cpu memory io pids\n" });
    await files(path.join(v2, cg), {
      "cpu.stat": "usage_usec 2000\nuser_usec 1500\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\nthrottled_usec 30\n",
      "memory.current": "1048576\n",
      "memory.max": "max\n",
      "memory.stat": "anon 4096\nfile 8192\ninactive_file 2048\nactive_file 6144\nworkingset_refault_anon 1\nworkingset_refault_file 2\npgfault 9\n",
      "memory.events": "low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\n",
      "io.stat": "8:0 rbytes=4096 wbytes=1024 rios=1 wios=1 dbytes=0 dios=0\n8:16 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n",
      "pids.current": "2\n",
      "pids.max": "100\n",
    });
  });

  test("detects v2 from cgroup.controllers and reads the unified files", async () => {
    const s = await readCgroupStats(cg, { root: v2 });
    assert.deepEqual(s.cpu.cpu_usage, { total_usage: 2_000_000, usage_in_kernelmode: 500_000, usage_in_usermode: 1_500_000 });
    assert.deepEqual(s.cpu.throttling_data, { periods: 4, throttled_periods: 1, throttled_time: 30_000 });
    assert.equal(s.memory.usage, 1048576);
    // "max": no limit of its own; the caller shows the host's memory.
    assert.equal(s.memory.limit, undefined);
    assert.equal(s.memory.max_usage, undefined);
    assert.equal(s.memory.failcnt, 2);
    assert.equal(s.memory.stats?.inactive_file, 2048);
    assert.equal(s.memory.stats?.workingset_refault, 3);
    assert.equal(s.memory.stats?.kernel_stack, 0);
    assert.deepEqual(s.blkio.io_service_bytes_recursive, [
      { major: 8, minor: 0, op: "read", value: 4096 },
      { major: 8, minor: 0, op: "write", value: 1024 },
      { major: 8, minor: 16, op: "read", value: 1 },
      { major: 8, minor: 16, op: "write", value: 2 },
    ]);
    assert.equal(s.blkio.io_serviced_recursive, null);
    assert.deepEqual(s.pids, { current: 2, limit: 100 });
  });

  test("a limit is read as a number", async () => {
    await writeFile(path.join(v2, cg, "memory.max"), "67108864\n");
    assert.equal((await readCgroupStats(cg, { root: v2, version: 2 })).memory.limit, 67108864);
  });

  test("io.stat with no devices is an empty list", () => {
    assert.deepEqual(parseIoStat(""), []);
  });
});

describe("/proc", () => {
  test("system CPU time: the first seven fields of the cpu line, in nanoseconds", () => {
    const stat = "cpu  100 2 30 400 5 0 6 7 0 0\ncpu0 50 1 15 200 2 0 3 3 0 0\n";
    assert.equal(parseSystemCpu(stat), (100 + 2 + 30 + 400 + 5 + 0 + 6) * 1e7);
  });

  test("net/dev: every interface but lo", () => {
    const text = [
      "Inter-|   Receive                                                |  Transmit",
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
      "    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0",
      "  eth0:     736       8    1    2    0     0          0         0      472       6    3    4    0     0       0          0",
    ].join("\n");
    assert.deepEqual(parseNetDev(text), {
      eth0: { rx_bytes: 736, rx_packets: 8, rx_errors: 1, rx_dropped: 2, tx_bytes: 472, tx_packets: 6, tx_errors: 3, tx_dropped: 4 },
    });
  });
});
