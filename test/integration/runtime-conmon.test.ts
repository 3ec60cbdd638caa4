// The conmon runtime against real runc, conmon and cgroups (needs root): a
// busybox rootfs in a temp dir, one unique runc root and cgroup parent per run.
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, rmdir, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { readLog, type LogRecord } from "../../src/runtime/conmon-log.js";
import { createConmonRuntime } from "../../src/runtime/conmon-runtime.js";
import type { Runtime } from "../../src/runtime/runtime.js";
import { buildSpec } from "../../src/runtime/spec.js";
import type { SpecOptions } from "../../src/runtime/spec-options.js";
import type { RuntimeSpec } from "../../src/runtime/spec-types.js";
import { resolveUser } from "../../src/runtime/user.js";
import { specOptions } from "../unit/spec-options-fixture.js";

const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const CGROUP_PARENT = `/berth-test-${RUN}`;

let tmp: string;
let rootfs: string;
let runtimeDir: string;
let runcRoot: string;
let rt: Runtime;
const ids: string[] = [];

function newId(name: string): string {
  const id = `${name}-${RUN}`;
  ids.push(id);
  return id;
}

function spec(id: string, args: string[], extra: Partial<SpecOptions> = {}): RuntimeSpec {
  return buildSpec(
    specOptions({ rootfs, args, env: ["PATH=/bin", "HOME=/root"], hostname: id.slice(0, 12), cgroupsPath: `${CGROUP_PARENT}/${id}`, ...extra }),
  );
}

/** A shell loop that ends, printing it, once the terminal has the given size (resizes apply asynchronously). */
const WAIT_FOR_SIZE = (size: string): string =>
  `while :; do s=$(stty size 2>/dev/null); [ "$s" = "${size}" ] && break; sleep 0.05; done; echo "$s"`;

function logPath(id: string): string {
  return path.join(tmp, "logs", `${id}.log`);
}

/** create + attach + start, the order berthd uses so no output is missed. */
async function run(
  id: string,
  args: string[],
  opts: { tty?: boolean; openStdin?: boolean; stdinOnce?: boolean; spec?: Partial<SpecOptions> } = {},
) {
  const tty = opts.tty ?? false;
  await rt.create(id, {
    spec: spec(id, args, { tty, ...opts.spec }),
    tty,
    openStdin: opts.openStdin ?? false,
    stdinOnce: opts.stdinOnce ?? false,
    logPath: logPath(id),
  });
  const streams = await rt.attach(id);
  const out = capture(streams.stdout);
  const err = capture(streams.stderr);
  await rt.start(id);
  return { streams, out, stdout: out.done, stderr: err.done };
}

/** Everything a stream says, kept so that waiting for a word never misses one said earlier. */
interface Capture {
  /** All output, once the stream ended. */
  done: Promise<string>;
  /** Resolves once the output so far contains `needle`. */
  waitFor(needle: string): Promise<void>;
}

function capture(stream: Readable): Capture {
  let seen = "";
  let ended = false;
  const waiters: { needle: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      if (seen.includes(w.needle)) w.resolve();
      else if (ended) w.reject(new Error(`stream ended before ${JSON.stringify(w.needle)}; got ${JSON.stringify(seen)}`));
      else continue;
      waiters.splice(waiters.indexOf(w), 1);
    }
  };
  const done = new Promise<string>((resolve, reject) => {
    stream.on("data", (c: Buffer) => {
      seen += c.toString("utf8");
      check();
    });
    stream.on("end", () => {
      ended = true;
      check();
      resolve(seen);
    });
    stream.on("error", reject);
  });
  return {
    done,
    waitFor: (needle) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ needle, resolve, reject });
        check();
      }),
  };
}

async function collect(records: AsyncIterable<LogRecord>): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

function conmonsFor(id: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
        return cmd.some((a) => a.endsWith("conmon")) && cmd.includes(id);
      } catch {
        return false; // the process went away while we looked
      }
    })
    .map(Number);
}

