// Resource limits of real containers of a private berthd, read back from the
// host's cgroup files (cgroupfs driver: <hierarchy>/berth/<id>) while the
// container runs, and seen from inside. The values and error messages are
// Docker 20.10's for the same flags on the same host. On cgroup v2 runc
// converts the OCI values: the v2 branches assert its conversions.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { startDaemon, type Daemon, type Result } from "./harness.js";

const V2 = existsSync("/sys/fs/cgroup/cgroup.controllers");
const MiB = 1024 * 1024;

/** The container's cgroup file in a v1 hierarchy (v1) or the v2 tree (v2); undefined when absent. */
function v1File(id: string, controller: string, name: string): string | undefined {
  return readIf(join("/sys/fs/cgroup", controller, "berth", id, name));
}
function v2File(id: string, name: string): string | undefined {
  return readIf(join("/sys/fs/cgroup/berth", id, name));
}
function readIf(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

describe("resource limits", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  /** Runs `sleep` detached with the flags, hands its id to check, then removes it. */
  const withContainer = async (flags: string[], check: (id: string) => Promise<void>): Promise<void> => {
    const run = await d.berth(["run", "-d", ...flags, "busybox", "sleep", "300"]);
    assert.equal(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    try {
      await check(id);
    } finally {
      await d.berth(["rm", "-f", id]);
    }
    // runc delete removes the container's cgroup.
    assert.equal(existsSync(V2 ? join("/sys/fs/cgroup/berth", id) : join("/sys/fs/cgroup/memory/berth", id)), false);
  };
  const inside = async (id: string, script: string): Promise<string> => {
    const r = await d.berth(["exec", id, "sh", "-c", script]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };

  test("-m sets the memory limit, and twice that for memory+swap (Docker's default)", async () => {
    await withContainer(["-m", "32m"], async (id) => {
      if (V2) {
        assert.equal(v2File(id, "memory.max"), String(32 * MiB));
        const swap = v2File(id, "memory.swap.max");
        if (swap !== undefined) assert.equal(swap, String(32 * MiB));
        return;
      }
      assert.equal(v1File(id, "memory", "memory.limit_in_bytes"), String(32 * MiB));
      // The container sees its own memory cgroup at /sys/fs/cgroup/memory.
      assert.equal(await inside(id, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes"), String(32 * MiB));
      const memsw = v1File(id, "memory", "memory.memsw.limit_in_bytes");
      // Without swap accounting the kernel has no memsw files and the limit is dropped, as Docker does.
      if (existsSync("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")) assert.equal(memsw, String(64 * MiB));
    });
  });

  test("--memory-swap sets memory+swap; -1 leaves swap unlimited", async () => {
    await withContainer(["-m", "32m", "--memory-swap", "48m"], async (id) => {
      if (V2) {
        const swap = v2File(id, "memory.swap.max");
        if (swap !== undefined) assert.equal(swap, String(16 * MiB));
        return;
      }
      if (existsSync("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")) {
        assert.equal(v1File(id, "memory", "memory.memsw.limit_in_bytes"), String(48 * MiB));
      }
    });
    await withContainer(["-m", "32m", "--memory-swap", "-1"], async (id) => {
      const unlimited = V2 ? v2File(id, "memory.swap.max") : v1File(id, "memory", "memory.memsw.limit_in_bytes");
      if (unlimited !== undefined) assert.ok(unlimited === "max" || BigInt(unlimited) > 1n << 60n, unlimited);
    });
  });

  test("--cpus 0.5 is a CFS quota of 50000 per 100000", async () => {
    await withContainer(["--cpus", "0.5"], async (id) => {
      if (V2) return assert.equal(v2File(id, "cpu.max"), "50000 100000");
      assert.equal(v1File(id, "cpu", "cpu.cfs_quota_us"), "50000");
      assert.equal(v1File(id, "cpu", "cpu.cfs_period_us"), "100000");
    });
  });

  test("--cpu-shares 512", async () => {
    await withContainer(["--cpu-shares", "512"], async (id) => {
      // runc's shares→weight conversion: 1 + (512-2)*9999/262142.
      if (V2) return assert.equal(v2File(id, "cpu.weight"), "20");
      assert.equal(v1File(id, "cpu", "cpu.shares"), "512");
    });
  });

  test("--cpuset-cpus 0 pins the container to CPU 0", async () => {
    await withContainer(["--cpuset-cpus", "0"], async (id) => {
      assert.equal(V2 ? v2File(id, "cpuset.cpus") : v1File(id, "cpuset", "cpuset.cpus"), "0");
      assert.equal(await inside(id, "grep Cpus_allowed_list /proc/self/status | cut -f2"), "0");
      assert.equal(await inside(id, "nproc"), "1");
    });
  });

  test("--pids-limit sets pids.max", async () => {
    await withContainer(["--pids-limit", "20"], async (id) => {
      assert.equal(V2 ? v2File(id, "pids.max") : v1File(id, "pids", "pids.max"), "20");
    });
    await withContainer([], async (id) => {
      assert.equal(V2 ? v2File(id, "pids.max") : v1File(id, "pids", "pids.max"), "max");
    });
  });

  test("limits the host cannot honour fail with Docker's messages", async () => {
    const n = availableParallelism();
    const available = readFileSync(V2 ? "/sys/fs/cgroup/cpuset.cpus.effective" : "/sys/fs/cgroup/cpuset/cpuset.cpus", "utf8").trim();
    const cases: [string[], string][] = [
      [["--cpus", "99"], `Range of CPUs is from 0.01 to ${n}.00, as there are only ${n} CPUs available`],
      [["--cpuset-cpus", "4097"], `Requested CPUs are not available - requested 4097, available: ${available}`],
      [["--cpuset-cpus", "abc"], "Invalid value abc for cpuset cpus: invalid format: abc"],
      [["-m", "5m"], "Minimum memory limit allowed is 6MB"],
      [["-m", "32m", "--memory-swap", "16m"], "Minimum memoryswap limit should be larger than memory limit, see usage"],
      [["--cpu-shares", "-5"], "shares: invalid argument"],
    ];
    for (const [flags, message] of cases) {
      const r = await d.berth(["run", "--rm", ...flags, "busybox", "true"]);
      assert.equal(r.code, 125, flags.join(" "));
      assert.equal(r.stderr.split("\n")[0], `berth: Error response from daemon: ${message}`);
    }
    assert.equal((await d.berth(["ps", "-aq"])).stdout, "");
  });
});

const dockerPath = spawnSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).stdout.trim();
if (!dockerPath) console.warn("SKIPPING the docker CLI OOM test: no docker client installed");

describe("an OOM kill through the real docker CLI", { skip: !dockerPath && "no docker client installed" }, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  test("docker inspect shows OOMKilled and exit code 137", async () => {
    const r = await d.berth(["run", "--name", "oom", "-m", "16m", "--memory-swap", "16m", "busybox", "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' x)"]);
    assert.equal(r.code, 137);
    const st = await docker(d, ["inspect", "--format", "{{.State.OOMKilled}} {{.State.ExitCode}} {{.State.Status}} {{.HostConfig.Memory}}", "oom"]);
    assert.equal(st.stderr, "");
    assert.equal(st.stdout, `true 137 exited ${16 * MiB}\n`);
    const ps = await docker(d, ["ps", "-a", "--filter", "name=oom", "--format", "{{.Status}}"]);
    assert.match(ps.stdout, /^Exited \(137\) /);
    await d.berth(["rm", "oom"]);
  });
});

function docker(d: Daemon, args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(dockerPath, args, {
      env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dataRoot, "docker-cli") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
