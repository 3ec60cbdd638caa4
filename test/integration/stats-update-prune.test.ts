// stats, update, the prunes and info, through both clients a user may point
// at berthd: the real docker CLI and berth itself (alias docker=berth). The
// same scenario runs for each, with the same assertions, each checked against
// dockerd 20.10 with docker CLI 28: set
// DOCKER_CLI_TEST_HOST=unix:///var/run/docker.sock to run the docker-CLI half
// against one (it needs busybox:latest there; what the test makes carries a
// random label and is removed, every prune is filtered by it, and the checks
// of berthd's own cgroup paths and data root are skipped). Skipped for the
// docker CLI, loudly, where no docker client is installed.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { randomBytes } from "node:crypto";
import { berthBin, busyboxTar, startDaemon, type Daemon, type Result } from "./harness.js";

const dockerPath = process.env.DOCKER_CLI_TEST_BIN || spawnSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).stdout.trim();
const externalHost = process.env.DOCKER_CLI_TEST_HOST;
if (!dockerPath) console.warn("SKIPPING the docker CLI half of stats-update-prune: no docker client installed (apt-get install docker.io)");
if (externalHost) console.warn(`SKIPPING the berth half of stats-update-prune: the docker CLI runs against ${externalHost}`);

type Run = (args: string[], opts?: { input?: string | Buffer }) => Promise<Result>;

function runner(command: string, prefixArgs: string[], env: Record<string, string>): Run {
  return (args, opts = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, [...prefixArgs, ...args], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.on("data", (d: Buffer) => err.push(d));
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
      });
      child.stdin.end(opts.input);
    });
}

let d: Daemon | undefined;
let host = "";
let tarball: Buffer;

before(async () => {
  if (externalHost) host = externalHost;
  else {
    d = await startDaemon();
    host = d.host;
  }
  tarball = await busyboxTar();
});
after(async () => {
  await d?.destroy();
});

const clients: { name: string; skip: boolean; make: () => Run }[] = [
  { name: externalHost ? `docker CLI → ${externalHost}` : "docker CLI → berthd", skip: !dockerPath, make: () => runner(dockerPath, [], { DOCKER_HOST: host }) },
  { name: "berth → berthd", skip: !!externalHost, make: () => runner(process.execPath, ["--", berthBin, "-H", host], {}) },
];

/** The container's memory limit as the kernel holds it (v1 or v2). */
function cgroupMemoryLimit(id: string): number {
  const v2 = existsSync("/sys/fs/cgroup/cgroup.controllers");
  const file = v2 ? `/sys/fs/cgroup/berth/${id}/memory.max` : `/sys/fs/cgroup/memory/berth/${id}/memory.limit_in_bytes`;
  return Number(readFileSync(file, "utf8").trim());
}