function runcList(): string[] {
  const out = execFileSync("/usr/sbin/runc", ["--root", runcRoot, "list", "-q"], { encoding: "utf8" });
  return out.split("\n").filter((l) => l !== "");
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "berth-rt-"));
  rootfs = path.join(tmp, "rootfs");
  runtimeDir = path.join(tmp, "runtime");
  runcRoot = path.join(tmp, "runc");
  await mkdir(path.join(rootfs, "bin"), { recursive: true });
  for (const dir of ["etc", "tmp", "root", "mnt", "proc", "sys", "dev"]) await mkdir(path.join(rootfs, dir));
  await mkdir(path.join(tmp, "logs"));
  await copyFile("/bin/busybox", path.join(rootfs, "bin/busybox"));
  const applets = execFileSync("/bin/busybox", ["--list"], { encoding: "utf8" }).split("\n");
  for (const applet of applets) {
    if (applet !== "" && applet !== "busybox") await symlink("busybox", path.join(rootfs, "bin", applet));
  }
  await writeFile(path.join(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
  await writeFile(path.join(rootfs, "etc/group"), "root:x:0:\nnogroup:x:65534:\nstaff:x:50:nobody\n");
  rt = createConmonRuntime({ root: runtimeDir, runtimeRoot: runcRoot });
});

after(async () => {
  for (const id of ids) await rt.delete(id, { force: true }).catch(() => undefined);
  await rm(tmp, { recursive: true, force: true });
  for (const ctrl of readdirSync("/sys/fs/cgroup")) {
    const dir = path.join("/sys/fs/cgroup", ctrl, CGROUP_PARENT);
    if (existsSync(dir)) await rmdir(dir).catch(() => undefined);
  }
});

