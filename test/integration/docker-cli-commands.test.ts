// The real docker CLI drives a private berthd through every command of the
// engine core: containers (create … rm, ps, logs, exec, attach, events) and
// images (images … save/load). Each assertion was checked against a real
// dockerd; set DOCKER_CLI_TEST_HOST=unix:///var/run/docker.sock to run the
// same file against one (everything it makes is named after a random prefix
// and removed afterwards), and DOCKER_CLI_TEST_BIN to pick the docker client
// (20.10 and 28.x both pass). Skipped, loudly, where no docker client exists.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import tar from "tar-stream";
import { busyboxTar, startDaemon, type Daemon } from "./harness.js";

const dockerPath =
  process.env.DOCKER_CLI_TEST_BIN || spawnSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).stdout.trim();
const externalHost = process.env.DOCKER_CLI_TEST_HOST;
if (!dockerPath) console.warn("SKIPPING docker CLI command tests: no docker client installed (apt-get install docker.io)");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  raw: Buffer;
}

interface Spawned {
  child: ChildProcess;
  out: () => string;
  closed: Promise<Run>;
}

const sha = (b: Buffer | string): string => createHash("sha256").update(b).digest("hex");
const GO_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Quotes one word for sh. */
const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const lines = (s: string): string[] => s.split("\n").filter(Boolean);
const HEX64 = /^[0-9a-f]{64}$/;

/** A script for busybox sh that waits, without busy-looping, until /tmp/go exists. */
const untilGo = "while [ ! -e /tmp/go ]; do sleep 0.1; done";
/** Keeps a shell (pid 1) alive and able to run its traps at once. */
const idle = "while :; do sleep 1 & wait $!; done";

/** A docker-save archive in the legacy layout, one image, made by hand so its config can say anything. */
async function savedImage(o: { layer: Buffer; config: object; tag: string }): Promise<Buffer> {
  const configBytes = Buffer.from(JSON.stringify(o.config));
  const configName = `${sha(configBytes)}.json`;
  const layerDir = sha(o.layer);
  const manifest = [{ Config: configName, RepoTags: [o.tag], Layers: [`${layerDir}/layer.tar`] }];
  const p = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on("data", (c: unknown) => chunks.push(c as Buffer));
    p.on("end", resolve);
    p.on("error", reject);
  });
  const mtime = new Date("2024-01-01T00:00:00Z");
  p.entry({ name: `${layerDir}/`, type: "directory", mode: 0o755, mtime });
  p.entry({ name: `${layerDir}/layer.tar`, mode: 0o644, mtime }, o.layer);
  p.entry({ name: configName, mode: 0o644, mtime }, configBytes);
  p.entry({ name: "manifest.json", mode: 0o644, mtime }, Buffer.from(JSON.stringify(manifest)));
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** The names of the entries of a tar archive, and the content of its manifest.json. */
async function tarIndex(archive: Buffer): Promise<{ names: string[]; manifest: unknown }> {
  const names: string[] = [];
  let manifest: unknown;
  const x = tar.extract();
  await new Promise<void>((resolve, reject) => {
    x.on("entry", (h, stream, next) => {
      names.push(h.name);
      const parts: Buffer[] = [];
      stream.on("data", (c: unknown) => parts.push(c as Buffer));
      stream.on("end", () => {
        if (h.name === "manifest.json") manifest = JSON.parse(Buffer.concat(parts).toString());
        next();
      });
    });
    x.on("finish", resolve);
    x.on("error", reject);
    x.end(archive);
  });
  return { names, manifest };
}

