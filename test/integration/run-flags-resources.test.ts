// The resource and tmpfs flags of `berth run` on a private berthd, read back
// from the host's cgroup files while the container runs and from
// /proc/mounts inside it. Expected values and messages are dockerd 20.10's for
// the same flags on the same host (cgroup v1 hierarchies; the v1-only knobs,
// swappiness and the OOM-killer switch, are discarded with a warning on v2).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startDaemon, type Daemon } from "./harness.js";

const V2 = existsSync("/sys/fs/cgroup/cgroup.controllers");
const MiB = 1024 * 1024;

function cgroupFile(id: string, v1: [string, string], v2: string): string {
  const file = V2 ? join("/sys/fs/cgroup/berth", id, v2) : join("/sys/fs/cgroup", v1[0], "berth", id, v1[1]);
  return readFileSync(file, "utf8").trim();
}

describe("run resource flags", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  const runDetached = async (flags: string[]): Promise<string> => {
    const r = await d.berth(["run", "-d", ...flags, "busybox", "sleep", "300"]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const inside = async (id: string, script: string): Promise<string> => {
    const r = await d.berth(["exec", id, "sh", "-c", script]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  test("cpu quota and period, cpuset mems, memory reservation, swappiness, OOM killer", async () => {
    const id = await runDetached([
      "--cpu-quota", "50000",
      "--cpu-period", "200000",
      "--cpuset-mems", "0",
      "-m", "64m",
      "--memory-reservation", "32m",
      "--memory-swappiness", "10",
      "--oom-kill-disable",
    ]);
    try {
      const hc = await d.berth([
        "inspect", "-f",
        "{{.HostConfig.CpuQuota}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpusetMems}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}}",
        id,
      ]);
      assert.equal(hc.stdout, `50000 200000 0 ${32 * MiB} ${128 * MiB} 10 true\n`);
      assert.equal(cgroupFile(id, ["cpuset", "cpuset.mems"], "cpuset.mems"), "0");
      if (V2) {
        assert.equal(cgroupFile(id, ["cpu", ""], "cpu.max"), "50000 200000");
        assert.equal(cgroupFile(id, ["memory", ""], "memory.low"), String(32 * MiB));
      } else {
        assert.equal(cgroupFile(id, ["cpu", "cpu.cfs_quota_us"], ""), "50000");
        assert.equal(cgroupFile(id, ["cpu", "cpu.cfs_period_us"], ""), "200000");
        assert.equal(cgroupFile(id, ["memory", "memory.soft_limit_in_bytes"], ""), String(32 * MiB));
        assert.equal(cgroupFile(id, ["memory", "memory.swappiness"], ""), "10");
        assert.match(cgroupFile(id, ["memory", "memory.oom_control"], ""), /^oom_kill_disable 1$/m);
      }
    } finally {
      await d.berth(["rm", "-f", id]);
    }
  });

  test("--shm-size sizes /dev/shm", async () => {
    const r = await d.berth(["run", "--rm", "--shm-size", "8m", "busybox", "grep", " /dev/shm ", "/proc/mounts"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=8192k 0 0\n");
  });

  test("--tmpfs mounts a tmpfs with Docker's default options merged with the user's", async () => {
    const id = await runDetached(["--tmpfs", "/run:rw,size=64m", "--tmpfs", "/x", "--tmpfs", "/e:exec,size=1m"]);
    try {
      const mounts = await inside(id, "grep -E ' /(run|x|e) ' /proc/mounts");
      assert.equal(
        mounts,
        [
          "tmpfs /e tmpfs rw,nosuid,nodev,relatime,size=1024k 0 0",
          "tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k 0 0",
          "tmpfs /x tmpfs rw,nosuid,nodev,noexec,relatime 0 0",
          "",
        ].join("\n"),
      );
      const tmpfs = await d.berth(["inspect", "-f", "{{json .HostConfig.Tmpfs}}", id]);
      assert.equal(tmpfs.stdout, '{"/e":"exec,size=1m","/run":"rw,size=64m","/x":""}\n');
    } finally {
      await d.berth(["rm", "-f", id]);
    }
  });

  test("--read-only --tmpfs /tmp leaves /tmp writable and the rest read-only", async () => {
    const r = await d.berth(["run", "--rm", "--read-only", "--tmpfs", "/tmp", "busybox", "sh", "-c", "touch /tmp/ok && echo tmp-ok; touch /ro 2>&1"]);
    assert.equal(r.stdout, "tmp-ok\ntouch: /ro: Read-only file system\n");
  });

  test("bad values are refused in Docker's words", async () => {
    const cases: [string[], string, number][] = [
      [["--cpus", "-1"], "berth: Error response from daemon: Range of CPUs is from 0.01 to", 125],
      [["--memory-swappiness", "200"], "berth: invalid value: 200. Valid memory swappiness range is 0-100", 125],
      [["--memory-reservation", "1k"], "berth: Error response from daemon: Minimum memory reservation allowed is 6MB", 125],
      [
        ["-m", "50m", "--memory-reservation", "100m"],
        "berth: Error response from daemon: Minimum memory limit can not be less than memory reservation limit, see usage",
        125,
      ],
      [["--tmpfs", "rel"], "berth: Error response from daemon: invalid mount path: 'rel' mount path must be absolute", 125],
      [["--tmpfs", "/x:bogus"], 'berth: Error response from daemon: invalid tmpfs option ["bogus"]', 125],
      [["--shm-size", "-1"], `invalid argument "-1" for "--shm-size" flag: invalid size: '-1'`, 125],
    ];
    for (const [flags, message, code] of cases) {
      const r = await d.berth(["run", "--rm", ...flags, "busybox", "true"]);
      assert.equal(r.code, code, flags.join(" "));
      assert.ok(r.stderr.startsWith(message), `${flags.join(" ")}: ${r.stderr}`);
    }
    assert.equal((await d.berth(["ps", "-aq"])).stdout, "");
  });

  test("--oom-kill-disable without -m warns as Docker does", async () => {
    const r = await d.berth(["run", "--rm", "--oom-kill-disable", "busybox", "true"]);
    assert.equal(r.code, 0);
    const warning = V2
      ? "WARNING: Your kernel does not support OomKillDisable. OomKillDisable discarded.\n"
      : "WARNING: OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.\n";
    assert.equal(r.stderr, warning);
  });
});

describe("a container whose image was removed", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  test("still inspects, with and without --size, and lists", async () => {
    // The image keeps one name only, so rmi -f deletes it rather than untagging.
    assert.equal((await d.berth(["tag", "busybox", "gone:1"])).code, 0);
    const created = await d.berth(["create", "--name", "orphan", "gone:1", "true"]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await d.berth(["rmi", "busybox"])).code, 0);
    const rmi = await d.berth(["rmi", "-f", "gone:1"]);
    assert.equal(rmi.code, 0, rmi.stderr);
    assert.match(rmi.stdout, /^Untagged: gone:1\nDeleted: sha256:[0-9a-f]{64}\n$/);

    const plain = await d.berth(["inspect", "-f", "{{.Name}} {{.Config.Image}}", "orphan"]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, "/orphan gone:1\n");
    const sized = await d.berth(["inspect", "--size", "-f", "{{.SizeRw}}", "orphan"]);
    assert.equal(sized.code, 0, sized.stderr);
    assert.equal(sized.stdout, "0\n");
    const ps = await d.berth(["ps", "-a", "-s", "--format", "{{.Names}} {{.Size}}"]);
    assert.equal(ps.code, 0, ps.stderr);
    assert.match(ps.stdout, /^orphan 0B/);
    assert.equal((await d.berth(["rm", "orphan"])).code, 0);
  });
});
