// Each conmon leaves berthd's cgroups for the shared berth-conmon cgroup, so
// that a supervisor killing everything in berthd's cgroup (systemd's
// KillMode=control-group) leaves the containers running, as with podman.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startDaemon, type Daemon } from "./harness.js";

const V2 = existsSync("/sys/fs/cgroup/cgroup.controllers");
// The hierarchy the "supervisor" below uses: pids on v1/hybrid, the tree on v2.
const SUPERVISOR_ROOT = V2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/pids";

describe("conmon's cgroup", () => {
  let d: Daemon;
  let supervisor: string | undefined;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
    if (supervisor && existsSync(supervisor)) await rmdir(supervisor);
  });

  const daemonPid = (): number => {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes(d.host)) return Number(entry);
      } catch (err) {
        // The process ended while we looked.
        if (!gone(err)) throw err;
      }
    }
    throw new Error("berthd not found");
  };
  /** conmon is the container's init's parent (its subreaper). */
  const conmonOf = async (name: string): Promise<number> => {
    const pid = (await d.berth(["inspect", "--format", "{{.State.Pid}}", name])).stdout.trim();
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const ppid = Number(/PPid:\s*(\d+)/.exec(status)![1]);
    assert.match(readFileSync(`/proc/${ppid}/cmdline`, "utf8"), /conmon/);
    return ppid;
  };
  const cgroups = (pid: number): string[] => readFileSync(`/proc/${pid}/cgroup`, "utf8").trim().split("\n");

  test("conmon runs in berth-conmon in every hierarchy, not in berthd's cgroup", async () => {
    assert.equal((await d.berth(["run", "-d", "--name", "c1", "busybox", "sleep", "300"])).code, 0);
    const conmon = await conmonOf("c1");
    assert.notDeepEqual(cgroups(conmon), cgroups(daemonPid()));
    for (const line of cgroups(conmon)) assert.match(line, /:\/berth-conmon$/, line);
    // An exec's conmon too.
    assert.equal((await d.berth(["exec", "-d", "c1", "sleep", "300"])).code, 0);
    const id = (await d.berth(["inspect", "--format", "{{.Id}}", "c1"])).stdout.trim();
    const monitors = conmonsOf(id);
    assert.equal(monitors.length, 2, "the container's conmon and the exec's");
    for (const pid of monitors) for (const line of cgroups(pid)) assert.match(line, /:\/berth-conmon$/, line);
    assert.equal((await d.berth(["rm", "-f", "c1"])).code, 0);
  });

  test("a berth-conmon cgroup removed behind berthd's back is made again", async (t) => {
    // berthd keeps cgroup.procs open; once the directory is gone, its descriptor writes nowhere (ENODEV).
    const dir = join(SUPERVISOR_ROOT, "berth-conmon");
    try {
      await rmdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EBUSY") return t.skip("another daemon's monitors are in berth-conmon");
      throw err;
    }
    assert.equal((await d.berth(["run", "-d", "--name", "c2", "busybox", "sleep", "300"])).code, 0);
    const conmon = await conmonOf("c2");
    assert.ok(existsSync(dir), `${dir} was made again`);
    for (const line of cgroups(conmon)) assert.match(line, /:\/berth-conmon$/, line);
    assert.equal((await d.berth(["rm", "-f", "c2"])).code, 0);
  });

  test("killing berthd's whole cgroup leaves the container running", async () => {
    supervisor = join(SUPERVISOR_ROOT, `bt-supervisor-${process.pid}`);
    await mkdir(supervisor);
    // berthd now runs in the supervisor's cgroup, as under a systemd unit; its
    // children would be born there too.
    await writeFile(join(supervisor, "cgroup.procs"), `${daemonPid()}\n`);
    assert.equal((await d.berth(["run", "-d", "--name", "survivor", "busybox", "sleep", "300"])).code, 0);
    const conmon = await conmonOf("survivor");
    const init = Number((await d.berth(["inspect", "--format", "{{.State.Pid}}", "survivor"])).stdout.trim());

    const members = readFileSync(join(supervisor, "cgroup.procs"), "utf8").trim().split("\n").map(Number);
    assert.ok(!members.includes(conmon), "conmon left the supervisor's cgroup");
    assert.ok(!members.includes(init), "the container is not in the supervisor's cgroup");
    for (const pid of members) process.kill(pid, "SIGKILL");
    for (let i = 0; i < 100 && readFileSync(join(supervisor, "cgroup.procs"), "utf8").trim() !== ""; i++) await sleep(50);
    assert.equal(readFileSync(join(supervisor, "cgroup.procs"), "utf8").trim(), "");

    assert.ok(running(conmon), "conmon survived");
    assert.ok(running(init), "the container survived");
    await d.restart();
    assert.equal((await d.berth(["inspect", "--format", "{{.State.Status}}", "survivor"])).stdout.trim(), "running");
    assert.equal((await d.berth(["exec", "survivor", "echo", "still here"])).stdout, "still here\n");
    assert.equal((await d.berth(["rm", "-f", "survivor"])).code, 0);
    // Gone, or a zombie its new parent has yet to reap.
    assert.equal(running(conmon), false);
  });
});

/** Every conmon monitoring a process of container `id`. */
function conmonsOf(id: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (args[0]?.endsWith("conmon") && args.includes(id)) found.push(Number(entry));
    } catch (err) {
      // The process ended while we looked.
      if (!gone(err)) throw err;
    }
  }
  return found;
}

function running(pid: number): boolean {
  try {
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch (err) {
    if (gone(err)) return false;
    throw err;
  }
}

function gone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ESRCH";
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
