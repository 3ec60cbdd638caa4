// `run`/`create` flags beyond containers.test.ts — --env-file and
// --label-file read as the docker CLI reads them, -e checks, labels, users —
// then what inspect shows (Docker's nulls and defaults) and the none and
// host networks with the /etc files Docker writes for them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { berthBin, startDaemon, type Daemon, type Result } from "./harness.js";

describe("container run flags, inspect and networks", () => {
  let d: Daemon;
  let dir: string;
  before(async () => {
    d = await startDaemon();
    dir = await mkdtemp(join(tmpdir(), "bt-run-"));
  });
  after(async () => {
    await d?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  test("--env-file: BOM, comments, blanks, verbatim values; a bare NAME takes the client's value or is left out", async () => {
    const envFile = await file("app.env", "\uFEFFFIRST=1\n# comment\n\n   SPACED=a b \nFROM_CLIENT\nNOT_SET\nLAST=x=y\r\n");
    const r = await d.berth(["run", "--rm", "--env-file", envFile, "-e", "LAST=override", "busybox", "env"], {
      env: { FROM_CLIENT: "hello" },
    });
    assert.equal(r.code, 0, r.stderr);
    const env = r.stdout.split("\n").filter(Boolean);
    assert.deepEqual(env.slice(2), ["FIRST=1", "SPACED=a b ", "FROM_CLIENT=hello", "LAST=override", "HOME=/root"]);
  });

  test("bad env and label files, and -e without a name, fail before anything is created", async () => {
    const spaced = await file("bad.env", "GOOD=1\nBAD NAME=2\n");
    const r = await d.berth(["run", "--rm", "--env-file", spaced, "busybox", "true"]);
    assert.equal(r.code, 125);
    assert.equal(r.stderr, `berth: invalid env file (${spaced}): variable 'BAD NAME' contains whitespaces\n\nRun 'berth run --help' for more information\n`);
    const noName = await file("noname.env", "=value\n");
    const c = await d.berth(["create", "--label-file", noName, "busybox"]);
    assert.equal(c.code, 125);
    assert.match(c.stderr, /^berth: invalid env file \(.*noname\.env\): no variable name on line '=value'\n/);
    const e = await d.berth(["run", "--rm", "-e", "=x", "busybox", "true"]);
    assert.equal(e.code, 125);
    assert.match(e.stderr, /^invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x\n\nUsage: {2}berth run /);
    assert.equal((await d.berth(["ps", "-aq"])).stdout, "");
  });

  test("a missing --env-file is named like open(2) names it", async () => {
    // `node -- script`: Node 20 would itself take a --env-file after the script name.
    const r = await runNode(["--", berthBin, "-H", d.host, "create", "--env-file", join(dir, "absent.env"), "busybox"]);
    assert.equal(r.code, 125);
    assert.equal(r.stderr, `berth: open ${join(dir, "absent.env")}: no such file or directory\n\nRun 'berth create --help' for more information\n`);
  });

  test("labels from -l and --label-file (bare lines in a file are dropped, a bare -l is empty)", async () => {
    const labels = await file("labels", "tier=web\nbare\nowner=ops team\n");
    await d.berth(["create", "--name", "labelled", "--label-file", labels, "-l", "solo", "-l", "tier=db", "busybox", "true"]);
    const got = JSON.parse((await d.berth(["inspect", "--format", "{{json .Config.Labels}}", "labelled"])).stdout) as Record<string, string>;
    assert.deepEqual(got, { tier: "db", owner: "ops team", solo: "" });
    const q = await d.berth(["ps", "-aq", "--filter", "label=owner=ops team"]);
    assert.equal(q.stdout.trim().length, 12);
  });

  test("-u, -w, --hostname, --entrypoint as Docker runs them", async () => {
    const r = await d.berth(["run", "--rm", "-u", "nobody", "-w", "/made/for/you", "--hostname", "box.example", "busybox", "sh", "-c", "id; pwd; hostname; cat /etc/hostname"]);
    assert.equal(r.stdout, "uid=65534(nobody) gid=65534(nobody) groups=65534(nobody)\n/made/for/you\nbox.example\nbox.example\n");
    const reset = await d.berth(["run", "--rm", "--entrypoint", "", "busybox", "echo", "no entrypoint"]);
    assert.equal(reset.stdout, "no entrypoint\n");
    const user = await d.berth(["run", "--rm", "-u", "ghost", "busybox", "true"]);
    assert.equal(user.code, 125);
    assert.match(user.stderr, /unable to find user ghost: no matching entries in passwd file/);
  });

  test("inspect: Docker's field order, nulls for unset lists, and the defaults dockerd fills in", async () => {
    await d.berth(["create", "--name", "plain", "busybox", "sleep", "1"]);
    const [info] = JSON.parse((await d.berth(["inspect", "plain"])).stdout) as Record<string, any>[];
    assert.deepEqual(Object.keys(info!), [
      "Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath", "HostnamePath", "HostsPath", "LogPath", "Name",
      "RestartCount", "Driver", "Platform", "MountLabel", "ProcessLabel", "AppArmorProfile", "ExecIDs", "HostConfig",
      "GraphDriver", "Mounts", "Config", "NetworkSettings",
    ]);
    assert.equal(info!.ExecIDs, null);
    const config = info!.Config;
    assert.deepEqual(Object.keys(config).slice(0, 10), [
      "Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce", "Env",
    ]);
    assert.equal(config.Env, null);
    assert.equal(config.Entrypoint, null);
    assert.equal(config.Volumes, null);
    assert.deepEqual(config.Cmd, ["sleep", "1"]);
    assert.deepEqual(config.Labels, {});
    const hc = info!.HostConfig;
    assert.equal(hc.IpcMode, "private");
    assert.equal(hc.Runtime, "runc");
    assert.ok(["host", "private"].includes(hc.CgroupnsMode));
    assert.ok(hc.MaskedPaths.includes("/proc/kcore"));
    assert.ok(hc.ReadonlyPaths.includes("/proc/sys"));
    assert.equal(hc.PidsLimit, null);
    assert.equal(hc.MemorySwappiness, null);
    assert.deepEqual(hc.RestartPolicy, { Name: "no", MaximumRetryCount: 0 });
    assert.deepEqual(Object.keys(info!.GraphDriver), ["Data", "Name"]);
    const bridge = info!.NetworkSettings.Networks.bridge;
    assert.equal(bridge.IPAMConfig, null);
    assert.equal(bridge.Aliases, null);
    assert.equal(info!.NetworkSettings.SecondaryIPAddresses, null);
    const started = await d.berth(["inspect", "--format", "{{.State.Status}} {{.State.StartedAt}}", "plain"]);
    assert.equal(started.stdout, "created 0001-01-01T00:00:00Z\n");
  });

  test("--network none: only lo, Docker's hosts file, the host's reachable resolvers", async () => {
    const r = await d.berth(["run", "--rm", "--network", "none", "--hostname", "isolated", "busybox", "sh", "-c", "ls /sys/class/net; echo ---; cat /etc/hosts; echo ---; cat /etc/hostname"]);
    assert.equal(r.code, 0, r.stderr);
    const [links, hosts, name] = r.stdout.split("---\n");
    assert.equal(links, "lo\n");
    assert.equal(
      hosts,
      "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n",
    );
    assert.equal(name, "isolated\n");
    const resolv = (await d.berth(["run", "--rm", "--network", "none", "busybox", "cat", "/etc/resolv.conf"])).stdout;
    assert.doesNotMatch(resolv, /^nameserver (127\.|.*:)/m);
    assert.match(resolv, /^nameserver /m);
    const net = await d.berth(["inspect", "--format", "{{.HostConfig.NetworkMode}} {{json .NetworkSettings.Networks}}", (await d.berth(["create", "--network", "none", "busybox"])).stdout.trim()]);
    assert.match(net.stdout, /^none \{"none":\{/);
  });

  test("--network host: the host's interfaces, hostname, /etc/hosts and /etc/resolv.conf", async () => {
    const r = await d.berth(["run", "--rm", "--network", "host", "busybox", "sh", "-c", "ls /sys/class/net; echo ---; hostname; echo ---; cat /etc/hosts; echo ---; cat /etc/resolv.conf"]);
    assert.equal(r.code, 0, r.stderr);
    const [links, name, hosts, resolv] = r.stdout.split("---\n");
    const hostLinks = Object.keys(networkInterfaces());
    for (const link of hostLinks) assert.match(links!, new RegExp(`^${link.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
    assert.equal(name, `${hostname()}\n`);
    assert.equal(hosts, await readFile("/etc/hosts", "utf8"));
    assert.equal(resolv, await readFile("/etc/resolv.conf", "utf8"));
  });
});

function runNode(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
