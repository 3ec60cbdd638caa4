// Runtime options people use, over two clients — the docker CLI against a
// private berthd, and berth itself (alias docker=berth) — with the same
// assertions for both: healthchecks, restart policies (across a berthd
// restart), --init, --ulimit, --device, --sysctl, --group-add, --ipc, --pid,
// --cgroupns, --userns, log drivers with rotation. Each assertion was checked
// against dockerd 20.10 with the docker CLI 28: set
// DOCKER_CLI_TEST_HOST=unix:///var/run/docker.sock to run the docker-CLI half
// against one (it needs busybox:latest there, the rootfs of
// scripts/busybox-rootfs.sh; what the test makes is named after a random
// prefix and removed). The docker client is skipped, loudly, where none is
// installed.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { berthBin, startDaemon, type Daemon } from "./harness.js";
import { eventually, runProgram, sleep, type Run } from "./compose-fixtures.js";

const dockerPath = process.env.DOCKER_CLI_TEST_BIN || spawnSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).stdout.trim();
const externalHost = process.env.DOCKER_CLI_TEST_HOST;
if (!dockerPath) console.warn("SKIPPING the docker-CLI half of runtime-options tests: no docker client installed (apt-get install docker.io)");
if (externalHost) console.warn(`SKIPPING the berth half and the berthd-restart tests of runtime-options: the docker CLI runs against ${externalHost}`);

const runClient = (bin: string[], args: string[], env: NodeJS.ProcessEnv): Promise<Run> =>
  runProgram(bin[0]!, [...bin.slice(1), ...args], { env, timeoutMs: 60_000 });