describe("docker CLI commands against berthd", { skip: !dockerPath && "no docker client installed" }, () => {
  let d: Daemon | undefined;
  let host = "";
  let tmp = "";
  let layer: Buffer;
  /** Everything this file makes is named after this prefix, so it can share a daemon. */
  const p = `dcc${randomBytes(3).toString("hex")}`;
  const n = (x: string) => `${p}-${x}`;
  const img = `${p}-bb:latest`;
  const createdImages = new Set<string>();

  const env = (extra?: Record<string, string>) => ({
    ...process.env,
    DOCKER_HOST: host,
    DOCKER_CONFIG: path.join(tmp, "docker-cli"),
    ...extra,
  });

  const docker = (args: string[], o: { input?: string | Buffer; env?: Record<string, string> } = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(dockerPath, args, { env: env(o.env), stdio: ["pipe", "pipe", "pipe"] });
      const out: Buffer[] = [];
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => out.push(c));
      child.stderr.on("data", (c) => (stderr += c));
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        const raw = Buffer.concat(out);
        resolve({ code: code ?? -1, stdout: raw.toString(), stderr, raw });
      });
      child.stdin.end(o.input);
    });

  /** Runs docker, asserts it succeeded and returns its stdout. */
  const ok = async (args: string[], o: { input?: string | Buffer; env?: Record<string, string> } = {}): Promise<string> => {
    const r = await docker(args, o);
    assert.equal(r.code, 0, `docker ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };

  /** Runs docker expecting it to fail with `code`, and returns its stderr. */
  const fails = async (args: string[], code = 1): Promise<string> => {
    const r = await docker(args);
    assert.equal(r.code, code, `docker ${args.join(" ")}: expected exit ${code}, got ${r.code}\n${r.stdout}${r.stderr}`);
    return r.stderr;
  };

  /** Starts docker in the background (for -f, attach, wait). */
  const background = (args: string[], o: { keepStdinOpen?: boolean } = {}): Spawned => {
    const child = spawn(dockerPath, args, { env: env(), stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => out.push(c));
    child.stderr!.on("data", (c) => (stderr += c));
    if (!o.keepStdinOpen) child.stdin!.end();
    const closed = new Promise<Run>((resolve, reject) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        const raw = Buffer.concat(out);
        resolve({ code: code ?? -1, stdout: raw.toString(), stderr, raw });
      });
    });
    return { child, out: () => Buffer.concat(out).toString(), closed };
  };

  /** Runs a docker command line under `script`, which gives it a terminal; \r are dropped from the output. */
  const inTerminal = (args: string[]): Promise<Run> =>
    new Promise((resolve, reject) => {
      const line = [dockerPath, ...args].map(shq).join(" ");
      const child = spawn("script", ["-qec", line, "/dev/null"], { env: env(), stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c) => (stdout += c));
      child.stderr.on("data", (c) => (stderr += c));
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        const text = stdout.replace(/\r/g, "");
        resolve({ code: code ?? -1, stdout: text, stderr, raw: Buffer.from(text) });
      });
    });

  /** Polls until `check` returns a value other than undefined/false. */
  const eventually = async <T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  const field = async (name: string, format: string): Promise<string> => (await ok(["inspect", "--format", format, name])).trim();
  const logsContain = (name: string, text: string) =>
    eventually(`"${text}" in the logs of ${name}`, async () => {
      const r = await docker(["logs", name]);
      return r.stdout.includes(text) || r.stderr.includes(text);
    });
  const imageId = async (ref: string) => (await ok(["image", "inspect", "--format", "{{.Id}}", ref])).trim();

  /** Imports the busybox rootfs as `ref` (untagged if null) with Dockerfile-like changes; returns the image ID. */
  const importImage = async (ref: string | null, changes: string[] = ['CMD ["sh"]']): Promise<string> => {
    const out = await ok(["import", ...changes.flatMap((c) => ["--change", c]), "-", ...(ref ? [ref] : [])], { input: layer });
    const id = out.trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    createdImages.add(id);
    return id;
  };

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "dcc-"));
    if (externalHost) host = externalHost;
    else {
      d = await startDaemon({ busybox: false });
      host = d.host;
    }
    layer = await busyboxTar();
    await importImage(img);
  });

  after(async () => {
    if (host) {
      const ids = lines((await docker(["ps", "-aq", "--filter", `name=${p}`])).stdout);
      if (ids.length) await docker(["rm", "-f", ...ids]);
      const refs = lines((await docker(["images", "--filter", `reference=${p}*`, "--format", "{{.Repository}}:{{.Tag}}"])).stdout);
      if (refs.length) await docker(["rmi", "-f", ...refs]);
      for (const id of createdImages) await docker(["rmi", "-f", id]);
    }
    await d?.destroy();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  describe("version and info", () => {
    test("version reports client and server", async (t) => {
      const v = JSON.parse(await ok(["version", "--format", "{{json .}}"]));
      t.diagnostic(`docker client ${v.Client.Version} against ${d ? "berthd" : externalHost} ${v.Server.Version}`);
      assert.ok(v.Client.Version);
      assert.ok(v.Server.Version);
      assert.match(v.Server.ApiVersion, /^1\.\d+$/);
      assert.equal(v.Server.Os, "linux");
      assert.equal(v.Server.Arch, GO_ARCH[process.arch] ?? process.arch);
      assert.equal(v.Server.KernelVersion, os.release());
      if (d) assert.equal(v.Server.ApiVersion, "1.45");
      const plain = await ok(["version"]);
      assert.match(plain, /^Client:/m);
      assert.match(plain, /^Server:/m);
    });

    test("info gives the machine's real figures", async () => {
      const info = JSON.parse(await ok(["info", "--format", "{{json .}}"]));
      assert.equal(info.NCPU, os.availableParallelism());
      assert.equal(info.MemTotal, os.totalmem());
      assert.ok(["overlay2", "vfs"].includes(info.Driver), `Driver ${info.Driver}`);
      assert.equal(info.OSType, "linux");
      assert.equal(info.KernelVersion, os.release());
      assert.equal(info.Architecture, os.machine());
      assert.ok(info.ServerVersion);
      assert.ok(info.Images >= 1);
      assert.equal(info.Containers, info.ContainersRunning + info.ContainersPaused + info.ContainersStopped);
      if (d) assert.equal(info.DockerRootDir, d.dataRoot);
      assert.match(await ok(["info"]), /Server Version: /);
    });
  });

  describe("create and start", () => {
    test("create makes a created container that start -a runs, with its exit code and streams apart", async () => {
      const id = (await ok(["create", "--name", n("cr"), img, "sh", "-c", "echo out; echo err >&2; exit 3"])).trim();
      assert.match(id, HEX64);
      assert.equal(await field(n("cr"), "{{.State.Status}}"), "created");
      assert.equal((await ok(["ps", "-a", "--filter", `id=${id}`, "--format", "{{.Status}}"])).trim(), "Created");
      const r = await docker(["start", "-a", n("cr")]);
      assert.equal(r.code, 3);
      assert.equal(r.stdout, "out\n");
      assert.equal(r.stderr, "err\n");
      assert.equal(await field(id, "{{.State.Status}} {{.State.ExitCode}}"), "exited 3");
      const conflict = await fails(["create", "--name", n("cr"), img]);
      assert.match(conflict, new RegExp(`Conflict\\. The container name "/${n("cr")}" is already in use`));
      await ok(["rm", n("cr")]);
      assert.match(await fails(["create", "--name", "bad name", img]), /Invalid container name \(bad name\), only \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\] are allowed/);
    });

    test("create refuses a relative working directory", async () => {
      const r = await docker(["create", "--name", n("crw"), "-w", "rel", img, "pwd"]);
      if (r.code === 0) await docker(["rm", n("crw")]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the working directory 'rel' is invalid, it needs to be an absolute path/);
    });

    test("start -i feeds stdin to a container created with -i", async () => {
      await ok(["create", "-i", "--name", n("cri"), img, "sh", "-c", "cat; echo end"]);
      const r = await docker(["start", "-a", "-i", n("cri")], { input: "one\ntwo\n" });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "one\ntwo\nend\n");
      await ok(["rm", n("cri")]);
    });

    test("start without -a prints the name and leaves it running", async () => {
      await ok(["create", "--name", n("crs"), img, "sleep", "1000"]);
      assert.equal(await ok(["start", n("crs")]), `${n("crs")}\n`);
      assert.equal(await field(n("crs"), "{{.State.Status}} {{.State.Running}}"), "running true");
      await ok(["rm", "-f", n("crs")]);
    });
  });

  describe("run", () => {
    test("-d prints the ID and leaves it running", async () => {
      const id = (await ok(["run", "-d", "--name", n("rd"), img, "sleep", "1000"])).trim();
      assert.match(id, HEX64);
      assert.equal(await field(n("rd"), "{{.Id}} {{.State.Status}}"), `${id} running`);
      assert.ok(Number(await field(n("rd"), "{{.State.Pid}}")) > 0);
      await ok(["rm", "-f", n("rd")]);
    });

    test("attached: exit code, stdout and stderr apart; 127 and 125", async () => {
      const r = await docker(["run", "--rm", img, "sh", "-c", "echo hi; echo oops >&2; exit 4"]);
      assert.deepEqual([r.code, r.stdout, r.stderr], [4, "hi\n", "oops\n"]);
      assert.equal((await docker(["run", "--rm", img, "no-such-command"])).code, 127);
      assert.equal((await docker(["run", "--rm", "--no-such-flag", img])).code, 125);
    });

    test("-i passes stdin", async () => {
      const r = await docker(["run", "--rm", "-i", img, "sh", "-c", "cat; echo end"], { input: "a\nb\n" });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "a\nb\nend\n");
    });

    test("-t gives a terminal that carries stderr too", async () => {
      const r = await inTerminal(["run", "-t", "--rm", img, "sh", "-c", "tty; echo err >&2; exit 3"]);
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(r.stdout, /^\/dev\/pts\/\d+\nerr\n$/);
    });

    test("--rm removes the container once it exits", async () => {
      const r = await docker(["run", "--rm", "--name", n("rm"), img, "true"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await ok(["ps", "-aq", "--filter", `name=${n("rm")}`]), "");
      assert.equal((await docker(["run", "--rm", "--name", n("rm"), img, "true"])).code, 0);
    });

    test("--name, -e, --env-file, -w, -u, --hostname, -l", async () => {
      const envFile = path.join(tmp, "env.list");
      await writeFile(envFile, "# comment\nFROM_FILE=1\nSPACED=two words\nFROM_CLIENT\n");
      const r = await docker(
        [
          "run", "--name", n("opts"), "-e", "A=1", "-e", "B", "--env-file", envFile, "-w", "/tmp/newdir",
          "-u", "1000:1000", "--hostname", "myhost", "-l", "k=v", "-l", "flag", img,
          "sh", "-c", 'echo "A=$A B=$B F=$FROM_FILE S=$SPACED C=$FROM_CLIENT"; pwd; id; hostname; cat /etc/hostname',
        ],
        { env: { B: "from-client", FROM_CLIENT: "also" } },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        "A=1 B=from-client F=1 S=two words C=also\n/tmp/newdir\nuid=1000 gid=1000 groups=1000\nmyhost\nmyhost\n",
      );
      assert.equal(await field(n("opts"), "{{.Name}}"), `/${n("opts")}`);
      assert.deepEqual(JSON.parse(await field(n("opts"), "{{json .Config.Labels}}")), { k: "v", flag: "" });
      assert.equal(await field(n("opts"), "{{.Config.Hostname}} {{.Config.User}} {{.Config.WorkingDir}}"), "myhost 1000:1000 /tmp/newdir");
      const env = JSON.parse(await field(n("opts"), "{{json .Config.Env}}")) as string[];
      for (const e of ["A=1", "B=from-client", "FROM_FILE=1", "SPACED=two words", "FROM_CLIENT=also"]) assert.ok(env.includes(e), e);
      const named = await docker(["run", "--rm", "-u", "nobody", img, "id"]);
      assert.equal(named.stdout, "uid=65534(nobody) gid=65534(nobody) groups=65534(nobody)\n");
      await ok(["rm", n("opts")]);
    });

    test("--entrypoint replaces the image's entrypoint", async () => {
      const r = await docker(["run", "--name", n("ep"), "--entrypoint", "echo", img, "hi", "there"]);
      assert.equal(r.stdout, "hi there\n");
      assert.equal(await field(n("ep"), '{{json .Config.Entrypoint}} {{.Path}} {{json .Args}}'), '["echo"] echo ["hi","there"]');
      await ok(["rm", n("ep")]);
    });
  });

  describe("stop, kill, restart", () => {
    test("stop: a trapped SIGTERM ends it; -t then SIGKILL when ignored", async () => {
      await ok(["run", "-d", "--name", n("st1"), img, "sh", "-c", `trap 'echo term; exit 7' TERM; echo ready; ${idle}`]);
      await ok(["run", "-d", "--name", n("st2"), img, "sleep", "1000"]);
      await logsContain(n("st1"), "ready");
      assert.equal(await ok(["stop", n("st1")]), `${n("st1")}\n`);
      assert.equal(await field(n("st1"), "{{.State.Status}} {{.State.ExitCode}}"), "exited 7");
      assert.equal((await ok(["logs", n("st1")])), "ready\nterm\n");
      // sleep as pid 1 has no SIGTERM handler, so the kernel ignores the signal.
      assert.equal(await ok(["stop", "-t", "1", n("st2")]), `${n("st2")}\n`);
      assert.equal(await field(n("st2"), "{{.State.Status}} {{.State.ExitCode}}"), "exited 137");
      assert.equal(await ok(["stop", n("st2")]), `${n("st2")}\n`, "stopping a stopped container succeeds");
      assert.match(await fails(["stop", n("nosuch")]), /No such container: /);
      await ok(["rm", n("st1"), n("st2")]);
    });

    test("stop sends the image's StopSignal, then SIGKILL after -t", async () => {
      const stopImg = `${p}-stop:1`;
      const config = {
        architecture: GO_ARCH[process.arch] ?? process.arch,
        os: "linux",
        created: "2024-01-01T00:00:00Z",
        config: { Cmd: ["sh"], StopSignal: "SIGUSR1" },
        rootfs: { type: "layers", diff_ids: [`sha256:${sha(layer)}`] },
        history: [{ created: "2024-01-01T00:00:00Z", created_by: "docker-cli-commands.test" }],
      };
      assert.equal(await ok(["load"], { input: await savedImage({ layer, config, tag: stopImg }) }), `Loaded image: ${stopImg}\n`);
      createdImages.add(await imageId(stopImg));
      await ok(["run", "-d", "--name", n("ss1"), stopImg, "sh", "-c", `trap 'echo usr1; exit 5' USR1; trap 'echo term' TERM; echo ready; ${idle}`]);
      await ok(["run", "-d", "--name", n("ss2"), stopImg, "sh", "-c", `trap 'echo usr1' USR1; echo ready; ${idle}`]);
      assert.equal(await field(n("ss1"), "{{.Config.StopSignal}}"), "SIGUSR1");
      await logsContain(n("ss1"), "ready");
      await logsContain(n("ss2"), "ready");
      await ok(["stop", n("ss1")]);
      assert.equal(await field(n("ss1"), "{{.State.ExitCode}}"), "5");
      assert.equal(await ok(["logs", n("ss1")]), "ready\nusr1\n");
      // Two seconds leave the trap ample time to log before SIGKILL.
      await ok(["stop", "-t", "2", n("ss2")]);
      assert.equal(await field(n("ss2"), "{{.State.Status}} {{.State.ExitCode}}"), "exited 137");
      assert.equal(await ok(["logs", n("ss2")]), "ready\nusr1\n");
      await ok(["rm", n("ss1"), n("ss2")]);
    });

    test("kill -s sends the named signal; kill defaults to SIGKILL", async () => {
      await ok(["run", "-d", "--name", n("k1"), img, "sh", "-c", `trap 'echo usr1; exit 9' USR1; echo ready; ${idle}`]);
      await ok(["run", "-d", "--name", n("k2"), img, "sleep", "1000"]);
      await logsContain(n("k1"), "ready");
      assert.equal(await ok(["kill", "-s", "USR1", n("k1")]), `${n("k1")}\n`);
      assert.equal((await ok(["wait", n("k1")])).trim(), "9");
      assert.equal(await ok(["logs", n("k1")]), "ready\nusr1\n");
      assert.equal(await ok(["kill", n("k2")]), `${n("k2")}\n`);
      assert.equal((await ok(["wait", n("k2")])).trim(), "137");
      assert.match(await fails(["kill", n("k2")]), /is not running/);
      await ok(["rm", n("k1"), n("k2")]);
    });

    test("restart starts it again: new process, same logs", async () => {
      await ok(["run", "-d", "--name", n("rs"), img, "sh", "-c", `trap 'exit 0' TERM; echo started; ${idle}`]);
      await logsContain(n("rs"), "started");
      const [started1, pid1] = (await field(n("rs"), "{{.State.StartedAt}} {{.State.Pid}}")).split(" ");
      assert.equal(await ok(["restart", "-t", "1", n("rs")]), `${n("rs")}\n`);
      const [started2, pid2, status, count] = (await field(n("rs"), "{{.State.StartedAt}} {{.State.Pid}} {{.State.Status}} {{.RestartCount}}")).split(" ");
      assert.equal(status, "running");
      assert.equal(count, "0", "a manual restart is not counted");
      assert.notEqual(pid2, pid1);
      assert.ok(Date.parse(started2!) > Date.parse(started1!), `${started2} after ${started1}`);
      await eventually("second start in the logs", async () => (await ok(["logs", n("rs")])) === "started\nstarted\n");
      await ok(["rm", "-f", n("rs")]);
    });
  });

  describe("rm", () => {
    test("rm removes stopped containers; a running one needs -f", async () => {
      await ok(["run", "-d", "--name", n("rm1"), img, "sleep", "1000"]);
      await ok(["create", "--name", n("rm2"), img]);
      assert.match(await fails(["rm", n("rm1")]), /cannot remove a running container/i);
      assert.equal(await ok(["rm", "-f", n("rm1")]), `${n("rm1")}\n`);
      assert.equal(await ok(["rm", n("rm2")]), `${n("rm2")}\n`);
      assert.equal(await ok(["ps", "-aq", "--filter", `name=${n("rm")}`]), "");
      assert.match(await fails(["rm", n("rm2")]), new RegExp(`No such container: ${n("rm2")}`));
    });
  });

  describe("ps", () => {
    const label = `${p}.ps`;
    const ids: Record<string, string> = {};
    before(async () => {
      await ok(["run", "--name", n("psa"), "-l", `${label}=1`, img, "sh", "-c", "head -c 1000000 /dev/zero > /tmp/f"]);
      ids.a = await field(n("psa"), "{{.Id}}");
      ids.b = (await ok(["run", "-d", "--name", n("psb"), "-l", `${label}=1`, img, "sleep", "1000"])).trim();
      ids.c = (await ok(["create", "--name", n("psc"), "-l", `${label}=1`, img, "true"])).trim();
    });
    const names = async (...args: string[]) => lines(await ok(["ps", "--filter", `label=${label}`, ...args, "--format", "{{.Names}}"]));

    test("running only by default; -a for all, newest first", async () => {
      assert.deepEqual(await names(), [n("psb")]);
      assert.deepEqual(await names("-a"), [n("psc"), n("psb"), n("psa")]);
    });

    test("-q and --no-trunc", async () => {
      assert.deepEqual(lines(await ok(["ps", "-aq", "--filter", `label=${label}`])), [ids.c, ids.b, ids.a].map((i) => i!.slice(0, 12)));
      assert.deepEqual(lines(await ok(["ps", "-aq", "--no-trunc", "--filter", `label=${label}`])), [ids.c, ids.b, ids.a]);
      assert.equal(
        (await ok(["ps", "-a", "--no-trunc", "--filter", `id=${ids.a}`, "--format", "{{.Command}}"])).trim(),
        `"sh -c 'head -c 1000000 /dev/zero > /tmp/f'"`,
      );
    });

    test("-n and -l", async () => {
      assert.deepEqual(await names("-n", "2"), [n("psc"), n("psb")]);
      assert.deepEqual(await names("-l"), [n("psc")]);
    });

    test("-s shows the writable layer's size", async () => {
      const size = (await ok(["ps", "-a", "-s", "--filter", `id=${ids.a}`, "--format", "{{.Size}}"])).trim();
      assert.match(size, /^1MB \(virtual \d+(\.\d+)?MB\)$/);
      const imageSize = Number(await ok(["image", "inspect", "--format", "{{.Size}}", img]));
      const [rw, rootfs] = (await ok(["inspect", "-s", "--format", "{{.SizeRw}} {{.SizeRootFs}}", n("psa")])).trim().split(" ").map(Number);
      assert.equal(rw, 1_000_000);
      assert.equal(rootfs, imageSize + 1_000_000);
    });

    test("--filter status, exited, name, id, ancestor", async () => {
      assert.deepEqual(await names("--filter", "status=exited"), [n("psa")]);
      assert.deepEqual(await names("--filter", "status=created"), [n("psc")]);
      assert.deepEqual(await names("-a", "--filter", "exited=0"), [n("psa")]);
      assert.deepEqual(await names("-a", "--filter", `name=${n("psb")}`), [n("psb")]);
      assert.deepEqual(await names("-a", "--filter", `id=${ids.c!.slice(0, 12)}`), [n("psc")]);
      assert.deepEqual(await names("-a", "--filter", `ancestor=${img}`), [n("psc"), n("psb"), n("psa")]);
      assert.deepEqual(await names("-a", "--filter", "status=running", "--filter", "status=created"), [n("psc"), n("psb")]);
      assert.deepEqual(await names("-a", "--filter", `before=${n("psb")}`), [n("psa")]);
      assert.deepEqual(await names("-a", "--filter", `since=${n("psb")}`), [n("psc")]);
    });

    test("--format '{{json .}}'", async () => {
      const rows = lines(await ok(["ps", "-a", "--filter", `label=${label}`, "--format", "{{json .}}"])).map((l) => JSON.parse(l));
      const [c, b, a] = rows;
      assert.equal(b.ID, ids.b!.slice(0, 12));
      assert.equal(b.Names, n("psb"));
      assert.equal(b.Image, img);
      assert.equal(b.Command, '"sleep 1000"');
      assert.equal(b.State, "running");
      assert.match(b.Status, /^Up /);
      assert.equal(b.Labels, `${label}=1`);
      assert.match(a.Status, /^Exited \(0\) /);
      assert.equal(a.State, "exited");
      assert.equal(c.Status, "Created");
      assert.equal(c.State, "created");
      const table = await ok(["ps", "-a", "--filter", `label=${label}`, "--format", "table {{.Names}}\t{{.State}}"]);
      assert.match(table, /^NAMES\s+STATE\n/);
    });

    after(async () => {
      await docker(["rm", "-f", n("psa"), n("psb"), n("psc")]);
    });
  });

  describe("logs", () => {
    let stamps: string[] = [];
    before(async () => {
      // The pauses order the lines across the two streams.
      const r = await docker(["run", "--name", n("lg"), img, "sh", "-c", "echo o1; sleep 0.1; echo e1 >&2; sleep 0.1; echo o2; sleep 0.1; echo e2 >&2"]);
      assert.equal(r.code, 0, r.stderr);
    });

    test("stdout and stderr apart", async () => {
      const r = await docker(["logs", n("lg")]);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, "o1\no2\n", "e1\ne2\n"]);
    });

    test("-t prefixes RFC 3339 timestamps", async () => {
      const r = await docker(["logs", "-t", n("lg")]);
      const ts = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (\w+)$/;
      const out = lines(r.stdout).map((l) => l.match(ts));
      const err = lines(r.stderr).map((l) => l.match(ts));
      assert.deepEqual([...out, ...err].map((m) => m?.[2]), ["o1", "o2", "e1", "e2"], r.stdout + r.stderr);
      stamps = [out[0]![1]!, err[0]![1]!, out[1]![1]!, err[1]![1]!];
      assert.deepEqual([...stamps].sort(), stamps, "lines in order");
    });

    test("--tail counts lines of both streams", async () => {
      const one = await docker(["logs", "--tail", "1", n("lg")]);
      assert.deepEqual([one.stdout, one.stderr], ["", "e2\n"]);
      const two = await docker(["logs", "--tail", "2", n("lg")]);
      assert.deepEqual([two.stdout, two.stderr], ["o2\n", "e2\n"]);
      const all = await docker(["logs", "--tail", "all", n("lg")]);
      assert.deepEqual([all.stdout, all.stderr], ["o1\no2\n", "e1\ne2\n"]);
    });

    test("--since and --until, inclusive, absolute and relative", async () => {
      assert.equal(stamps.length, 4, "needs the -t test");
      const since = await docker(["logs", "--since", stamps[2]!, n("lg")]);
      assert.deepEqual([since.stdout, since.stderr], ["o2\n", "e2\n"]);
      const until = await docker(["logs", "--until", stamps[1]!, n("lg")]);
      assert.deepEqual([until.stdout, until.stderr], ["o1\n", "e1\n"]);
      const both = await docker(["logs", "--since", stamps[1]!, "--until", stamps[2]!, n("lg")]);
      assert.deepEqual([both.stdout, both.stderr], ["o2\n", "e1\n"]);
      const hour = await docker(["logs", "--since", "1h", n("lg")]);
      assert.deepEqual([hour.stdout, hour.stderr], ["o1\no2\n", "e1\ne2\n"]);
      const none = await docker(["logs", "--until", "1h", n("lg")]);
      assert.deepEqual([none.stdout, none.stderr], ["", ""]);
    });

    test("a terminal's output is all on stdout, with CRLF", async () => {
      await ok(["run", "-d", "-t", "--name", n("lt"), img, "sh", "-c", "echo out; echo err >&2"]);
      assert.equal(await ok(["wait", n("lt")]), "0\n");
      const r = await docker(["logs", n("lt")]);
      assert.deepEqual([r.stdout, r.stderr], ["out\r\nerr\r\n", ""]);
      await ok(["rm", n("lt")]);
    });

    test("-f follows until the container exits", async () => {
      await ok(["run", "-d", "--name", n("lf"), img, "sh", "-c", `echo one; ${untilGo}; echo two; echo three >&2`]);
      const f = background(["logs", "-f", n("lf")]);
      await eventually("first line followed", async () => f.out().includes("one\n"));
      await ok(["exec", n("lf"), "touch", "/tmp/go"]);
      const r = await f.closed;
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, "one\ntwo\n", "three\n"]);
      await ok(["rm", n("lf")]);
    });

    after(async () => {
      await docker(["rm", "-f", n("lg")]);
    });
  });

  describe("wait", () => {
    test("wait blocks until exit and prints the code", async () => {
      await ok(["run", "-d", "--name", n("w1"), img, "sh", "-c", `${untilGo}; exit 42`]);
      assert.equal((await docker(["run", "--name", n("w2"), img, "sh", "-c", "exit 3"])).code, 3);
      const w = background(["wait", n("w1"), n("w2")]);
      await ok(["exec", n("w1"), "touch", "/tmp/go"]);
      const r = await w.closed;
      assert.deepEqual([r.code, r.stdout], [0, "42\n3\n"], r.stderr);
      assert.equal(await ok(["wait", n("w2")]), "3\n", "an exited container answers at once");
      assert.match(await fails(["wait", n("nosuch")]), /No such container: /);
      await ok(["rm", n("w1"), n("w2")]);
    });
  });

  describe("inspect", () => {
    test("a container", async () => {
      const id = (await ok(["create", "--name", n("in"), "-e", "E=1", "-l", "a=b", img, "echo", "hi"])).trim();
      const [c] = JSON.parse(await ok(["inspect", n("in")]));
      assert.equal(c.Id, id);
      assert.equal(c.Name, `/${n("in")}`);
      assert.equal(c.Path, "echo");
      assert.deepEqual(c.Args, ["hi"]);
      assert.equal(c.State.Status, "created");
      assert.equal(c.State.Running, false);
      assert.equal(c.Image, await imageId(img));
      assert.equal(c.Config.Image, img);
      assert.deepEqual(c.Config.Cmd, ["echo", "hi"]);
      assert.deepEqual(c.Config.Env, ["E=1"]);
      assert.deepEqual(c.Config.Labels, { a: "b" });
      assert.equal(c.Config.Hostname, id.slice(0, 12));
      assert.ok(Date.parse(c.Created) > 0);
      assert.equal(typeof c.HostConfig, "object");
      assert.equal(await ok(["container", "inspect", "--format", "{{.Name}}", id.slice(0, 12)]), `/${n("in")}\n`);
      assert.match(await fails(["inspect", "--type", "image", n("in")]), /No such image/);
      const both = JSON.parse(await ok(["inspect", n("in"), img]));
      assert.deepEqual(both.map((o: { Id: string }) => o.Id), [id, await imageId(img)]);
      const missing = await docker(["inspect", n("nosuch")]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, new RegExp(`No such object: ${n("nosuch")}`));
      await ok(["rm", n("in")]);
    });

    test("an image", async () => {
      const [i] = JSON.parse(await ok(["inspect", img]));
      assert.match(i.Id, /^sha256:[0-9a-f]{64}$/);
      assert.deepEqual(i.RepoTags, [img]);
      assert.deepEqual(i.Config.Cmd, ["sh"]);
      assert.equal(i.Os, "linux");
      assert.equal(i.RootFS.Type, "layers");
      assert.deepEqual(i.RootFS.Layers, [`sha256:${sha(layer)}`]);
    });
  });

  describe("exec", () => {
    const svc = n("ex");
    before(async () => {
      await ok(["run", "-d", "--name", svc, img, "sleep", "1000"]);
    });

    test("runs in the container with its exit code and streams", async () => {
      const r = await docker(["exec", svc, "sh", "-c", "echo out; echo err >&2; exit 3"]);
      assert.deepEqual([r.code, r.stdout, r.stderr], [3, "out\n", "err\n"]);
      // dockerd 20.10 answers 126 here, later ones 127.
      const missing = await docker(["exec", svc, "no-such-command"]);
      assert.ok([126, 127].includes(missing.code), `exit ${missing.code}`);
      assert.match(missing.stdout + missing.stderr, /executable file not found/);
    });

    test("-i passes stdin", async () => {
      const r = await docker(["exec", "-i", svc, "sh", "-c", "cat; echo end"], { input: "x\ny\n" });
      assert.deepEqual([r.code, r.stdout], [0, "x\ny\nend\n"], r.stderr);
    });

    test("-t gives a terminal", async () => {
      const r = await inTerminal(["exec", "-t", svc, "sh", "-c", "tty; echo err >&2; exit 2"]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stdout, /^\/dev\/pts\/\d+\nerr\n$/);
    });

    test("-d runs in the background", async () => {
      assert.equal(await ok(["exec", "-d", svc, "sh", "-c", "echo detached > /tmp/d"]), "");
      await eventually("the detached exec's file", async () => (await docker(["exec", svc, "cat", "/tmp/d"])).stdout === "detached\n");
    });

    test("-e, -w, -u", async () => {
      assert.equal(await ok(["exec", "-e", "FOO=bar", "-e", "BAZ", svc, "sh", "-c", 'echo "$FOO-$BAZ"'], { env: { BAZ: "qux" } }), "bar-qux\n");
      assert.equal(await ok(["exec", "-w", "/tmp", svc, "pwd"]), "/tmp\n");
      assert.equal(await ok(["exec", "-u", "nobody", svc, "id"]), "uid=65534(nobody) gid=65534(nobody) groups=65534(nobody)\n");
      assert.equal(await ok(["exec", "-u", "1000:1000", svc, "id", "-u"]), "1000\n");
    });

    test("-w to a missing directory fails to start the process", async () => {
      // dockerd 20.10 answers 126, later ones 127.
      const r = await docker(["exec", "-w", "/nonexistent", svc, "pwd"]);
      assert.ok([126, 127].includes(r.code), `exit ${r.code}`);
      assert.match(r.stdout + r.stderr, /chdir to cwd \("\/nonexistent"\).*no such file or directory/);
    });

    test("a stopped container refuses", async () => {
      await ok(["create", "--name", n("exs"), img]);
      assert.match(await fails(["exec", n("exs"), "true"]), /is not running/);
      await ok(["rm", n("exs")]);
    });

    after(async () => {
      await docker(["rm", "-f", svc]);
    });
  });

  describe("attach", () => {
    test("shows the output of a running container and ends with its exit code", async () => {
      await ok(["run", "-d", "--name", n("at"), img, "sh", "-c", `while [ ! -e /tmp/go ]; do echo tick; sleep 0.2; done; echo bye; exit 3`]);
      const a = background(["attach", n("at")]);
      await eventually("a tick through attach", async () => a.out().includes("tick\n"));
      await ok(["exec", n("at"), "touch", "/tmp/go"]);
      const r = await a.closed;
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stdout, /^(tick\n)+bye\n$/);
      await ok(["rm", n("at")]);
    });

    test("-i started container gets attach's stdin", async () => {
      await ok(["run", "-d", "-i", "--name", n("ati"), img, "sh", "-c", 'read line; echo "got $line"; exit 5']);
      // stdin stays open until the answer is back, as at a keyboard: at EOF the
      // client stops waiting for output that is still on its way.
      const a = background(["attach", n("ati")], { keepStdinOpen: true });
      a.child.stdin!.write("hello\n");
      await eventually("the answer through attach", async () => a.out().includes("got hello\n"));
      a.child.stdin!.end();
      const r = await a.closed;
      assert.deepEqual([r.code, r.stdout], [5, "got hello\n"], r.stderr);
      await ok(["rm", n("ati")]);
    });

    test("a stopped container cannot be attached", async () => {
      await ok(["create", "--name", n("ats"), img]);
      assert.match(await fails(["attach", n("ats")]), /You cannot attach to a stopped container/);
      await ok(["rm", n("ats")]);
    });
  });

  describe("rename, top, pause", () => {
    const svc = n("tp");
    before(async () => {
      await ok(["run", "-d", "--name", n("tp-old"), img, "sleep", "1000"]);
    });

    test("rename", async () => {
      assert.equal(await ok(["rename", n("tp-old"), svc]), "");
      assert.equal(await field(svc, "{{.Name}}"), `/${svc}`);
      assert.match(await fails(["inspect", "--type", "container", n("tp-old")]), /No such container/);
      await ok(["create", "--name", n("tp-other"), img]);
      assert.match(await fails(["rename", n("tp-other"), svc]), /is already in use/);
      await ok(["rm", n("tp-other")]);
    });

    test("top lists the container's processes", async () => {
      const rows = lines(await ok(["top", svc]));
      assert.deepEqual(rows[0]!.split(/\s+/), ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]);
      const pid = await field(svc, "{{.State.Pid}}");
      assert.ok(rows.slice(1).some((r) => r.split(/\s+/)[1] === pid && r.endsWith("sleep 1000")), rows.join("\n"));
      const custom = lines(await ok(["top", svc, "-o", "pid,comm"]));
      assert.deepEqual(custom[0]!.split(/\s+/), ["PID", "COMMAND"]);
      assert.ok(custom.slice(1).some((r) => r.split(/\s+/).join(" ") === `${pid} sleep`), custom.join("\n"));
    });

    test("pause and unpause", async () => {
      assert.equal(await ok(["pause", svc]), `${svc}\n`);
      assert.equal(await field(svc, "{{.State.Status}} {{.State.Paused}} {{.State.Running}}"), "paused true true");
      assert.match((await ok(["ps", "--filter", `name=${svc}`, "--format", "{{.Status}}"])).trim(), /^Up .* \(Paused\)$/);
      assert.equal(await ok(["ps", "-q", "--filter", "status=paused", "--filter", `name=${svc}`]), `${(await field(svc, "{{.Id}}")).slice(0, 12)}\n`);
      assert.match(await fails(["exec", svc, "true"]), /is paused, unpause the container before exec/);
      assert.match(await fails(["pause", svc]), /is already paused/);
      assert.equal(await ok(["unpause", svc]), `${svc}\n`);
      assert.equal(await field(svc, "{{.State.Status}} {{.State.Paused}}"), "running false");
      assert.match(await fails(["unpause", svc]), /is not paused/);
      assert.equal(await ok(["exec", svc, "echo", "alive"]), "alive\n");
    });

    test("top of a stopped container fails", async () => {
      await ok(["create", "--name", n("tps"), img]);
      assert.match(await fails(["top", n("tps")]), /is not running/);
      await ok(["rm", n("tps")]);
    });

    after(async () => {
      await docker(["rm", "-f", svc, n("tp-old")]);
    });
  });

  describe("images", () => {
    let baseId = "";
    let danglingId = "";
    before(async () => {
      baseId = await imageId(img);
      await ok(["tag", img, `${p}-im:1`]);
      await ok(["tag", img, `${p}-im:2`]);
      danglingId = await importImage(null, ["LABEL dcc.dangling=1"]);
    });
    const rows = async (...args: string[]) => lines(await ok(["images", ...args, "--format", "{{json .}}"])).map((l) => JSON.parse(l));

    test("--filter reference and --format", async () => {
      const r = await rows("--filter", `reference=${p}-im`);
      assert.deepEqual(r.map((x) => `${x.Repository}:${x.Tag}`).sort(), [`${p}-im:1`, `${p}-im:2`]);
      for (const x of r) {
        assert.equal(x.ID, baseId.slice(7, 19));
        assert.match(x.Size, /^\d+(\.\d+)?MB$/);
      }
      const table = await ok(["images", "--filter", `reference=${p}-im:1`]);
      assert.match(table, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n/);
    });

    test("-q prints a short ID per row; --no-trunc the full one", async () => {
      assert.deepEqual(lines(await ok(["images", "-q", "--filter", `reference=${p}-im`])), [baseId.slice(7, 19), baseId.slice(7, 19)]);
      assert.deepEqual(lines(await ok(["images", "-q", "--no-trunc", "--filter", `reference=${p}-im:1`])), [baseId]);
    });

    test("--filter dangling, label, before, since", async () => {
      const dangling = await rows("--filter", "dangling=true");
      const mine = dangling.find((x) => danglingId.startsWith(`sha256:${x.ID}`));
      assert.ok(mine, JSON.stringify(dangling));
      assert.equal(`${mine.Repository}:${mine.Tag}`, "<none>:<none>");
      assert.deepEqual(lines(await ok(["images", "-q", "--filter", "label=dcc.dangling=1"])), [danglingId.slice(7, 19)]);
      assert.ok(!lines(await ok(["images", "-q", "--filter", "dangling=false"])).includes(danglingId.slice(7, 19)));
      assert.ok(lines(await ok(["images", "-q", "--filter", `since=${img}`])).includes(danglingId.slice(7, 19)));
      assert.ok(!lines(await ok(["images", "-q", "--filter", `before=${img}`])).includes(danglingId.slice(7, 19)));
    });

    test("-a lists at least what the default lists", async () => {
      const all = lines(await ok(["images", "-a", "-q"]));
      for (const id of lines(await ok(["images", "-q"]))) assert.ok(all.includes(id), id);
      assert.ok(all.includes(danglingId.slice(7, 19)));
    });

    test("--digests shows <none> for an image never pushed or pulled", async () => {
      const r = await rows("--digests", "--filter", `reference=${p}-im:1`);
      assert.equal(r[0].Digest, "<none>");
      const table = await ok(["images", "--digests", "--filter", `reference=${p}-im:1`]);
      assert.match(table, /^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID/);
    });
  });

  describe("tag, rmi", () => {
    test("tag adds a name to the same image", async () => {
      const id = await imageId(img);
      assert.equal(await ok(["tag", img, `${p}-tg/sub:v1`]), "");
      assert.equal(await imageId(`${p}-tg/sub:v1`), id);
      await ok(["tag", id.slice(7, 19), `${p}-tg:byid`]);
      assert.equal(await imageId(`${p}-tg:byid`), id);
      assert.match(await fails(["tag", `${p}-nosuch:1`, `${p}-tg:x`]), /No such image: /);
      assert.notEqual((await docker(["tag", img, "Bad:Name:x"])).code, 0);
      await ok(["rmi", `${p}-tg/sub:v1`, `${p}-tg:byid`]);
    });

    test("rmi untags while other names remain, deletes with the last", async () => {
      const id = await importImage(`${p}-rm:1`, ["LABEL dcc.rmi=1"]);
      await ok(["tag", `${p}-rm:1`, `${p}-rm:2`]);
      assert.match(await fails(["rmi", id.slice(7, 19)]), /conflict: unable to delete [0-9a-f]{12} \(must be forced\) - image is referenced in multiple repositories/);
      assert.equal(await ok(["rmi", `${p}-rm:1`]), `Untagged: ${p}-rm:1\n`);
      assert.equal(await imageId(`${p}-rm:2`), id);
      const out = lines(await ok(["rmi", `${p}-rm:2`]));
      assert.equal(out[0], `Untagged: ${p}-rm:2`);
      assert.ok(out.includes(`Deleted: ${id}`), out.join("\n"));
      assert.match(await fails(["image", "inspect", id]), /No such image/);
      assert.match(await fails(["rmi", `${p}-rm:2`]), /No such image: /);
    });

    test("rmi of an image a container uses: 409 conflict, -f deletes it anyway", async () => {
      const id = await importImage(`${p}-rc:1`, ["LABEL dcc.rmi=2", 'CMD ["echo", "still runs"]']);
      const cid = (await ok(["create", "--name", n("rc"), `${p}-rc:1`])).trim();
      const conflict = await fails(["rmi", `${p}-rc:1`]);
      assert.match(conflict, new RegExp(`conflict: unable to remove repository reference "${p}-rc:1" \\(must force\\) - container ${cid.slice(0, 12)} is using its referenced image ${id.slice(7, 19)}`));
      const out = lines(await ok(["rmi", "-f", `${p}-rc:1`]));
      assert.equal(out[0], `Untagged: ${p}-rc:1`);
      assert.ok(out.includes(`Deleted: ${id}`), out.join("\n"));
      assert.match(await fails(["image", "inspect", id]), /No such image/);
      // The container keeps its root filesystem.
      const r = await docker(["start", "-a", n("rc")]);
      assert.deepEqual([r.code, r.stdout], [0, "still runs\n"], r.stderr);
      await ok(["rm", n("rc")]);
    });

    test("rmi -f cannot delete an image a running container uses", async () => {
      const id = await importImage(`${p}-rr:1`, ["LABEL dcc.rmi=3"]);
      const cid = (await ok(["run", "-d", "--name", n("rr"), `${p}-rr:1`, "sleep", "1000"])).trim();
      assert.match(
        await fails(["rmi", "-f", id]),
        new RegExp(`conflict: unable to delete ${id.slice(7, 19)} \\(cannot be forced\\) - image is being used by running container ${cid.slice(0, 12)}`),
      );
      assert.equal(await ok(["rmi", "-f", `${p}-rr:1`]), `Untagged: ${p}-rr:1\n`, "only the name goes");
      assert.equal(await imageId(id), id);
      await ok(["rm", "-f", n("rr")]);
      assert.ok(lines(await ok(["rmi", id])).includes(`Deleted: ${id}`));
    });
  });

  describe("history, import", () => {
    test("history of an imported image", async () => {
      const id = await importImage(`${p}-hi:1`, ["LABEL dcc.hist=1"]);
      const [size] = lines(await ok(["image", "inspect", "--format", "{{.Size}}", id]));
      const rows = lines(await ok(["history", "--format", "{{json .}}", `${p}-hi:1`])).map((l) => JSON.parse(l));
      assert.equal(rows.length, 1);
      assert.equal(rows[0].ID, id.slice(7, 19));
      assert.equal(rows[0].CreatedBy, "");
      assert.equal(rows[0].Comment, "Imported from -");
      assert.equal(await ok(["history", "-q", `${p}-hi:1`]), `${id.slice(7, 19)}\n`);
      assert.equal(await ok(["history", "-q", "--no-trunc", `${p}-hi:1`]), `${id}\n`);
      assert.equal(await ok(["history", "--human=false", "--format", "{{.Size}}", `${p}-hi:1`]), `${size}\n`);
      assert.match(await ok(["history", `${p}-hi:1`]), /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT\n/);
      assert.match(await fails(["history", `${p}-nosuch`]), /No such image/);
    });

    test("import from stdin and from a file, with --change and -m", async () => {
      const id = await importImage(`${p}-ip:1`, [
        "ENV A=b",
        "WORKDIR /w",
        'ENTRYPOINT ["/bin/echo"]',
        'CMD ["hi"]',
        "LABEL x=y",
        "USER nobody",
        "EXPOSE 8080/tcp",
      ]);
      const [i] = JSON.parse(await ok(["image", "inspect", id]));
      assert.deepEqual(i.RepoTags, [`${p}-ip:1`]);
      assert.deepEqual(i.Config.Env, ["A=b"]);
      assert.equal(i.Config.WorkingDir, "/w");
      assert.deepEqual(i.Config.Entrypoint, ["/bin/echo"]);
      assert.deepEqual(i.Config.Cmd, ["hi"]);
      assert.deepEqual(i.Config.Labels, { x: "y" });
      assert.equal(i.Config.User, "nobody");
      assert.deepEqual(i.Config.ExposedPorts, { "8080/tcp": {} });
      assert.ok(i.Size > 0);
      assert.equal(await ok(["run", "--rm", `${p}-ip:1`]), "hi\n");
      assert.equal(await ok(["run", "--rm", "--entrypoint", "sh", `${p}-ip:1`, "-c", "pwd; id -u; echo $A"]), "/w\n65534\nb\n");

      const file = path.join(tmp, "rootfs.tar");
      await writeFile(file, layer);
      const fromFile = (await ok(["import", "-m", "my message", file, `${p}-if:1`])).trim();
      assert.match(fromFile, /^sha256:[0-9a-f]{64}$/);
      createdImages.add(fromFile);
      assert.equal((await ok(["history", "--format", "{{.Comment}}", `${p}-if:1`])).trim(), "my message");
      assert.equal(await ok(["run", "--rm", `${p}-if:1`, "echo", "from file"]), "from file\n");
    });
  });

  describe("save and load", () => {
    test("docker save | docker load gives back the same image", async () => {
      const id = await importImage(`${p}-sl:1`, ["LABEL dcc.save=1", 'CMD ["echo", "loaded"]']);
      await ok(["tag", `${p}-sl:1`, `${p}-sl:2`]);
      const saved = await docker(["save", `${p}-sl:1`, `${p}-sl:2`]);
      assert.equal(saved.code, 0, saved.stderr);
      const { names, manifest } = await tarIndex(saved.raw);
      assert.ok(names.includes("manifest.json"), names.join(" "));
      const items = manifest as { Config: string; RepoTags: string[]; Layers: string[] }[];
      assert.equal(items.length, 1);
      assert.deepEqual([...items[0]!.RepoTags].sort(), [`${p}-sl:1`, `${p}-sl:2`]);
      assert.equal(items[0]!.Layers.length, 1);

      await ok(["rmi", `${p}-sl:1`, `${p}-sl:2`]);
      assert.match(await fails(["image", "inspect", id]), /No such image/);
      const loaded = await ok(["load"], { input: saved.raw });
      assert.deepEqual(lines(loaded).filter((l) => l.startsWith("Loaded image")).sort(), [`Loaded image: ${p}-sl:1`, `Loaded image: ${p}-sl:2`]);
      assert.equal(await imageId(`${p}-sl:1`), id);
      assert.equal(await imageId(`${p}-sl:2`), id);
      assert.equal(await ok(["run", "--rm", `${p}-sl:1`]), "loaded\n");

      // -o and -i, and loading over an existing image.
      const file = path.join(tmp, "saved.tar");
      await ok(["save", "-o", file, `${p}-sl:1`]);
      const one = (await tarIndex(await readFile(file))).manifest as { RepoTags: string[] }[];
      assert.deepEqual(one.map((m) => m.RepoTags), [[`${p}-sl:1`]]);
      assert.equal(await ok(["load", "-i", file]), `Loaded image: ${p}-sl:1\n`);
      assert.equal(await imageId(`${p}-sl:1`), id);
      // dockerd 20.10 says "reference does not exist", later ones "No such image".
      assert.match(await fails(["save", `${p}-nosuch:1`]), /No such image|reference does not exist/);

      // Several images in one archive, and an image saved by ID comes back without a name.
      const other = await importImage(`${p}-sl2:1`, ["LABEL dcc.save=2"]);
      const both = await docker(["save", `${p}-sl:1`, `${p}-sl2:1`]);
      assert.equal(both.code, 0, both.stderr);
      await ok(["rmi", `${p}-sl2:1`]);
      const again = lines(await ok(["load"], { input: both.raw }));
      // dockerd 20.10 writes the images of one archive in no set order.
      assert.deepEqual(again.filter((l) => l.startsWith("Loaded image")).sort(), [`Loaded image: ${p}-sl2:1`, `Loaded image: ${p}-sl:1`]);
      assert.equal(await imageId(`${p}-sl2:1`), other);
      const byId = await docker(["save", other]);
      await ok(["rmi", `${p}-sl2:1`]);
      assert.equal(await ok(["load"], { input: byId.raw }), `Loaded image ID: ${other}\n`);
      assert.equal(await imageId(other), other);
      assert.equal((await ok(["image", "inspect", "--format", "{{len .RepoTags}}", other])).trim(), "0");
      await ok(["rmi", `${p}-sl:1`, `${p}-sl:2`]);
    });
  });

  describe("events", () => {
    let since = "";
    let window: string[] = [];
    let imageId = "";
    before(async () => {
      since = new Date().toISOString();
      assert.equal((await docker(["run", "--rm", "--name", n("evc"), img, "sh", "-c", "exit 2"])).code, 2);
      await ok(["tag", img, `${p}-evt:1`]);
      await ok(["rmi", `${p}-evt:1`]);
      imageId = (await ok(["image", "inspect", "--format", "{{.Id}}", img])).trim();
      await sleep(20); // `until` must fall after the last event.
      window = ["--since", since, "--until", new Date().toISOString()];
    });

    test("--since/--until replay a container's life; --filter container, event", async () => {
      const container = lines(await ok(["events", ...window, "--filter", "type=container", "--filter", `container=${n("evc")}`, "--format", "{{json .}}"])).map((l) => JSON.parse(l));
      const actions = container.map((e) => e.Action);
      const expected = ["create", "start", "die", "destroy"];
      assert.deepEqual(actions.filter((a: string) => expected.includes(a)), expected, actions.join(" "));
      for (const e of container) {
        assert.equal(e.Type, "container");
        assert.equal(e.Actor.Attributes.name, n("evc"));
        assert.equal(e.Actor.Attributes.image, img);
        assert.match(e.Actor.ID, HEX64);
        assert.ok(e.timeNano >= Date.parse(since) * 1e6, "inside the window");
      }
      const die = lines(await ok(["events", ...window, "--filter", `container=${n("evc")}`, "--filter", "event=die", "--format", "{{.Action}} {{.Actor.Attributes.exitCode}}"]));
      assert.deepEqual(die, ["die 2"]);
      const before = await ok(["events", "--since", "2000-01-01T00:00:00Z", "--until", since, "--filter", `container=${n("evc")}`]);
      assert.equal(before, "", "nothing before the window");
    });

    test("a container's whole life, with its attributes", async () => {
      const t0 = new Date().toISOString();
      await ok(["run", "-d", "--name", n("evx"), img, "sh", "-c", `trap 'exit 0' TERM; ${idle}`]);
      await ok(["pause", n("evx")]);
      await ok(["unpause", n("evx")]);
      await ok(["rename", n("evx"), n("evy")]);
      await ok(["exec", n("evy"), "echo", "hi"]);
      await ok(["restart", n("evy")]);
      await ok(["stop", n("evy")]);
      await ok(["rm", n("evy")]);
      await sleep(20);
      const got = lines(await ok(["events", "--since", t0, "--until", new Date().toISOString(), "--filter", "type=container", "--filter", `container=${n("ev")}`, "--format", "{{.Action}}|{{.Actor.Attributes.name}}|{{index .Actor.Attributes \"oldName\"}}|{{index .Actor.Attributes \"signal\"}}|{{index .Actor.Attributes \"exitCode\"}}"]));
      const x = n("evx");
      const y = n("evy");
      assert.deepEqual(got, [
        `create|${x}|||`, `start|${x}|||`, `pause|${x}|||`, `unpause|${x}|||`, `rename|${y}|/${x}||`,
        `exec_create: echo hi|${y}|||`, `exec_start: echo hi|${y}|||`, `exec_die|${y}|||0`,
        `kill|${y}||15|`, `die|${y}|||0`, `stop|${y}|||`, `start|${y}|||`, `restart|${y}|||`,
        `kill|${y}||15|`, `die|${y}|||0`, `stop|${y}|||`, `destroy|${y}|||`,
      ]);
    });

    test("exec_create names a command without arguments as dockerd does", async () => {
      const t0 = new Date().toISOString();
      await ok(["run", "-d", "--name", n("eve"), img, "sleep", "1000"]);
      await ok(["exec", n("eve"), "true"]);
      await ok(["rm", "-f", n("eve")]);
      await sleep(20);
      const got = lines(await ok(["events", "--since", t0, "--until", new Date().toISOString(), "--filter", `container=${n("eve")}`, "--filter", "event=exec_create", "--format", "[{{.Action}}]"]));
      assert.deepEqual(got, ["[exec_create: true ]"]);
    });

    test("--filter type=image, image=", async () => {
      const image = lines(await ok(["events", ...window, "--filter", "type=image", "--filter", "event=tag", "--filter", `image=${p}-evt:1`, "--format", "{{.Action}} {{.Actor.Attributes.name}}"]));
      assert.deepEqual(image, [`tag ${p}-evt:1`]);
    });

    test("an untag event names the image by its ID, as dockerd does", async () => {
      const untag = lines(await ok(["events", ...window, "--filter", "type=image", "--filter", "event=untag", "--filter", `image=${imageId}`, "--format", "{{.Actor.ID}} {{.Actor.Attributes.name}}"]));
      assert.deepEqual(untag, [`${imageId} ${imageId}`]);
    });

    test("without --until, past events then live ones", async () => {
      const t0 = new Date().toISOString();
      await ok(["create", "--name", n("evl"), img, "true"]);
      const e = background(["events", "--since", t0, "--filter", `container=${n("evl")}`, "--format", "{{.Action}}"]);
      await eventually("the replayed create", async () => e.out().includes("create\n"));
      await ok(["start", n("evl")]);
      await eventually("start and die, live", async () => e.out().includes("die\n"));
      e.child.kill("SIGTERM");
      await e.closed;
      const seen = lines(e.out());
      assert.deepEqual(seen.filter((a) => ["create", "start", "die"].includes(a)), ["create", "start", "die"], seen.join(" "));
      await ok(["rm", n("evl")]);
    });
  });
});