for (const client of clients) {
  describe(`stats, update, prune, info: ${client.name}`, { skip: client.skip }, () => {
    let run: Run;
    const p = `sup${randomBytes(3).toString("hex")}`;
    const ok = async (args: string[], opts?: { input?: string | Buffer }): Promise<string> => {
      const r = await run(args, opts);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };

    before(() => {
      run = client.make();
    });
    after(async () => {
      const ids = (await run(["ps", "-aq", "--filter", `label=t=${p}`])).stdout.split("\n").filter(Boolean);
      if (ids.length > 0) await run(["rm", "-f", ...ids]);
      // What a failed test left behind, on a shared daemon (a private berthd is destroyed whole).
      await run(["network", "rm", `${p}-net`]);
      await run(["image", "prune", "-a", "-f", "--filter", `label=t=${p}`]);
    });

    test("update -m changes the limit live; stats --no-stream shows it, with pids", async () => {
      const id = (await ok(["run", "-d", "--name", `${p}-web`, "--label", `t=${p}`, "-m", "64m", "busybox", "sleep", "3600"])).trim();
      assert.equal(await ok(["update", "-m", "100m", "--memory-swap", "200m", `${p}-web`]), `${p}-web\n`);
      if (!externalHost) assert.equal(cgroupMemoryLimit(id), 100 * 1024 * 1024);
      assert.equal((await ok(["inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}", `${p}-web`])).trim(), "104857600 209715200");

      const row = JSON.parse(await ok(["stats", "--no-stream", "--format", "{{json .}}", `${p}-web`])) as Record<string, string>;
      assert.equal(row.Name, `${p}-web`);
      assert.equal(row.Container, `${p}-web`);
      assert.equal(row.ID, id.slice(0, 12));
      assert.match(row.MemUsage, /^[\d.]+(B|KiB|MiB) \/ 100MiB$/);
      assert.match(row.MemPerc, /^\d+\.\d\d%$/);
      assert.match(row.CPUPerc, /^\d+\.\d\d%$/);
      assert.match(row.NetIO, /^[\d.]+k?B \/ [\d.]+k?B$/);
      assert.equal(row.PIDs, "1");

      const table = await ok(["stats", "--no-stream", `${p}-web`]);
      const [header, line] = table.split("\n");
      assert.match(header!, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
      assert.match(line!, new RegExp(`^${id.slice(0, 12)}\\s+${p}-web\\s+\\d+\\.\\d\\d%\\s+\\S+ / 100MiB\\s+`));
    });

    test("update: dockerd's refusals and the CPU limit it records", async () => {
      const id = (await ok(["inspect", "-f", "{{.Id}}", `${p}-web`])).trim();
      const tooBig = await run(["update", "-m", "300m", `${p}-web`]);
      assert.equal(tooBig.code, 1);
      assert.equal(
        tooBig.stderr.trim(),
        `Error response from daemon: Cannot update container ${id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time`,
      );
      assert.equal(await ok(["update", "--cpus", "0.5", "--pids-limit", "50", "--restart", "on-failure:2", `${p}-web`]), `${p}-web\n`);
      assert.equal(
        (await ok(["inspect", "-f", "{{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}", `${p}-web`])).trim(),
        "500000000 50 on-failure",
      );
      const quota = await run(["update", "--cpu-quota", "50000", `${p}-web`]);
      assert.equal(quota.code, 1);
      assert.match(quota.stderr, /CPU Quota cannot be updated as NanoCPUs has already been set/);
      const small = await run(["update", "-m", "2m", `${p}-web`]);
      assert.equal(small.code, 1);
      assert.equal(small.stderr.trim(), "Error response from daemon: Minimum memory limit allowed is 6MB");
      const none = await run(["update", `${p}-web`]);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /you must provide one or more flags when using this command/);
      const missing = await run(["update", "--cpus", "1", `${p}-nosuch`]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr.trim(), `Error response from daemon: No such container: ${p}-nosuch`);
    });

    test("stats of a container that does not exist fails; of a stopped one shows zeros", async () => {
      const missing = await run(["stats", "--no-stream", `${p}-nosuch`]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, new RegExp(`No such container: ${p}-nosuch`));
      await ok(["create", "--name", `${p}-idle`, "--label", `t=${p}`, "busybox", "true"]);
      const row = JSON.parse(await ok(["stats", "--no-stream", "--format", "{{json .}}", `${p}-idle`])) as Record<string, string>;
      assert.deepEqual([row.CPUPerc, row.MemUsage, row.MemPerc, row.NetIO, row.BlockIO, row.PIDs], ["0.00%", "0B / 0B", "0.00%", "0B / 0B", "0B / 0B", "0"]);
      await ok(["rm", `${p}-idle`]);
    });

    test("container prune removes exactly the stopped containers the filter selects", async () => {
      const keep = (await ok(["create", "--label", `t=${p}`, "--label", "keep=1", "busybox", "true"])).trim();
      const gone = (await ok(["run", "--label", `t=${p}`, "busybox", "sh", "-c", "echo hi > /f"])).trim();
      const goneId = (await ok(["ps", "-aq", "--no-trunc", "--filter", `label=t=${p}`, "--filter", "status=exited"])).trim();
      assert.equal(gone, "");
      const out = await ok(["container", "prune", "-f", "--filter", `label=t=${p}`, "--filter", "label!=keep"]);
      assert.equal(out, `Deleted Containers:\n${goneId}\n\nTotal reclaimed space: 3B\n`);
      const left = (await ok(["ps", "-a", "--no-trunc", "--format", "{{.ID}}", "--filter", `label=t=${p}`])).split("\n").filter(Boolean).sort();
      const web = (await ok(["inspect", "-f", "{{.Id}}", `${p}-web`])).trim();
      assert.deepEqual(left, [keep, web].sort());
      // Nothing (else) to remove: no list, only the total.
      assert.equal(await ok(["container", "prune", "-f", "--filter", `label=t=${p}`, "--filter", "label!=keep"]), "Total reclaimed space: 0B\n");
      // Answering no removes nothing and is no failure.
      const declined = await run(["container", "prune", "--filter", `label=t=${p}`], { input: "n\n" });
      assert.equal(declined.code, 0);
      assert.equal(declined.stdout, "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ");
      assert.equal((await ok(["inspect", "-f", "{{.Id}}", keep])).trim(), keep);
      await ok(["rm", keep]);
    });

    test("image prune takes dangling images; -a takes every unused one, never one a container uses", async () => {
      const dangling = (await ok(["import", "--change", `LABEL t=${p}`, "-"], { input: tarball })).trim();
      const named = (await ok(["import", "--change", `LABEL t=${p}`, "-", `${p}-img:1`], { input: tarball })).trim();
      const danglingOut = await ok(["image", "prune", "-f", "--filter", `label=t=${p}`]);
      assert.match(danglingOut, new RegExp(`^Deleted Images:\\ndeleted: ${dangling}\\n(deleted: sha256:[0-9a-f]{64}\\n)*\\nTotal reclaimed space: \\S+\\n$`));
      assert.equal((await run(["image", "inspect", dangling])).code, 1);
      assert.equal((await run(["image", "inspect", named])).code, 0);

      const allOut = await ok(["image", "prune", "-a", "-f", "--filter", `label=t=${p}`]);
      assert.match(allOut, new RegExp(`^Deleted Images:\\nuntagged: ${p}-img:1\\ndeleted: ${named}\\n`));
      // busybox is used by a running container: -a leaves it. (Unfiltered, so only on a daemon of our own.)
      if (!externalHost) {
        assert.equal(await ok(["image", "prune", "-a", "-f"]), "Total reclaimed space: 0B\n");
        assert.equal((await run(["image", "inspect", "busybox"])).code, 0);
      }
    });

    test("system prune: containers, networks, images, build cache, then the total", async () => {
      const stopped = (await ok(["create", "--label", `t=${p}`, "busybox", "true"])).trim();
      await ok(["network", "create", "--label", `t=${p}`, `${p}-net`]);
      const warning = await run(["system", "prune"], { input: "n\n" });
      assert.equal(warning.code, 0);
      assert.equal(
        warning.stdout,
        "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images\n  - unused build cache\n\nAre you sure you want to continue? [y/N] ",
      );
      assert.equal((await run(["inspect", stopped])).code, 0);
      // On a shared daemon, only what this test made.
      const out = await ok(["system", "prune", "-f", ...(externalHost ? ["--filter", `label=t=${p}`] : [])]);
      assert.ok(out.startsWith(`Deleted Containers:\n${stopped}\n\nDeleted Networks:\n${p}-net\n\n`), out);
      assert.match(out, /Total reclaimed space: \S+\n$/);
      assert.equal((await run(["inspect", stopped])).code, 1);
      assert.equal((await run(["network", "inspect", `${p}-net`])).code, 1);
      // The running container stays.
      assert.equal((await ok(["inspect", "-f", "{{.State.Running}}", `${p}-web`])).trim(), "true");
    });

    test("info reports this host's real figures", async () => {
      const info = JSON.parse(await ok(["info", "--format", "{{json .}}"])) as Record<string, unknown>;
      const running = (await ok(["ps", "-q"])).split("\n").filter(Boolean).length;
      const all = (await ok(["ps", "-aq"])).split("\n").filter(Boolean).length;
      assert.equal(info.ContainersRunning, running);
      assert.equal(info.Containers, all);
      assert.equal(info.NCPU, os.availableParallelism());
      assert.equal(info.MemTotal, os.totalmem());
      assert.equal(info.KernelVersion, os.release());
      assert.equal(info.Name, os.hostname());
      assert.equal(info.OSType, "linux");
      assert.equal(info.CgroupDriver, "cgroupfs");
      assert.equal(info.CgroupVersion, existsSync("/sys/fs/cgroup/cgroup.controllers") ? "2" : "1");
      if (d) assert.equal(info.DockerRootDir, d.dataRoot);
      assert.match(String(info.OperatingSystem), new RegExp(/^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync("/etc/os-release", "utf8"))![1]!.replace(/[()]/g, "\\$&")));
      assert.equal((info.Swarm as { LocalNodeState: string }).LocalNodeState, "inactive");
      const text = await ok(["info"]);
      assert.match(text, new RegExp(`\\n Containers: ${all}\\n  Running: ${running}\\n`));
      assert.match(text, /\n Cgroup Driver: cgroupfs\n Cgroup Version: [12]\n Plugins:\n  Volume: local\n/);
      assert.match(text, new RegExp(`\\n CPUs: ${os.availableParallelism()}\\n`));
      assert.match(text, /\n Swarm: inactive\n/);
    });
  });
}
