// The SDKs people drive Docker with, unchanged, against a private berthd:
// dockerode (push and pull through a registry the test starts, create, start,
// follow logs demultiplexed, exec with a hijacked stream and its exit code,
// list with filters, the events stream, stop, remove) and testcontainers-node
// (GenericContainer with a command, an exposed port, a log-message wait, exec,
// logs, stop; ryuk disabled, busybox found locally so nothing is pulled from
// Docker Hub). Set DOCKER_CLI_TEST_HOST=unix:///var/run/docker.sock to run the
// same assertions against a real dockerd (everything made is named after a
// random prefix and removed afterwards).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough, type Readable } from "node:stream";
import Docker from "dockerode";
import { GenericContainer, Wait } from "testcontainers";
import { serveRegistry } from "../../src/registry/server/serve.js";
import { startDaemon, type Daemon } from "./harness.js";
import { eventually, httpGet } from "./compose-fixtures.js";

const externalHost = process.env.DOCKER_CLI_TEST_HOST;

interface DockerEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}


/** Collects a stream's text as it arrives. */
function collect(stream: NodeJS.ReadableStream): { text: () => string; ended: Promise<void> } {
  let text = "";
  stream.on("data", (c: Buffer | string) => (text += c.toString()));
  const ended = new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", reject);
  });
  return { text: () => text, ended };
}

/** Docker's JSON-message stream of a pull or push, to its end; rejects on an error message. */
function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<Array<{ status?: string }>> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: Array<{ status?: string }>) => (err ? reject(err) : resolve(out)));
  });
}

/** A busybox shell that says `out` and `err`, then idles and exits 0 at once on SIGTERM. */
const IDLE = "trap 'exit 0' TERM; while :; do sleep 1 & wait $!; done";