describe("runtime options", () => {
  let d: Daemon | undefined;
  let host = "";
  let tmp: string;
  const tag = randomBytes(3).toString("hex");
  before(async () => {
    if (externalHost) host = externalHost;
    else {
      d = await startDaemon();
      host = d.host;
    }
    tmp = await mkdtemp(path.join(os.tmpdir(), "rto-"));
  });
  after(async () => {
    await d?.destroy();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const clients = [
    { name: "docker", skip: !dockerPath && "no docker client installed", bin: () => [dockerPath] },
    { name: "berth", skip: !!externalHost && "berth runs against berthd only", bin: () => [process.execPath, "--", berthBin] },
  ];

  for (const client of clients) {
    describe(`through ${client.name}`, { skip: client.skip }, () => {
      const c = (args: string[]) =>
        runClient(client.bin(), args, { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: path.join(tmp, client.name) });
      const p = `${client.name}-rto${tag}`;
      // On a shared daemon, what a failed test left behind goes too (a private berthd is destroyed whole).
      after(async () => {
        const ids = (await c(["ps", "-aq", "--filter", `name=${p}-`])).stdout.split("\n").filter(Boolean);
        if (ids.length > 0) await c(["rm", "-f", ...ids]);
      });
      const inspect = async (fmt: string, name: string) => (await c(["inspect", "-f", fmt, name])).stdout.trim();

      test("healthcheck: starting, healthy, unhealthy, in inspect, ps and events", async () => {
        const name = `${p}-hc`;
        const r = await c([
          "run", "-d", "--name", name,
          "--health-cmd", "echo probe; exit $(cat /tmp/rc 2>/dev/null || echo 0)",
          "--health-interval", "300ms", "--health-retries", "2",
          "busybox", "sleep", "300",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await inspect("{{json .Config.Healthcheck}}", name), JSON.stringify({ Test: ["CMD-SHELL", "echo probe; exit $(cat /tmp/rc 2>/dev/null || echo 0)"], Interval: 300_000_000, Retries: 2 }));
        await eventually("healthy", async () => (await inspect("{{.State.Health.Status}}", name)) === "healthy");
        const ps = await c(["ps", "--filter", `name=${name}`, "--format", "{{.Status}}"]);
        assert.match(ps.stdout, /^Up .* \(healthy\)\n$/);
        const log = JSON.parse(await inspect("{{json .State.Health.Log}}", name)) as { ExitCode: number; Output: string }[];
        assert.equal(log[0]!.ExitCode, 0);
        assert.equal(log[0]!.Output, "probe\n");

        assert.equal((await c(["exec", name, "sh", "-c", "echo 3 > /tmp/rc"])).code, 0);
        await eventually("unhealthy", async () => (await inspect("{{.State.Health.Status}}", name)) === "unhealthy");
        const h = JSON.parse(await inspect("{{json .State.Health}}", name)) as { FailingStreak: number; Log: unknown[] };
        assert.ok(h.FailingStreak >= 2);
        assert.ok(h.Log.length <= 5);
        assert.equal((await c(["ps", "--filter", "health=unhealthy", "--filter", `name=${name}`, "--format", "{{.Names}}"])).stdout, `${name}\n`);
        // --until is whole seconds on the wire: let the second of the last event pass.
        await sleep(1100);
        const ev = await c(["events", "--since", "60s", "--until", "0s", "--filter", `container=${name}`, "--format", "{{.Action}}"]);
        const actions = ev.stdout.split("\n").filter((a) => a.startsWith("health_status"));
        assert.deepEqual(actions, ["health_status: healthy", "health_status: unhealthy"]);
        await c(["rm", "-f", name]);
      });

      test("healthcheck: a probe over its timeout fails with dockerd's words; --no-healthcheck", async () => {
        const name = `${p}-hto`;
        await c(["run", "-d", "--name", name, "--health-cmd", "sleep 5", "--health-timeout", "200ms", "--health-interval", "300ms", "busybox", "sleep", "300"]);
        await eventually("a probe result", async () => (await inspect("{{len .State.Health.Log}}", name)) >= "1");
        const log = JSON.parse(await inspect("{{json .State.Health.Log}}", name)) as { ExitCode: number; Output: string }[];
        assert.deepEqual([log[0]!.ExitCode, log[0]!.Output], [-1, "Health check exceeded timeout (200ms)"]);
        await c(["rm", "-f", name]);

        const none = `${p}-hnone`;
        await c(["run", "-d", "--name", none, "--no-healthcheck", "busybox", "sleep", "300"]);
        assert.equal(await inspect("{{json .State.Health}} {{json .Config.Healthcheck}}", none), 'null {"Test":["NONE"]}');
        const conflict = await c(["run", "--no-healthcheck", "--health-cmd", "true", "busybox", "true"]);
        assert.equal(conflict.code, 125);
        assert.match(conflict.stderr, /--no-healthcheck conflicts with --health-\* options/);
        await c(["rm", "-f", none]);
      });

      test("--init runs the command under tini as /sbin/docker-init", async () => {
        const r = await c(["run", "--rm", "--init", "busybox", "ps", "-o", "pid,args"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^\s*1 \/sbin\/docker-init -- ps -o pid,args$/m);
      });

      test("--ulimit within the host's hard limit; above it, a clear error", async () => {
        const r = await c(["run", "--rm", "--ulimit", "nofile=1024:2048", "busybox", "sh", "-c", "ulimit -n; ulimit -Hn"]);
        assert.equal(r.stdout, "1024\n2048\n");
        const bad = await c(["run", "--rm", "--ulimit", "nofile=2048:1024", "busybox", "true"]);
        assert.equal(bad.code, 125);
        assert.match(bad.stderr, /ulimit soft limit must be less than or equal to hard limit: 2048 > 1024/);
        if (client.name === "berth") {
          // Only where berthd lacks CAP_SYS_RESOURCE, as on the CI machine: its hard nofile is the ceiling.
          const high = await c(["run", "--rm", "--ulimit", "nofile=1024:1073741816", "busybox", "true"]);
          assert.equal(high.code, 125);
          assert.match(high.stderr, /ulimit nofile: hard limit 1073741816 is above the daemon's own hard limit \d+/);
        }
      });

      test("--device, --group-add, --sysctl", async () => {
        const dev = await c(["run", "--rm", "--device", "/dev/fuse:/dev/f2:r", "busybox", "ls", "-l", "/dev/f2"]);
        assert.equal(dev.code, 0, dev.stderr);
        assert.match(dev.stdout, /^c.* 10, +229 .*\/dev\/f2\n$/);
        const missing = await c(["run", "--rm", "--device", "/dev/nope", "busybox", "true"]);
        // dockerd refuses it at start; docker 28 reports that with 125 (berth's CLI, from its start-error mapping, 127).
        assert.notEqual(missing.code, 0);
        assert.match(missing.stderr, /error gathering device information while adding custom device "\/dev\/nope": no such file or directory/);

        const id = await c(["run", "--rm", "--group-add", "nogroup", "--group-add", "1234", "busybox", "id"]);
        assert.equal(id.stdout, "uid=0(root) gid=0(root) groups=0(root),10(wheel),1234,65533(nogroup)\n");
        const nosuch = await c(["run", "--rm", "--group-add", "nosuch", "busybox", "id"]);
        assert.equal(nosuch.code, 125);
        assert.match(nosuch.stderr, /Unable to find group nosuch: no matching entries in group file/);

        const sys = await c(["run", "--rm", "--sysctl", "net.ipv4.ip_forward=1", "busybox", "cat", "/proc/sys/net/ipv4/ip_forward"]);
        assert.equal(sys.stdout, "1\n");
        const refused = await c(["run", "--rm", "--sysctl", "kernel.hostname=x", "busybox", "true"]);
        assert.equal(refused.code, 125);
        assert.match(refused.stderr, /sysctl 'kernel.hostname=x' is not allowed/);
      });

      test("--ipc, --pid, --cgroupns, --userns", async () => {
        const donor = `${p}-ipc`;
        await c(["run", "-d", "--name", donor, "--ipc", "shareable", "busybox", "sh", "-c", "echo hello > /dev/shm/x; sleep 300"]);
        await eventually("donor running", async () => (await inspect("{{.State.Running}}", donor)) === "true");
        const donorIpc = (await c(["exec", donor, "readlink", "/proc/self/ns/ipc"])).stdout;
        const joined = await c(["run", "--rm", "--ipc", `container:${donor}`, "busybox", "readlink", "/proc/self/ns/ipc"]);
        assert.equal(joined.stdout, donorIpc, joined.stderr);
        const pid = await c(["run", "--rm", "--pid", `container:${donor}`, "busybox", "ps", "-o", "pid,args"]);
        assert.match(pid.stdout, /^\s*1 sleep 300$/m);
        const priv = `${p}-priv`;
        await c(["run", "-d", "--name", priv, "busybox", "sleep", "300"]);
        const nonShareable = await c(["run", "--rm", "--ipc", `container:${priv}`, "busybox", "true"]);
        assert.equal(nonShareable.code, 125);
        assert.match(nonShareable.stderr, /non-shareable IPC \(hint: use IpcMode:shareable for the donor container\)/);
        const host = await c(["run", "--rm", "--pid", "host", "busybox", "sh", "-c", "ps -o pid | wc -l"]);
        assert.ok(Number(host.stdout.trim()) > 10, host.stdout);
        const created = (await c(["create", "--name", `${p}-created`, "--ipc", "host", "--pid", "host", "--cgroupns", "private", "--userns", "host", "busybox"])).stdout.trim();
        assert.equal(await inspect("{{.HostConfig.IpcMode}} {{.HostConfig.PidMode}} {{.HostConfig.CgroupnsMode}} {{.HostConfig.UsernsMode}}", created), "host host private host");
        for (const [flag, message] of [
          ["--cgroupns", "--cgroupns: invalid CGROUP mode"],
          ["--userns", "--userns: invalid USER mode"],
          ["--pid", "--pid: invalid PID mode"],
        ] as const) {
          const r = await c(["run", "--rm", flag, "foo", "busybox", "true"]);
          assert.equal(r.code, 125);
          assert.ok(r.stderr.includes(message), r.stderr);
        }
        const ipc = await c(["run", "--rm", "--ipc", "foo", "busybox", "true"]);
        assert.match(ipc.stderr, /Error response from daemon: Invalid IPC mode: foo/);
        await c(["rm", "-f", donor, priv, created]);
      });

      test("log drivers: none cannot be read; local rotates by max-size and max-file, logs reads across files", async () => {
        const none = `${p}-lnone`;
        await c(["run", "--name", none, "--log-driver", "none", "busybox", "echo", "hi"]);
        const r = await c(["logs", none]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /configured logging driver does not support reading/);
        assert.equal(await inspect("{{.HostConfig.LogConfig.Type}}", none), "none");

        const rot = `${p}-lrot`;
        const lines = 300;
        await c([
          "run", "--name", rot, "--log-driver", "local", "--log-opt", "max-size=1k", "--log-opt", "max-file=3",
          // Bursts of ten lines (well under 1 KiB), so berthd keeps each file conmon fills (see log-rotation.ts).
          "busybox", "sh", "-c", `i=0; while [ $i -lt ${lines} ]; do echo line$i; i=$((i+1)); [ $((i % 10)) = 0 ] && sleep 0.05; done`,
        ]);
        assert.equal(await inspect("{{json .HostConfig.LogConfig}}", rot), '{"Type":"local","Config":{"max-file":"3","max-size":"1k"}}');
        const out = (await c(["logs", rot])).stdout.split("\n").filter(Boolean);
        // Three files of at most 1 KiB: the newest lines, in order, ending with the last.
        assert.ok(out.length < lines && out.length > 30, String(out.length));
        assert.equal(out.at(-1), `line${lines - 1}`);
        const first = Number(out[0]!.slice(4));
        assert.deepEqual(out, out.map((_, i) => `line${first + i}`));
        assert.equal((await c(["logs", "--tail", "2", rot])).stdout, `line${lines - 2}\nline${lines - 1}\n`);
        const bad = await c(["run", "--rm", "--log-opt", "foo=1", "busybox", "true"]);
        assert.match(bad.stderr, /unknown log opt 'foo' for json-file log driver/);
        await c(["rm", "-f", none, rot]);
      });

      test("restart policies: on-failure:N, always, and their errors", async () => {
        const onf = `${p}-onf`;
        await c(["run", "-d", "--name", onf, "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 3"]);
        await eventually("two restarts", async () => (await inspect("{{.RestartCount}} {{.State.Status}}", onf)) === "2 exited");
        await sleep(500);
        assert.equal(await inspect("{{.RestartCount}} {{.State.ExitCode}}", onf), "2 3");
        const conflict = await c(["run", "--rm", "--restart", "always", "busybox", "true"]);
        assert.equal(conflict.code, 125);
        assert.match(conflict.stderr, /conflicting options: cannot specify both --restart and --rm/);
        await c(["rm", "-f", onf]);
      });
    });
  }

  test("restart policies across a berthd restart: always and unless-stopped come back; a stopped unless-stopped stays", { skip: !!externalHost && "berthd only" }, async () => {
    const daemon = d!;
    const b = (args: string[]) => daemon.berth(args);
    await b(["run", "-d", "--name", "rp-always", "--restart", "always", "busybox", "sleep", "300"]);
    await b(["run", "-d", "--name", "rp-unless", "--restart", "unless-stopped", "busybox", "sleep", "300"]);
    await b(["run", "-d", "--name", "rp-unless-stopped", "--restart", "unless-stopped", "busybox", "sleep", "300"]);
    await b(["run", "-d", "--name", "rp-always-stopped", "--restart", "always", "busybox", "sleep", "300"]);
    await b(["run", "-d", "--name", "rp-no", "busybox", "sleep", "300"]);
    await b(["stop", "-t", "0", "rp-unless-stopped", "rp-always-stopped"]);
    const pids = Object.fromEntries(
      await Promise.all(["rp-always", "rp-unless", "rp-no"].map(async (n) => [n, (await b(["inspect", "-f", "{{.State.Pid}}", n])).stdout.trim()])),
    );
    await daemon.kill("SIGKILL");
    // The containers die while berthd is away.
    for (const pid of Object.values(pids)) process.kill(Number(pid), "SIGKILL");
    await sleep(1000);
    await daemon.restart();
    const status = async (n: string) => (await b(["inspect", "-f", "{{.State.Status}}", n])).stdout.trim();
    await eventually("restarted", async () => (await status("rp-always")) === "running" && (await status("rp-unless")) === "running");
    // dockerd starts an "always" container the user stopped when the daemon starts again.
    await eventually("always restarted after a stop", async () => (await status("rp-always-stopped")) === "running");
    assert.equal(await status("rp-unless-stopped"), "exited");
    assert.equal(await status("rp-no"), "exited");
    await b(["rm", "-f", "rp-always", "rp-unless", "rp-unless-stopped", "rp-always-stopped", "rp-no"]);
  });

  test("health monitors are re-armed after a berthd restart", { skip: !!externalHost && "berthd only" }, async () => {
    const daemon = d!;
    const b = (args: string[]) => daemon.berth(args);
    await b(["run", "-d", "--name", "hc-restart", "--health-cmd", "true", "--health-interval", "300ms", "busybox", "sleep", "300"]);
    await eventually("healthy", async () => (await b(["inspect", "-f", "{{.State.Health.Status}}", "hc-restart"])).stdout.trim() === "healthy");
    await daemon.restart();
    await eventually("healthy again", async () => (await b(["inspect", "-f", "{{.State.Health.Status}}", "hc-restart"])).stdout.trim() === "healthy");
    await b(["rm", "-f", "hc-restart"]);
  });
});
