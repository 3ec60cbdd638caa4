// How `berth run` reads its flags (pflag conventions on top of commander) and
// the create body they become.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Command } from "commander";
import { normalizeArgs } from "../../src/cli/args.js";
import { addRunFlags, type RunFlags } from "../../src/cli/commands/run.js";
import { buildCreateRequest } from "../../src/cli/commands/container-flags.js";

function parseRun(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const cmd = addRunFlags(new Command("run")).exitOverride().configureOutput({ writeErr: () => undefined });
  cmd.allowExcessArguments(true).action(() => undefined);
  cmd.parse(normalizeArgs(cmd, argv), { from: "user" });
  const flags = cmd.opts<RunFlags>();
  return { flags, args: cmd.args, req: buildCreateRequest(cmd.args, flags, env) };
}

function parseError(argv: string[]): string {
  try {
    parseRun(argv);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail(`expected ${argv.join(" ")} to fail`);
}

describe("run flags", () => {
  it("passes flags after the image to the container", () => {
    const { args, req, flags } = parseRun(["--rm", "busybox", "ls", "-l", "--rm"]);
    assert.deepEqual(args, ["busybox", "ls", "-l", "--rm"]);
    assert.equal(flags.rm, true);
    assert.equal(req.body.Image, "busybox");
    assert.deepEqual(req.body.Cmd, ["ls", "-l", "--rm"]);
    assert.equal(req.body.HostConfig?.AutoRemove, true);
  });

  it("reads combined short flags -it", () => {
    const { flags, req } = parseRun(["-it", "busybox", "sh"]);
    assert.equal(flags.interactive, true);
    assert.equal(flags.tty, true);
    assert.equal(req.body.Tty, true);
    assert.equal(req.body.OpenStdin, true);
    assert.equal(req.body.AttachStdin, true);
    assert.equal(req.body.StdinOnce, true);
  });

  it("collects repeated -e, with NAME alone taken from the client's environment", () => {
    const { req } = parseRun(["-e", "A=1", "-e", "B=2", "--env=C=3", "-eD=4", "-e", "HOME", "-e", "UNSET", "busybox"], { HOME: "/root" });
    assert.deepEqual(req.body.Env, ["A=1", "B=2", "C=3", "D=4", "HOME=/root", "UNSET"]);
  });

  it("takes --name x and --name=x", () => {
    assert.equal(parseRun(["--name", "web", "busybox"]).req.name, "web");
    assert.equal(parseRun(["--name=db", "busybox"]).req.name, "db");
  });

  it("reads memory with binary units and --cpus as exact NanoCpus", () => {
    const host = (argv: string[]) => parseRun([...argv, "busybox"]).req.body.HostConfig ?? {};
    assert.equal(host(["-m", "512m"]).Memory, 512 * 1024 * 1024);
    assert.equal(host(["--memory=1g"]).Memory, 1024 ** 3);
    assert.equal(host(["-m", "100"]).Memory, 100);
    assert.equal(host(["-m", "1.5k"]).Memory, 1536);
    assert.equal(host(["-m", "2GiB"]).Memory, 2 * 1024 ** 3);
    assert.equal(host(["--memory-swap", "-1"]).MemorySwap, -1);
    assert.equal(host(["--cpus", "1.5"]).NanoCpus, 1_500_000_000);
    assert.equal(host(["--cpus=0.1"]).NanoCpus, 100_000_000);
    assert.equal(host(["-c", "512"]).CpuShares, 512);
    assert.equal(host(["--pids-limit", "100"]).PidsLimit, 100);
  });

  it("rejects bad values with Docker's reasons", () => {
    assert.match(parseError(["-m", "1x", "busybox"]), /invalid suffix: 'x'/);
    assert.match(parseError(["--cpus", "abc", "busybox"]), /failed to parse abc as a rational number/);
    assert.match(parseError(["--cpus", "0.0000000001", "busybox"]), /value is too precise/);
    assert.match(parseError(["--nope", "busybox"]), /unknown option '--nope'/);
  });

  it("maps the resource, /dev/shm and tmpfs flags to HostConfig as Docker's CLI does", () => {
    const MiB = 1024 * 1024;
    const host = parseRun([
      "--cpu-period", "200000",
      "--cpu-quota", "50000",
      "--cpuset-mems", "0",
      "--memory-reservation", "32m",
      "--memory-swappiness", "10",
      "--oom-kill-disable",
      "--shm-size", "8m",
      "--tmpfs", "/run:rw,size=64m",
      "--tmpfs", "/x",
      "--tmpfs", "/opts:a:b",
      "busybox",
    ]).req.body.HostConfig;
    assert.equal(host?.CpuPeriod, 200000);
    assert.equal(host?.CpuQuota, 50000);
    assert.equal(host?.CpusetMems, "0");
    assert.equal(host?.MemoryReservation, 32 * MiB);
    assert.equal(host?.MemorySwappiness, 10);
    assert.equal(host?.OomKillDisable, true);
    assert.equal(host?.ShmSize, 8 * MiB);
    assert.deepEqual(host?.Tmpfs, { "/run": "rw,size=64m", "/x": "", "/opts": "a:b" });
    const bare = parseRun(["busybox"]).req.body.HostConfig ?? {};
    for (const field of ["CpuPeriod", "MemoryReservation", "MemorySwappiness", "OomKillDisable", "ShmSize", "Tmpfs"]) {
      assert.equal(field in bare, false, field);
    }
  });

  it("leaves negative CPU counts to the daemon, and refuses what Docker's CLI refuses", () => {
    assert.equal(parseRun(["--cpus", "-1", "busybox"]).req.body.HostConfig?.NanoCpus, -1e9);
    assert.equal(parseRun(["--cpus=-0.5", "busybox"]).req.body.HostConfig?.NanoCpus, -5e8);
    assert.match(parseError(["--shm-size", "-1", "busybox"]), /invalid size: '-1'$/);
    assert.match(parseError(["--memory-reservation", "-5m", "busybox"]), /invalid size: '-5m'$/);
    assert.equal(parseError(["--memory-swappiness", "200", "busybox"]), "invalid value: 200. Valid memory swappiness range is 0-100");
    assert.equal(parseError(["--memory-swappiness", "-2", "busybox"]), "invalid value: -2. Valid memory swappiness range is 0-100");
    assert.equal(parseRun(["--memory-swappiness", "-1", "busybox"]).req.body.HostConfig?.MemorySwappiness, -1);
  });

  it("reads --flag=false and --sig-proxy=false as pflag does", () => {
    assert.equal(parseRun(["--sig-proxy=false", "busybox"]).flags.sigProxy, false);
    assert.equal(parseRun(["busybox"]).flags.sigProxy, true);
    assert.equal(parseRun(["--rm=false", "busybox"]).flags.rm, undefined);
    assert.equal(parseRun(["-d=true", "busybox"]).flags.detach, true);
  });

  it("maps security, capability and process flags", () => {
    const { req } = parseRun([
      "--cap-add", "net_admin", "--cap-drop=MKNOD", "--privileged", "--security-opt", "no-new-privileges",
      "--security-opt", "seccomp=unconfined", "--read-only", "--init", "--stop-signal", "SIGUSR1",
      "--stop-timeout", "5", "-u", "1000:1000", "-w", "/tmp", "-h", "box", "--entrypoint", "/bin/sh",
      "-l", "a=b", "--label", "flag", "--network", "none", "--cpuset-cpus", "0-1", "busybox",
    ]);
    const host = req.body.HostConfig ?? {};
    assert.deepEqual(host.CapAdd, ["CAP_NET_ADMIN"]);
    assert.deepEqual(host.CapDrop, ["CAP_MKNOD"]);
    assert.equal(host.Privileged, true);
    assert.deepEqual(host.SecurityOpt, ["no-new-privileges", "seccomp=unconfined"]);
    assert.equal(host.ReadonlyRootfs, true);
    assert.equal(host.Init, true);
    assert.equal(host.NetworkMode, "none");
    assert.equal(host.CpusetCpus, "0-1");
    assert.equal(req.body.StopSignal, "SIGUSR1");
    assert.equal(req.body.StopTimeout, 5);
    assert.equal(req.body.User, "1000:1000");
    assert.equal(req.body.WorkingDir, "/tmp");
    assert.equal(req.body.Hostname, "box");
    assert.deepEqual(req.body.Entrypoint, ["/bin/sh"]);
    assert.deepEqual(req.body.Labels, { a: "b", flag: "" });
  });

  it("attaches nothing when detached and only what -a names otherwise", () => {
    const detached = parseRun(["-d", "-i", "busybox"]).req.body;
    assert.deepEqual([detached.AttachStdin, detached.AttachStdout, detached.AttachStderr], [false, false, false]);
    const some = parseRun(["-a", "stdout", "busybox"]).req.body;
    assert.deepEqual([some.AttachStdin, some.AttachStdout, some.AttachStderr], [false, true, false]);
  });
});