describe("dockerode and testcontainers against berthd", () => {
  let d: Daemon | undefined;
  let socket = "";
  let dir = "";
  let docker: Docker;
  let registry: { url: string; close(): Promise<void> } | undefined;
  let ref = "";
  const p = `sdk${randomBytes(3).toString("hex")}`;
  let container: Docker.Container;
  let logs: { stdout: PassThrough; stderr: PassThrough; out: ReturnType<typeof collect>; err: ReturnType<typeof collect> };
  let events: { stream: NodeJS.ReadableStream; text: () => string };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "sdk-"));
    let host: string;
    if (externalHost) host = externalHost;
    else {
      d = await startDaemon();
      host = d.host;
    }
    socket = host.replace(/^unix:\/\//, "");
    docker = new Docker({ socketPath: socket });
    registry = await serveRegistry({ addr: "127.0.0.1:0", root: path.join(dir, "registry"), log: () => undefined });
    ref = `${new URL(registry.url).host}/${p}/busybox:1`;
    // testcontainers reads its configuration from the environment when it first needs a client.
    process.env.DOCKER_HOST = host;
    process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
  });

  after(async () => {
    if (docker) {
      const left = await docker.listContainers({ all: true, filters: { label: [`sdk=${p}`] } }).catch(() => []);
      for (const c of left) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
    }
    await registry?.close();
    await d?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("dockerode: push to the test's registry, remove, pull back", async () => {
    const [repo, tag] = [ref.slice(0, ref.lastIndexOf(":")), ref.slice(ref.lastIndexOf(":") + 1)];
    await docker.getImage("busybox:latest").tag({ repo, tag });
    const pushed = await followProgress(docker, await docker.getImage(ref).push({ authconfig: {} }));
    assert.ok(pushed.some((m) => /digest: sha256:[0-9a-f]{64}/.test(m.status ?? "")), JSON.stringify(pushed));
    await docker.getImage(ref).remove();
    await assert.rejects(docker.getImage(ref).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
    const pulled = await followProgress(docker, await docker.pull(ref));
    assert.ok(pulled.some((m) => /Downloaded newer image for/.test(m.status ?? "")), JSON.stringify(pulled));
    const image = await docker.getImage(ref).inspect();
    assert.ok(image.RepoTags.includes(ref));
  });

  test("dockerode: create and start; logs follow, demultiplexed into stdout and stderr", async () => {
    container = await docker.createContainer({
      name: `${p}-c`,
      Image: ref,
      Cmd: ["sh", "-c", `echo to stdout; echo to stderr >&2; ${IDLE}`],
      Labels: { sdk: p },
    });
    await container.start();
    const info = await container.inspect();
    assert.equal(info.State.Running, true);
    assert.equal(info.Name, `/${p}-c`);

    const stream = await container.logs({ follow: true, stdout: true, stderr: true });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    docker.modem.demuxStream(stream, stdout, stderr);
    stream.on("end", () => {
      stdout.end();
      stderr.end();
    });
    logs = { stdout, stderr, out: collect(stdout), err: collect(stderr) };
    await eventually("both log lines", async () => logs.out.text() === "to stdout\n" && logs.err.text() === "to stderr\n");
  });

  test("dockerode: exec over a hijacked stream, its output and exit code from exec.inspect()", async () => {
    const exec = await container.exec({ Cmd: ["sh", "-c", "echo exec out; echo exec err >&2; exit 7"], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = new PassThrough();
    const err = new PassThrough();
    docker.modem.demuxStream(stream, out, err);
    const o = collect(out);
    const e = collect(err);
    await new Promise<void>((resolve, reject) => {
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    assert.equal(o.text(), "exec out\n");
    assert.equal(e.text(), "exec err\n");
    const state = await eventually("the exec to be over", async () => {
      const s = await exec.inspect();
      return s.Running ? undefined : s;
    });
    assert.equal(state.ExitCode, 7);

    // stdin through the same hijacked connection.
    const cat = await container.exec({ Cmd: ["cat"], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const duplex = await cat.start({ hijack: true, stdin: true });
    const catOut = new PassThrough();
    docker.modem.demuxStream(duplex, catOut, new PassThrough());
    const c = collect(catOut);
    (duplex as unknown as NodeJS.WritableStream).write("through stdin\n");
    await eventually("cat to echo stdin", async () => c.text() === "through stdin\n");
    (duplex as unknown as { end(): void }).end();
    assert.equal((await eventually("cat to end", async () => {
      const s = await cat.inspect();
      return s.Running ? undefined : s;
    })).ExitCode, 0);
  });

  test("dockerode: listContainers with filters", async () => {
    const running = await docker.listContainers({ all: true, filters: { label: [`sdk=${p}`], status: ["running"] } });
    assert.deepEqual(running.map((c) => c.Names[0]), [`/${p}-c`]);
    assert.equal(running[0]!.Image, ref);
    assert.equal(running[0]!.Labels.sdk, p);
    assert.deepEqual(await docker.listContainers({ all: true, filters: { label: [`sdk=${p}`], status: ["exited"] } }), []);
    assert.deepEqual(await docker.listContainers({ all: true, filters: { name: [`${p}-nothing`] } }), []);
  });

  test("dockerode: stop shows in the events stream and ends the log stream; remove deletes the container", async () => {
    const stream = await docker.getEvents({ filters: { container: [container.id], type: ["container"] } });
    events = { stream, ...collect(stream) };
    await container.stop({ t: 5 });
    const seen = await eventually("die and stop events", async () => {
      const list = events.text().split("\n").filter(Boolean).map((l) => JSON.parse(l) as DockerEvent);
      const actions = list.map((e) => e.Action);
      return actions.includes("die") && actions.includes("stop") ? list : undefined;
    });
    const die = seen.find((e) => e.Action === "die")!;
    assert.equal(die.Actor.ID, container.id);
    assert.equal(die.Actor.Attributes.exitCode, "0");
    assert.equal(die.Actor.Attributes.name, `${p}-c`);
    assert.ok(seen.every((e) => e.Type === "container" && e.Actor.ID === container.id));
    (stream as unknown as Readable).destroy();

    await logs.out.ended;
    assert.equal((await container.inspect()).State.Status, "exited");
    await container.remove();
    await assert.rejects(container.inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
  });

  test("testcontainers: GenericContainer with a command, an exposed port and a log wait; exec, logs, stop", async () => {
    const started = await new GenericContainer("busybox:latest")
      .withCommand(["sh", "-c", `mkdir /www; echo served by testcontainers > /www/index.html; httpd -p 8080 -h /www; echo ready to serve; ${IDLE}`])
      .withExposedPorts(8080)
      .withLabels({ sdk: p })
      .withWaitStrategy(Wait.forLogMessage("ready to serve"))
      .start();
    const id = started.getId();
    try {
      // The container is on this engine (testcontainers found it through DOCKER_HOST).
      assert.equal((await docker.getContainer(id).inspect()).State.Running, true);
      const port = started.getMappedPort(8080);
      assert.ok(port > 0);
      assert.equal(await httpGet(`http://127.0.0.1:${port}/`), "served by testcontainers\n");

      const r = await started.exec(["sh", "-c", "echo tc out; echo tc err >&2; exit 2"]);
      assert.equal(r.exitCode, 2);
      assert.equal(r.stdout, "tc out\n");
      assert.equal(r.stderr, "tc err\n");

      const stream = await started.logs();
      const l = collect(stream);
      await eventually("the container's log", async () => l.text().includes("ready to serve"));
      stream.destroy();
    } finally {
      await started.stop();
    }
    await assert.rejects(docker.getContainer(id).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
  });
});
