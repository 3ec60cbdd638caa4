// cp, diff, export and commit, each scenario run through every client: the
// real docker CLI against a private berthd (skipped, loudly, without one) and
// berth itself (alias docker=berth). The assertions were checked against
// dockerd 20.10: set DOCKER_CLI_TEST_HOST=unix:///var/run/docker.sock to run
// the docker-CLI half against one (it needs busybox:latest there, the rootfs
// of scripts/busybox-rootfs.sh; what the test makes is named after a random
// prefix and removed), and DOCKER_CLI_TEST_BIN to pick the docker client.
// Symlinks in the container pointing at "/", ".." and host paths must never
// lead a copy onto the host.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import tar from "tar-stream";
import { berthBin, startDaemon, type Daemon } from "./harness.js";

const dockerPath = process.env.DOCKER_CLI_TEST_BIN || spawnSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).stdout.trim();
const externalHost = process.env.DOCKER_CLI_TEST_HOST;
if (!dockerPath) console.warn("SKIPPING the docker CLI half of the container-fs tests: no docker client installed (apt-get install docker.io)");
if (externalHost) console.warn(`SKIPPING the berth half of the container-fs tests: the docker CLI runs against ${externalHost}`);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  raw: Buffer;
}
type Client = (args: string[], input?: Buffer) => Promise<Run>;

function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      const raw = Buffer.concat(out);
      resolve({ code: code ?? -1, stdout: raw.toString(), stderr: Buffer.concat(err).toString(), raw });
    });
    child.stdin.end(input);
  });
}

async function tarNames(data: Buffer): Promise<string[]> {
  const names: string[] = [];
  const x = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    x.on("entry", (h, stream, next) => {
      names.push(h.name);
      stream.on("end", next);
      stream.resume();
    });
    x.on("finish", resolve);
    x.on("error", reject);
  });
  x.end(data);
  await done;
  return names;
}

async function tarOf(entries: Array<{ name: string; body?: string; type?: "file" | "directory" }>): Promise<Buffer> {
  const p = tar.pack();
  for (const e of entries) p.entry({ name: e.name, type: e.type ?? "file" }, e.body ?? "");
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

let d: Daemon | undefined;
let work: string;
const clients: Array<{ name: string; run: Client }> = [];
const prefix = `fs${randomBytes(3).toString("hex")}`;

before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "berth-fs-"));
  if (externalHost) {
    if (dockerPath) clients.push({ name: "docker", run: (args, input) => runProcess(dockerPath, args, { ...process.env, DOCKER_HOST: externalHost }, input) });
    return;
  }
  const daemon = await startDaemon();
  d = daemon;
  if (dockerPath) clients.push({ name: "docker", run: (args, input) => runProcess(dockerPath, args, { ...process.env, DOCKER_HOST: daemon.host }, input) });
  // Run directly rather than through d.berth, whose output is text: export and cp - send tars.
  clients.push({ name: "berth", run: (args, input) => runProcess(process.execPath, ["--", berthBin, "-H", daemon.host, ...args], process.env, input) });
});

after(async () => {
  // A shared daemon keeps everything else: remove exactly what this file made.
  const docker = externalHost ? clients.find((x) => x.name === "docker") : undefined;
  if (docker) {
    await docker.run(["rm", "-f", `${prefix}-docker`]);
    await docker.run(["rmi", `${prefix}-docker-img:t1`]);
  }
  await d?.destroy();
  if (work) await rm(work, { recursive: true, force: true });
});

// The container: a file, a directory, links to "/", "..", a host-looking path, a deletion, a change.
const setup =
  "mkdir -p /d/sub && echo hi > /d/f && echo s > /d/sub/s && ln -s s /d/sub/link && ln -s / /d/root && ln -s ../.. /d/up && ln -s /etc /d/etc && " +
  "rm /bin/vi && echo x >> /etc/passwd && while :; do sleep 1 & wait $!; done";

