// Real containers through a private berthd, driven by the berth CLI.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startDaemon, type Daemon } from "./harness.js";

describe("containers", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  test("run prints the command's output and exits with its code", async () => {
    const ok = await d.berth(["run", "--rm", "busybox", "echo", "hello from berth"]);
    assert.equal(ok.stdout, "hello from berth\n");
    assert.equal(ok.code, 0);
    const three = await d.berth(["run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert.equal(three.code, 3);
    assert.equal(three.stdout, "out\n");
    assert.equal(three.stderr, "err\n");
  });

  test("env, user, workdir, hostname and entrypoint", async () => {
    const r = await d.berth([
      "run", "--rm", "-e", "A=1", "-e", "B=two words", "-u", "nobody", "-w", "/tmp", "-h", "box1",
      "busybox", "sh", "-c", 'echo "$A|$B|$(id -u)|$(pwd)|$(hostname)"',
    ]);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "1|two words|65534|/tmp|box1\n");
    const e = await d.berth(["run", "--rm", "--entrypoint", "echo", "busybox", "via", "entrypoint"]);
    assert.equal(e.stdout, "via entrypoint\n");
  });

  test("flags after the image belong to the container's command", async () => {
    const r = await d.berth(["run", "--rm", "busybox", "ls", "-d", "/etc"]);
    assert.equal(r.stdout, "/etc\n");
  });

  test("stdin with -i", async () => {
    const r = await d.berth(["run", "--rm", "-i", "busybox", "sh", "-c", "tr a-z A-Z"], { input: "shout\n" });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "SHOUT\n");
  });

  test("a TTY with -t", async () => {
    const r = await d.berth(["run", "--rm", "-t", "busybox", "sh", "-c", "test -t 1 && echo tty"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.replace(/\r/g, ""), "tty\n");
  });

  test("an unknown command exits 127 with Docker's message", async () => {
    const r = await d.berth(["run", "--rm", "busybox", "no-such-command"]);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /executable file not found in \$PATH/);
  });

  test("detached run, logs with stdout and stderr apart, and wait", async () => {
    const run = await d.berth(["run", "-d", "--name", "logger", "busybox", "sh", "-c", "echo one; echo two >&2; sleep 0.3; echo three"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout.trim(), /^[0-9a-f]{64}$/);
    const w = await d.berth(["wait", "logger"]);
    assert.equal(w.stdout.trim(), "0");
    const logs = await d.berth(["logs", "logger"]);
    assert.equal(logs.stdout, "one\nthree\n");
    assert.equal(logs.stderr, "two\n");
    const tail = await d.berth(["logs", "--tail", "1", "logger"]);
    assert.equal(tail.stdout, "three\n");
    const ts = await d.berth(["logs", "-t", "logger"]);
    assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z one\n/);
    await d.berth(["rm", "logger"]);
  });

  test("ps, inspect, rename and rm -f", async () => {
    const id = (await d.berth(["run", "-d", "--name", "sleeper", "-l", "team=core", "busybox", "sleep", "300"])).stdout.trim();
    const ps = await d.berth(["ps", "--format", "{{.Names}} {{.Status}}"]);
    assert.match(ps.stdout, /^sleeper Up /m);
    const q = await d.berth(["ps", "-q", "--filter", "label=team=core"]);
    assert.equal(q.stdout.trim(), id.slice(0, 12));
    const st = await d.berth(["inspect", "--format", "{{.State.Status}} {{.State.Running}} {{.Config.Labels.team}}", "sleeper"]);
    assert.equal(st.stdout.trim(), "running true core");
    assert.equal((await d.berth(["rename", "sleeper", "napper"])).code, 0);
    const dup = await d.berth(["run", "-d", "--name", "napper", "busybox", "true"]);
    assert.equal(dup.code, 125);
    assert.match(dup.stderr, /Conflict\. The container name "\/napper" is already in use/);
    const rm = await d.berth(["rm", "napper"]);
    assert.notEqual(rm.code, 0);
    assert.match(rm.stderr, /cannot remove a running container/);
    assert.equal((await d.berth(["rm", "-f", "napper"])).code, 0);
    const gone = await d.berth(["inspect", "napper"]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /No such (object|container): napper/);
  });

  test("exec runs in a running container", async () => {
    await d.berth(["run", "-d", "--name", "exec-target", "busybox", "sleep", "300"]);
    const r = await d.berth(["exec", "-e", "X=y", "-w", "/etc", "exec-target", "sh", "-c", 'echo "$X $(pwd)"']);
    assert.equal(r.stdout, "y /etc\n");
    const code = await d.berth(["exec", "exec-target", "sh", "-c", "exit 5"]);
    assert.equal(code.code, 5);
    const i = await d.berth(["exec", "-i", "exec-target", "cat"], { input: "piped\n" });
    assert.equal(i.stdout, "piped\n");
    await d.berth(["rm", "-f", "exec-target"]);
  });

  test("stop sends the stop signal first", async () => {
    await d.berth([
      "run", "-d", "--name", "trapper", "busybox", "sh", "-c",
      "trap 'echo got TERM; exit 7' TERM; echo ready; while true; do sleep 0.1; done",
    ]);
    for (let i = 0; i < 50 && !(await d.berth(["logs", "trapper"])).stdout.includes("ready"); i++) await sleep(100);
    const stop = await d.berth(["stop", "-t", "5", "trapper"]);
    assert.equal(stop.stdout.trim(), "trapper");
    const code = await d.berth(["inspect", "--format", "{{.State.ExitCode}}", "trapper"]);
    assert.equal(code.stdout.trim(), "7");
    assert.match((await d.berth(["logs", "trapper"])).stdout, /got TERM/);
    await d.berth(["rm", "trapper"]);
  });

  test("a memory limit kills with OOM: exit 137 and OOMKilled", async () => {
    const r = await d.berth(["run", "--name", "oom", "-m", "16m", "--memory-swap", "16m", "busybox", "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' x); echo survived"]);
    assert.equal(r.code, 137);
    const st = await d.berth(["inspect", "--format", "{{.State.OOMKilled}} {{.State.ExitCode}}", "oom"]);
    assert.equal(st.stdout.trim(), "true 137");
    await d.berth(["rm", "oom"]);
  });

  test("a pids limit stops forks beyond it", async () => {
    // Docker gives the same: busybox sh cannot fork the 8th process and exits 2.
    const r = await d.berth(["run", "--rm", "--pids-limit", "8", "busybox", "sh", "-c", "for i in $(seq 1 20); do sleep 5 & done; echo done"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /can't fork: Resource temporarily unavailable/);
    assert.doesNotMatch(r.stdout, /done/);
    const ok = await d.berth(["run", "--rm", "--pids-limit", "30", "busybox", "sh", "-c", "for i in $(seq 1 20); do sleep 1 & done; echo done"]);
    assert.equal(ok.stdout, "done\n");
  });

  test("save then load round-trips an image", async () => {
    const id = (await d.berth(["image", "inspect", "--format", "{{.Id}}", "busybox"])).stdout.trim();
    const { mkdtemp } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(join(tmpdir(), "bt-save-"));
    const file = join(dir, "bb.tar");
    assert.equal((await d.berth(["save", "-o", file, "busybox"])).code, 0);
    assert.equal((await d.berth(["tag", "busybox", "keep:1"])).code, 0);
    assert.equal((await d.berth(["rmi", "busybox"])).code, 0);
    const load = await d.berth(["load", "-i", file]);
    assert.match(load.stdout, /Loaded image: busybox:latest/);
    assert.equal((await d.berth(["image", "inspect", "--format", "{{.Id}}", "busybox"])).stdout.trim(), id);
    await d.berth(["rmi", "keep:1"]);
    const { rm } = await import("node:fs/promises");
    await rm(dir, { recursive: true, force: true });
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
