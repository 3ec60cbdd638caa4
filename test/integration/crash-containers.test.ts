// berthd SIGKILLed while `run -d` and `rm -f` are in flight, and a container
// whose rootfs snapshot was deleted by hand while berthd was down. After a
// restart every acknowledged operation stuck (a run -d that printed an ID is
// listed, an rm -f that succeeded is gone), everything listed can be
// inspected and removed, the broken container shows as dead with an error
// instead of keeping the daemon from starting, and once all is removed no
// snapshot, mount or conmon of it is left.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startDaemon, type Daemon } from "./harness.js";
import { census, sha256, type Census } from "./bad-input-fixtures.js";

interface Outcome {
  code: number | null;
  stdout: string;
}

function outcome(proc: ChildProcess): Promise<Outcome> {
  const out: Buffer[] = [];
  proc.stdout?.on("data", (c: Buffer) => out.push(c));
  proc.stderr?.resume();
  return new Promise((resolve) => proc.once("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString() })));
}

/** Mount points under `dir`, from the kernel's table. */
function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((point) => point.startsWith(`${dir}/`));
}

/** conmon processes whose command line names `dir` (each holds one container). */
function conmonsNaming(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // gone meanwhile
    }
    if (argv[0]?.endsWith("conmon") && argv.some((a) => a.includes(dir))) pids.push(Number(name));
  }
  return pids;
}

describe("berthd killed among container operations", () => {
  let d: Daemon;
  let baseline: Census;

  before(async () => {
    d = await startDaemon();
    baseline = census(d.dataRoot);
  });
  after(async () => {
    await d?.destroy();
  });

  async function psNames(): Promise<Map<string, string>> {
    const r = await d.berth(["ps", "-a", "--format", "{{.Names}} {{.State}}"]);
    assert.equal(r.code, 0, r.stderr);
    return new Map(r.stdout.split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string]));
  }

  /** Removes every container and checks that nothing of any of them is left. */
  async function assertAllRemovable(): Promise<void> {
    const ids = (await d.berth(["ps", "-aq", "--no-trunc"])).stdout.split("\n").filter(Boolean);
    for (const id of ids) {
      const inspect = await d.berth(["inspect", "--format", "{{.State.Status}}", id]);
      assert.equal(inspect.code, 0, inspect.stderr);
      const r = await d.berth(["rm", "-f", id]);
      assert.equal(r.code, 0, `rm -f ${id} (${inspect.stdout.trim()}): ${r.stderr}`);
    }
    assert.equal((await d.berth(["ps", "-aq"])).stdout, "");
    assert.deepEqual(census(d.dataRoot), baseline, "removed containers left snapshots behind");
    assert.deepEqual(readdirSync(join(d.dataRoot, "containers")), []);
    assert.deepEqual(mountsUnder(d.dataRoot), []);
    assert.deepEqual(mountsUnder(d.execRoot), []);
  }

  test("killed while run -d and rm -f are in flight", async () => {
    for (const n of [1, 2, 3]) {
      const r = await d.berth(["run", "-d", "--name", `old${n}`, "busybox", "sleep", "300"]);
      assert.equal(r.code, 0, r.stderr);
    }
    const before = census(d.dataRoot).snapshots.length;
    const runs = [1, 2, 3].map((n) => outcome(d.spawnBerth(["run", "-d", "--name", `new${n}`, "busybox", "sleep", "300"])));
    const removal = outcome(d.spawnBerth(["rm", "-f", "old1", "old2", "old3"]));
    // Kill as soon as the operations have started to change the data root.
    while (census(d.dataRoot).snapshots.length === before) await new Promise((r) => setImmediate(r));
    await d.kill("SIGKILL");
    const ran = await Promise.all(runs);
    const removed = await removal;
    await d.restart();

    const listed = await psNames();
    ran.forEach((r, i) => {
      if (r.code === 0) assert.ok(listed.has(`new${i + 1}`), `run -d new${i + 1} printed ${r.stdout.trim()} but the container is gone`);
    });
    if (removed.code === 0) for (const n of [1, 2, 3]) assert.ok(!listed.has(`old${n}`), `rm -f reported old${n} removed but it is listed`);
    for (const [name, state] of listed) assert.match(state, /^(created|running|exited|dead)$/, `${name} is ${state}`);
    // A container berthd was killed under keeps running (conmon holds it) and still works.
    for (const [name, state] of listed) {
      if (state !== "running") continue;
      const exec = await d.berth(["exec", name, "echo", "alive"]);
      assert.equal(exec.stdout, "alive\n", `exec in ${name}: ${exec.stderr}`);
    }
    await assertAllRemovable();
    assert.deepEqual(conmonsNaming(d.execRoot), [], "a removed container's conmon is still running");
  });

  test("a container whose snapshot was deleted by hand is dead, not a reason to refuse to start", async () => {
    assert.equal((await d.berth(["create", "--name", "victim", "busybox", "true"])).code, 0);
    assert.equal((await d.berth(["run", "--name", "quitter", "busybox", "true"])).code, 0);
    assert.equal((await d.berth(["run", "-d", "--name", "bystander", "busybox", "sleep", "300"])).code, 0);
    const idOf = async (name: string): Promise<string> => (await d.berth(["inspect", "--format", "{{.Id}}", name])).stdout.trim();
    const victims = [await idOf("victim"), await idOf("quitter")];
    await d.kill("SIGTERM");
    const driverDir = readdirSync(d.dataRoot).includes("overlay2") ? "overlay2" : "vfs";
    for (const id of victims) await rm(join(d.dataRoot, driverDir, sha256(id)), { recursive: true });
    await d.restart();

    const listed = await psNames();
    assert.equal(listed.get("victim"), "dead");
    assert.equal(listed.get("quitter"), "dead");
    assert.equal(listed.get("bystander"), "running");
    const error = await d.berth(["inspect", "--format", "{{.State.Error}}", "victim"]);
    assert.notEqual(error.stdout.trim(), "", "a dead container says why");
    const start = await d.berth(["start", "victim"]);
    assert.notEqual(start.code, 0);
    assert.match(start.stderr, /Error response from daemon: /);
    // The rest of the daemon is unaffected.
    assert.equal((await d.berth(["exec", "bystander", "echo", "ok"])).stdout, "ok\n");
    assert.equal((await d.berth(["run", "--rm", "busybox", "echo", "fine"])).stdout, "fine\n");
    // A dead container is removed without -f, as Docker allows.
    const r = await d.berth(["rm", "victim", "quitter"]);
    assert.equal(r.code, 0, r.stderr);
    await assertAllRemovable();
  });
});