for (const flavour of ["docker", "berth"] as const) {
  const skip = flavour === "docker" ? !dockerPath && "no docker client" : !!externalHost && "berth runs against berthd only";
  describe(`container filesystem through ${flavour}`, { skip }, () => {
    let c: Client;
    let ctr: string;
    let dir: string;
    before(async () => {
      c = clients.find((x) => x.name === flavour)!.run;
      ctr = `${prefix}-${flavour}`;
      dir = path.join(work, flavour);
      await mkdir(dir);
      const r = await c(["run", "-d", "--name", ctr, "busybox", "sh", "-c", setup]);
      assert.equal(r.code, 0, r.stderr);
      for (let i = 0; i < 100 && (await c(["exec", ctr, "test", "-e", "/d/etc"])).code !== 0; i++) await new Promise((res) => setTimeout(res, 50));
    });

    test("diff lists additions, changes and deletions as dockerd", async () => {
      const r = await c(["diff", ctr]);
      assert.equal(r.code, 0, r.stderr);
      const got = r.stdout.split("\n").filter(Boolean).sort();
      assert.deepEqual(got, ["A /d", "A /d/etc", "A /d/f", "A /d/root", "A /d/sub", "A /d/sub/link", "A /d/sub/s", "A /d/up", "C /bin", "C /etc", "C /etc/passwd", "D /bin/vi"].sort());
    });

    test("cp from the container: a directory, its contents, a file, a tar on stdout", async () => {
      // /d itself holds links out of it (/d/up → ../..), which the docker CLI refuses to extract locally.
      const r = await c(["cp", `${ctr}:/d/sub`, path.join(dir, "copy")]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((await readdir(path.join(dir, "copy"))).sort(), ["link", "s"]);
      assert.equal(await readFile(path.join(dir, "copy", "link"), "utf8"), "s\n");
      await mkdir(path.join(dir, "contents"));
      assert.equal((await c(["cp", `${ctr}:/d/sub/.`, path.join(dir, "contents")])).code, 0);
      assert.deepEqual((await readdir(path.join(dir, "contents"))).sort(), ["link", "s"]);
      await mkdir(path.join(dir, "into"));
      assert.equal((await c(["cp", `${ctr}:/d/f`, path.join(dir, "into")])).code, 0);
      assert.equal(await readFile(path.join(dir, "into", "f"), "utf8"), "hi\n");
      const piped = await c(["cp", `${ctr}:/d`, "-"]);
      assert.equal(piped.code, 0);
      assert.deepEqual((await tarNames(piped.raw)).sort(), ["d/", "d/etc", "d/f", "d/root", "d/sub/", "d/sub/link", "d/sub/s", "d/up"]);
    });

    test("cp of a missing path fails with dockerd's words", async () => {
      const r = await c(["cp", `${ctr}:/nope`, path.join(dir, "nope")]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`Error response from daemon: Could not find the file /nope in container ${ctr}`));
    });

    test("cp through symlinks to / and .. stays in the container", async () => {
      // Reading through /d/etc (→ /etc) gives the container's hostname file, not the host's.
      assert.equal((await c(["cp", `${ctr}:/d/root/etc/hostname`, path.join(dir, "hostname")])).code, 0);
      const inspect = JSON.parse((await c(["inspect", ctr])).stdout) as Array<{ Config: { Hostname: string } }>;
      assert.equal((await readFile(path.join(dir, "hostname"), "utf8")).trim(), inspect[0]!.Config.Hostname);
      // Writing through them lands in the container's /tmp, never the host's.
      const marker = `${prefix}-${flavour}-marker`;
      await writeFile(path.join(dir, marker), "inside\n");
      for (const via of ["/d/root/tmp/", "/d/up/tmp/", "/d/up/../../tmp/"]) {
        const r = await c(["cp", path.join(dir, marker), `${ctr}:${via}`]);
        assert.equal(r.code, 0, `${via}: ${r.stderr}`);
      }
      assert.equal(existsSync(`/tmp/${marker}`), false);
      assert.equal((await c(["exec", ctr, "cat", `/tmp/${marker}`])).stdout, "inside\n");
      // -L follows the link inside the container.
      assert.equal((await c(["cp", "-L", `${ctr}:/d/etc`, path.join(dir, "etc-copy")])).code, 0);
      assert.ok(existsSync(path.join(dir, "etc-copy", "passwd")));
    });

    test("cp into the container: a file, a directory to a new path, a tar from stdin; a file where a directory is asked for fails", async () => {
      await writeFile(path.join(dir, "one.txt"), "1\n");
      assert.equal((await c(["cp", path.join(dir, "one.txt"), `${ctr}:/d/sub/renamed.txt`])).code, 0);
      assert.equal((await c(["exec", ctr, "cat", "/d/sub/renamed.txt"])).stdout, "1\n");
      await mkdir(path.join(dir, "tree", "a"), { recursive: true });
      await writeFile(path.join(dir, "tree", "a", "b"), "b\n");
      assert.equal((await c(["cp", path.join(dir, "tree"), `${ctr}:/newtree`])).code, 0);
      assert.equal((await c(["exec", ctr, "cat", "/newtree/a/b"])).stdout, "b\n");
      assert.equal((await c(["cp", "-", `${ctr}:/d`], await tarOf([{ name: "fromstdin", body: "s\n" }]))).code, 0);
      assert.equal((await c(["exec", ctr, "cat", "/d/fromstdin"])).stdout, "s\n");
      // A trailing "/" asks for a directory, which a file is not.
      const clash = await c(["cp", path.join(dir, "one.txt"), `${ctr}:/d/sub/../sub/renamed.txt/`]);
      assert.notEqual(clash.code, 0);
    });

    test("archive names are cleaned into the container as dockerd cleans them; one landing outside the destination is refused", async () => {
      const escape = `${prefix}-${flavour}-escape`;
      // ".." stops at the container's root, as in dockerd's chroot: this one lands in the container's /tmp.
      const clamped = await tarOf([{ name: `../../../../../../tmp/${escape}`, body: "in\n" }]);
      const r = await c(["cp", "-", `${ctr}:/d/root/tmp`], clamped);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await c(["exec", ctr, "cat", `/tmp/${escape}`])).stdout, "in\n");
      // This one would land in /, outside the destination.
      const outside = `../../../../../../${escape}-out`;
      const refused = await c(["cp", "-", `${ctr}:/d/root/tmp`], await tarOf([{ name: outside, body: "out\n" }]));
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp(`Error response from daemon: Error processing tar file\\(exit status 1\\): "${outside.replace(/\./g, "\\.")}" is outside of "/tmp"`));
      assert.equal((await c(["exec", ctr, "test", "-e", `/${escape}-out`])).code, 1);
      for (const host of [`/tmp/${escape}`, `/${escape}-out`]) assert.equal(existsSync(host), false);
    });

    test("export holds the image and the changes", async () => {
      const r = await c(["export", ctr]);
      assert.equal(r.code, 0, r.stderr);
      const names = await tarNames(r.raw);
      assert.ok(names.includes("bin/busybox"));
      assert.ok(names.includes("d/f"));
      assert.ok(!names.includes("bin/vi"));
      const out = path.join(dir, "export.tar");
      assert.equal((await c(["export", "-o", out, ctr])).code, 0);
      assert.ok((await tarNames(await readFile(out))).includes("d/f"));
    });

    test("commit makes an image of the changes with -c, -m and -a", async () => {
      const image = `${prefix}-${flavour}-img:t1`;
      const r = await c(["commit", "-a", "me <me@example.com>", "-m", "a message", "-c", "ENV FOO=bar", ctr, image]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
      const run = await c(["run", "--rm", image, "sh", "-c", "cat /d/f; echo $FOO; test -e /bin/vi || echo novi"]);
      assert.equal(run.stdout, "hi\nbar\nnovi\n");
      const info = JSON.parse((await c(["image", "inspect", image])).stdout) as Array<{ Comment: string; Author: string; Container: string }>;
      assert.equal(info[0]!.Comment, "a message");
      assert.equal(info[0]!.Author, "me <me@example.com>");
      // The container kept running (it was only frozen while read).
      assert.equal((await c(["inspect", "-f", "{{.State.Status}}", ctr])).stdout.trim(), "running");
      assert.equal((await c(["rmi", image])).code, 0);
    });

    test("cp works on a stopped container", async () => {
      assert.equal((await c(["stop", "-t", "1", ctr])).code, 0);
      assert.equal((await c(["cp", `${ctr}:/d/f`, path.join(dir, "stopped-f")])).code, 0);
      assert.equal(await readFile(path.join(dir, "stopped-f"), "utf8"), "hi\n");
      await writeFile(path.join(dir, "late"), "late\n");
      assert.equal((await c(["cp", path.join(dir, "late"), `${ctr}:/d/late`])).code, 0);
      // Written to the container's layer, not to a mount that went away with the copy.
      assert.equal((await c(["diff", ctr])).stdout.includes("A /d/late\n"), true);
      assert.deepEqual(await tarNames((await c(["cp", `${ctr}:/d/late`, "-"])).raw), ["late"]);
    });
  });
}
