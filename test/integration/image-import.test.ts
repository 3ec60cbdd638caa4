// berth import through a private daemon: from a file, from stdin and from a
// URL the daemon fetches (a server on 127.0.0.1 started here), with --change
// instructions. The expected configs are what dockerd made of the same
// commands (`docker image inspect` Config).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import zlib from "node:zlib";
import { busyboxTar, startDaemon, type Daemon } from "./harness.js";

describe("image import", () => {
  let d: Daemon;
  let tmp: string;
  let rootfs: Buffer;
  let rootfsFile: string;
  let server: http.Server;
  let base: string;
  const requests: string[] = [];

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "berth-image-import-"));
    rootfs = await busyboxTar();
    rootfsFile = path.join(tmp, "rootfs.tar");
    await fs.writeFile(rootfsFile, rootfs);
    d = await startDaemon({ busybox: false });
    server = http.createServer((req, res) => {
      requests.push(req.url ?? "");
      if (req.url === "/rootfs.tar") res.writeHead(200, { "Content-Type": "application/x-tar" }).end(rootfs);
      else if (req.url === "/rootfs.tar.gz") res.writeHead(200).end(zlib.gzipSync(rootfs));
      else res.writeHead(404, { "Content-Type": "text/plain" }).end("no such file\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await d?.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  const inspect = async (ref: string, format: string): Promise<string> => {
    const r = await d.berth(["image", "inspect", "--format", format, ref]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };

  it("imports a file and names the result", async () => {
    const r = await d.berth(["import", rootfsFile, "imp-file:1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
    assert.equal(await inspect("imp-file:1", "{{.Id}}"), r.stdout.trim());
    assert.equal(await inspect("imp-file:1", "{{.Comment}} {{.Os}} {{json .Config.Cmd}}"), "Imported from - linux null");
    const run = await d.berth(["run", "--rm", "imp-file:1", "/bin/echo", "from file"]);
    assert.equal(run.stdout, "from file\n", run.stderr);
  });

  it("imports stdin (gzip too) with a message; without a name the image is dangling", async () => {
    const r = await d.berth(["import", "-m", "my message", "-"], { input: zlib.gzipSync(rootfs) });
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    assert.equal(await inspect(id, "{{.Comment}} {{len .RepoTags}}"), "my message 0");
    const history = await d.berth(["history", "--format", "{{.Comment}}", id]);
    assert.equal(history.stdout, "my message\n");
    const dangling = await d.berth(["images", "--filter", "dangling=true", "--no-trunc", "-q"]);
    assert.equal(dangling.stdout, `${id}\n`);
    const rmi = await d.berth(["rmi", id]);
    assert.equal(rmi.code, 0, rmi.stderr);
  });

  it("imports from a URL the daemon downloads", async () => {
    const r = await d.berth(["import", "--change", 'CMD ["sh"]', `${base}/rootfs.tar.gz`, "imp-url:1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Downloading from ${base}/rootfs.tar.gz\nsha256:[0-9a-f]{64}\n$`));
    assert.ok(requests.includes("/rootfs.tar.gz"));
    // The layer was there already (from the file import): the gzip blob it came as is not kept.
    const blobs = await fs.readdir(path.join(d.dataRoot, "content", "blobs", "sha256"));
    assert.equal(blobs.length, 3, `two configs and one layer: ${blobs.join(" ")}`);
    const run = await d.berth(["run", "--rm", "imp-url:1", "echo", "from url"]);
    assert.equal(run.stdout, "from url\n", run.stderr);
  });

  it("comments a URL import with its URL, as dockerd does", async () => {
    await d.berth(["import", `${base}/rootfs.tar`, "imp-url:2"]);
    assert.equal(await inspect("imp-url:2", "{{.Comment}}"), `Imported from ${base}/rootfs.tar`);
  });

  it("reports a URL that fails, and keeps nothing", async () => {
    const before = (await fs.readdir(path.join(d.dataRoot, "content", "blobs", "sha256"))).sort();
    const r = await d.berth(["import", `${base}/missing.tar`, "imp-url:3"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Error response from daemon: failed to GET ${base}/missing.tar with status 404 Not Found: no such file\n`);
    const notTar = await d.berth(["import", "-", "imp-bad:1"], { input: Buffer.from("not a tarball at all\n".repeat(40)) });
    assert.equal(notTar.code, 1);
    assert.deepEqual((await fs.readdir(path.join(d.dataRoot, "content", "blobs", "sha256"))).sort(), before);
  });

  it("applies every --change instruction as dockerd does", async () => {
    const changes = [
      "ENV A=1",
      'ENV B=$A-x C="two words" PATH=/usr/bin:/bin',
      "LABEL l=$A \"m\"=\"$A x\"",
      "WORKDIR /w$A",
      "WORKDIR sub",
      "USER nobody:nogroup",
      "EXPOSE 80 53/udp 8000-8001",
      "VOLUME /data",
      'VOLUME ["/logs"]',
      "STOPSIGNAL SIGINT",
      'ENTRYPOINT ["/bin/sh", "-c"]',
      'CMD ["echo $B $C"]',
      "ONBUILD RUN echo hi",
      "HEALTHCHECK --interval=5s --retries=3 CMD true",
    ];
    const r = await d.berth(["import", ...changes.flatMap((c) => ["--change", c]), rootfsFile, "imp-change:1"]);
    assert.equal(r.code, 0, r.stderr);
    const config = JSON.parse(await inspect("imp-change:1", "{{json .Config}}")) as Record<string, unknown>;
    assert.deepEqual(config, {
      Hostname: "",
      Domainname: "",
      User: "nobody:nogroup",
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: { "80/tcp": {}, "53/udp": {}, "8000/tcp": {}, "8001/tcp": {} },
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: ["A=1", "B=1-x", "C=two words", "PATH=/usr/bin:/bin"],
      Cmd: ["echo $B $C"],
      Healthcheck: { Test: ["CMD-SHELL", "true"], Interval: 5e9, Retries: 3 },
      Image: "",
      Volumes: { "/data": {}, "/logs": {} },
      WorkingDir: "/w1/sub",
      Entrypoint: ["/bin/sh", "-c"],
      OnBuild: ["RUN echo hi"],
      Labels: { l: "1", m: "1 x" },
      StopSignal: "SIGINT",
    });
    const run = await d.berth(["run", "--rm", "--user", "root", "imp-change:1"]);
    assert.equal(run.stdout, "1-x two words\n", run.stderr);
  });

  it("refuses changes dockerd refuses, with its words", async () => {
    const cases: [string, string][] = [
      ["RUN echo hi", "run is not a valid change command"],
      ["WORKDIR $NOPE", "cannot normalize nothing"],
      ["EXPOSE 70000", "invalid containerPort: 70000"],
      ["ENV A", "ENV must have two arguments"],
      ["HEALTHCHECK --bogus=1 CMD true", "Unknown flag: bogus"],
    ];
    for (const [change, message] of cases) {
      const r = await d.berth(["import", "--change", change, rootfsFile, "imp-refused:1"]);
      assert.equal(r.code, 1, change);
      assert.equal(r.stderr, `Error response from daemon: ${message}\n`, change);
    }
    assert.equal((await d.berth(["image", "inspect", "imp-refused:1"])).code, 1);
  });
});