describe("conmon runtime", () => {
  it("keeps stdout and stderr apart and reports the exit code", async () => {
    const id = newId("exit3");
    const { stdout, stderr } = await run(id, ["sh", "-c", "echo out; echo err >&2; exit 3"]);
    const status = await rt.waitExit(id);
    assert.equal(status.exitCode, 3);
    assert.equal(status.oomKilled, false);
    assert.equal(await stdout, "out\n");
    assert.equal(await stderr, "err\n");
    assert.deepEqual(await rt.exitStatus(id), status);
    assert.equal((await rt.state(id))?.status, "stopped");
    await assert.rejects(rt.attach(id), /is not running/);
    const base = spec(id, ["true"]).process;
    await assert.rejects(rt.exec(id, "late", { process: base, tty: false, openStdin: false, attach: false }), /is not running/);

    const log = await collect(readLog(logPath(id), { follow: false }));
    assert.deepEqual(
      log.map((r) => [r.stream, r.line.toString()]),
      [
        ["stdout", "out\n"],
        ["stderr", "err\n"],
      ],
    );
    assert.match(log[0]!.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  it("reports runc's error when the command does not exist", async () => {
    const id = newId("nope");
    await assert.rejects(
      rt.create(id, { spec: spec(id, ["nope"]), tty: false, openStdin: false, stdinOnce: false, logPath: logPath(id) }),
      /executable file not found/,
    );
    assert.equal(await rt.state(id), undefined);
  });

  it("passes stdin through attach and closes it on end with stdinOnce", async () => {
    const id = newId("stdin");
    const { streams, stdout } = await run(id, ["cat"], { openStdin: true, stdinOnce: true });
    streams.stdin.write("hello\n");
    streams.stdin.end("world\n");
    assert.equal(await stdout, "hello\nworld\n");
    assert.equal((await rt.waitExit(id)).exitCode, 0);
  });

  it("gives a TTY when asked, with raw output, and resizes it", async () => {
    const id = newId("tty");
    const { stdout, stderr } = await run(id, ["sh", "-c", `test -t 0 && echo is-a-tty; echo oops >&2; ${WAIT_FOR_SIZE("40 120")}`], {
      tty: true,
    });
    await rt.resize(id, { height: 40, width: 120 });
    assert.equal((await rt.waitExit(id)).exitCode, 0);
    // The terminal turns "\n" into "\r\n" and carries stderr too.
    assert.equal(await stdout, "is-a-tty\r\noops\r\n40 120\r\n");
    assert.equal(await stderr, "");
  });

  it("runs with the given env, user and working directory", async () => {
    const id = newId("user");
    const user = await resolveUser(rootfs, "nobody");
    assert.deepEqual(user, { uid: 65534, gid: 65534, additionalGids: [50] });
    const { stdout } = await run(id, ["sh", "-c", 'echo "$FOO"; id -u; id -g; id -G; pwd; hostname'], {
      spec: { env: ["PATH=/bin", "FOO=bar baz"], user, cwd: "/tmp", hostname: "box" },
    });
    assert.equal((await rt.waitExit(id)).exitCode, 0);
    assert.equal(await stdout, "bar baz\n65534\n65534\n65534 50\n/tmp\nbox\n");
  });

  it("delivers signals: a trapped SIGTERM and an untrappable SIGKILL", async () => {
    const id = newId("term");
    const { out, stdout } = await run(id, ["sh", "-c", 'trap "echo got-term; exit 7" TERM; echo ready; while true; do sleep 0.1; done']);
    await out.waitFor("ready");
    assert.equal((await rt.state(id))?.status, "running");
    await rt.kill(id, "SIGTERM");
    assert.equal((await rt.waitExit(id)).exitCode, 7);
    assert.equal(await stdout, "ready\ngot-term\n");

    const id2 = newId("kill");
    const second = await run(id2, ["sleep", "100"]);
    await rt.kill(id2, 9);
    assert.equal((await rt.waitExit(id2)).exitCode, 137);
    await second.stdout;
    await assert.rejects(rt.kill(id2, "TERM"), /is not running/);
  });

  it("pauses and resumes", async () => {
    const id = newId("pause");
    await run(id, ["sleep", "100"]);
    await rt.pause(id);
    assert.equal((await rt.state(id))?.status, "paused");
    await rt.resume(id);
    assert.equal((await rt.state(id))?.status, "running");
    await rt.kill(id, "KILL");
    assert.equal((await rt.waitExit(id)).exitCode, 137);
  });

  it("kills a container that exceeds its memory limit and says it was an OOM kill", async () => {
    const id = newId("oom");
    // The shell holds the whole 64 MiB string in memory; the limit is 8 MiB.
    await run(id, ["sh", "-c", 'x=$(dd if=/dev/zero bs=1M count=64 2>/dev/null | tr "\\0" x); echo survived'], {
      spec: { resources: { memory: 8 * 1024 * 1024 } },
    });
    const status = await rt.waitExit(id);
    assert.equal(status.exitCode, 137);
    assert.equal(status.oomKilled, true);
  });

  it("limits the number of processes", async () => {
    const id = newId("pids");
    const { stdout, stderr } = await run(id, ["sh", "-c", "for i in $(seq 1 30); do sleep 30 & done; echo all-forked"], {
      spec: { resources: { pidsLimit: 10 } },
    });
    const status = await rt.waitExit(id);
    assert.notEqual(status.exitCode, 0);
    assert.doesNotMatch(await stdout, /all-forked/);
    assert.match(await stderr, /can't fork/);
  });

  it("runs exec processes in a running container", async () => {
    const id = newId("exec");
    const { out } = await run(id, ["sh", "-c", "echo up; sleep 100"]);
    await out.waitFor("up");
    const base = spec(id, ["true"]).process;

    const hi = await rt.exec(id, "exec-hi", { process: { ...base, args: ["echo", "hi"] }, tty: false, openStdin: false, attach: true });
    assert.ok(hi.pid > 0);
    assert.ok(hi.streams);
    const hiOut = capture(hi.streams.stdout).done;
    assert.equal((await rt.execWaitExit(id, "exec-hi")).exitCode, 0);
    assert.equal(await hiOut, "hi\n");

    const five = await rt.exec(id, "exec-5", { process: { ...base, args: ["sh", "-c", "exit 5"] }, tty: false, openStdin: false, attach: false });
    assert.equal(five.streams, undefined);
    assert.equal((await rt.execWaitExit(id, "exec-5")).exitCode, 5);

    const cat = await rt.exec(id, "exec-cat", { process: { ...base, args: ["cat"] }, tty: false, openStdin: true, attach: true });
    const catOut = capture(cat.streams!.stdout).done;
    cat.streams!.stdin.end("through exec\n");
    assert.equal(await catOut, "through exec\n");
    assert.equal((await rt.execWaitExit(id, "exec-cat")).exitCode, 0);

    // conmon applies a resize asynchronously: the process polls until it sees it.
    const tty = await rt.exec(id, "exec-tty", {
      process: { ...base, args: ["sh", "-c", WAIT_FOR_SIZE("33 101")] },
      tty: true,
      openStdin: false,
      attach: true,
    });
    const ttyOut = capture(tty.streams!.stdout).done;
    await rt.execResize(id, "exec-tty", { height: 33, width: 101 });
    assert.equal((await rt.execWaitExit(id, "exec-tty")).exitCode, 0);
    assert.equal(await ttyOut, "33 101\r\n");

    await assert.rejects(
      rt.exec(id, "exec-nope", { process: { ...base, args: ["nope"] }, tty: false, openStdin: false, attach: false }),
      /executable file not found/,
    );
    await rt.kill(id, "KILL");
    await rt.waitExit(id);
  });

  it("reads logs back: tail, partial lines, follow until exit", async () => {
    const id = newId("logs");
    await run(id, ["sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done; echo warn >&2; printf 'no newline'"]);
    await rt.waitExit(id);
    const all = await collect(readLog(logPath(id), { follow: false }));
    assert.deepEqual(
      all.map((r) => `${r.stream}:${r.line.toString()}`),
      ["stdout:line1\n", "stdout:line2\n", "stdout:line3\n", "stdout:line4\n", "stdout:line5\n", "stderr:warn\n", "stdout:no newline"],
    );
    const tail = await collect(readLog(logPath(id), { follow: false, tail: 3 }));
    assert.deepEqual(
      tail.map((r) => r.line.toString()),
      ["line5\n", "warn\n", "no newline"],
    );

    const id2 = newId("follow");
    await run(id2, ["sh", "-c", "echo a; sleep 0.3; echo b; sleep 0.3; echo c"]);
    const followed = await collect(
      readLog(logPath(id2), { follow: true, stopWhen: async () => (await rt.exitStatus(id2)) !== undefined }),
    );
    assert.deepEqual(
      followed.map((r) => r.line.toString()),
      ["a\n", "b\n", "c\n"],
    );
  });

  it("finds a running container again from a new runtime after the old process was killed", async () => {
    const id = newId("survive");
    const here = path.dirname(fileURLToPath(import.meta.url));
    const distRuntime = path.resolve(here, "../../src/runtime");
    // A separate Node process creates and starts the container, then is SIGKILLed.
    const script = `
      import { createConmonRuntime } from ${JSON.stringify(path.join(distRuntime, "conmon-runtime.js"))};
      const rt = createConmonRuntime({ root: ${JSON.stringify(runtimeDir)}, runtimeRoot: ${JSON.stringify(runcRoot)} });
      const spec = JSON.parse(process.argv[1]);
      await rt.create(${JSON.stringify(id)}, { spec, tty: false, openStdin: true, stdinOnce: false, logPath: ${JSON.stringify(logPath(id))} });
      await rt.start(${JSON.stringify(id)});
      process.stdout.write("started\\n");
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(spec(id, ["cat"]))], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await capture(child.stdout).waitFor("started");
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;

    const fresh = createConmonRuntime({ root: runtimeDir, runtimeRoot: runcRoot });
    assert.equal((await fresh.state(id))?.status, "running");
    const monitor = await fresh.monitorPid(id);
    assert.ok(monitor !== undefined && monitor > 0);
    assert.equal(await fresh.exitStatus(id), undefined);

    const streams = await fresh.attach(id);
    const echoed = capture(streams.stdout);
    streams.stdin.write("ping\n");
    await echoed.waitFor("ping\n");
    streams.close();

    await fresh.kill(id, "KILL");
    const status = await fresh.waitExit(id);
    assert.equal(status.exitCode, 137);
  });

  it("delete leaves no conmon, no runc state, no cgroup and no files", async () => {
    const id = newId("delete");
    await run(id, ["sleep", "100"]);
    assert.ok((await rt.monitorPid(id)) !== undefined);
    await assert.rejects(rt.delete(id), /cannot delete/);
    await rt.delete(id, { force: true });
    assert.deepEqual(conmonsFor(id), []);
    assert.ok(!runcList().includes(id));
    assert.equal(await rt.state(id), undefined);
    assert.ok(!existsSync(path.join(runtimeDir, id)));
    assert.ok(!existsSync(path.join("/sys/fs/cgroup/memory", CGROUP_PARENT, id)));
    assert.ok(!readFileSync("/proc/self/mountinfo", "utf8").includes(id));
    assert.equal(await rt.monitorPid(id), undefined);
  });

  it("confines the container: read-only /proc/sys, no mount, no unshare, seccomp off when asked", async () => {
    const id = newId("confine");
    const { stdout } = await run(id, [
      "sh",
      "-c",
      "echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo procsys-writable; " +
        "mount -t tmpfs none /mnt 2>/dev/null && echo mounted; " +
        "unshare -n true 2>/dev/null && echo unshared; " +
        "cat /proc/kcore 2>/dev/null | head -c 1 | wc -c; " +
        "grep CapEff /proc/self/status",
    ]);
    assert.equal((await rt.waitExit(id)).exitCode, 0);
    assert.equal(await stdout, "0\nCapEff:\t00000000a80425fb\n");
  });

  it("lets a container with CAP_SYS_ADMIN mount", async () => {
    const id = newId("sysadmin");
    const { stdout } = await run(id, ["sh", "-c", "mkdir -p /mnt2 && mount -t tmpfs none /mnt2 && echo mounted"], {
      spec: { capAdd: ["sys_admin"] },
    });
    assert.equal((await rt.waitExit(id)).exitCode, 0);
    assert.equal(await stdout, "mounted\n");
  });
});

// The runc binary reports its state as JSON; make sure ours matches for a created container.
describe("runc state", () => {
  it("shows created before start", async () => {
    const id = newId("created");
    await rt.create(id, { spec: spec(id, ["true"]), tty: false, openStdin: false, stdinOnce: false, logPath: logPath(id) });
    const state = await rt.state(id);
    assert.equal(state?.status, "created");
    const out = await new Promise<string>((resolve, reject) =>
      execFile("/usr/sbin/runc", ["--root", runcRoot, "state", id], (err, so) => (err ? reject(err) : resolve(so))),
    );
    assert.equal((JSON.parse(out) as { pid: number }).pid, state?.pid);
    await rt.delete(id, { force: true });
    assert.equal(await rt.state(id), undefined);
  });
});

// start opens runc's exec FIFO itself (exec-fifo.ts); runc must agree with the outcome.
describe("start", () => {
  const runcState = (id: string): Promise<{ status: string; pid: number }> =>
    new Promise((resolve, reject) =>
      execFile("/usr/sbin/runc", ["--root", runcRoot, "state", id], (err, so) => (err ? reject(err) : resolve(JSON.parse(so) as { status: string; pid: number }))),
    );

  it("runs the process, after which runc sees it running and refuses a second start", async () => {
    const id = newId("fifo-start");
    const { stdout } = await run(id, ["sh", "-c", "echo started; sleep 30"]);
    assert.equal((await runcState(id)).status, "running");
    assert.ok(!existsSync(path.join(runcRoot, id, "exec.fifo")), "the FIFO is gone once started");
    await assert.rejects(rt.start(id), /already running|not in created state|cannot start/i);
    await rt.kill(id, "KILL");
    assert.equal((await rt.waitExit(id)).exitCode, 137);
    assert.match(await stdout, /^started$/m);
    await rt.delete(id);
  });

  it("fails, and does not hang, when the container's init died before start", async () => {
    const id = newId("fifo-dead");
    await rt.create(id, { spec: spec(id, ["true"]), tty: false, openStdin: false, stdinOnce: false, logPath: logPath(id) });
    const { pid } = await runcState(id);
    process.kill(pid, "SIGKILL");
    await assert.rejects(rt.start(id));
    assert.notEqual((await runcState(id)).status, "running");
    await rt.delete(id, { force: true });
  });
});
