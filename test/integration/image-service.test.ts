// The image service over the real vfs snapshotter and tar applier: import a
// busybox rootfs, name and inspect it, save it, load it elsewhere, remove it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { applyLayer } from "../../src/archive/apply.js";
import { createContentStore } from "../../src/content/local.js";
import { ConflictError, InvalidArgumentError, NotFoundError } from "../../src/errors.js";
import type { ImageService } from "../../src/image/image-service.js";
import { createImageService } from "../../src/image/local-image-service.js";
import { chainIds, digestOf } from "../../src/oci/digest.js";
import type { JSONMessage } from "../../src/api/types/index.js";
import { createVfsSnapshotter } from "../../src/snapshot/vfs.js";
import type { Snapshotter } from "../../src/snapshot/snapshotter.js";
import { openDatabase, type DB } from "../../src/store/db.js";

interface Engine {
  root: string;
  db: DB;
  service: ImageService;
  snapshotter: Snapshotter;
}

async function engine(base: string, name: string): Promise<Engine> {
  const root = path.join(base, name);
  await fs.mkdir(root, { recursive: true });
  const db = openDatabase(path.join(root, "berth.db"));
  const content = createContentStore(path.join(root, "content"));
  const snapshotter = createVfsSnapshotter(path.join(root, "vfs"), db);
  return { root, db, snapshotter, service: createImageService({ db, content, snapshotter, applyLayer }) };
}

async function toBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const noContainers = (): { id: string; running: boolean }[] => [];

describe("image service (vfs)", () => {
  let base: string;
  let a: Engine;
  let b: Engine;
  let rootfsTgz: string;
  let imageId: string;
  let saved: string;

  before(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), "berth-image-"));
    const rootfs = path.join(base, "rootfs");
    await fs.mkdir(path.join(rootfs, "bin"), { recursive: true });
    await fs.copyFile("/bin/busybox", path.join(rootfs, "bin", "busybox"));
    await fs.chmod(path.join(rootfs, "bin", "busybox"), 0o755);
    const applets = execFileSync("/bin/busybox", ["--list"], { encoding: "utf8" }).split("\n").filter(Boolean);
    for (const applet of applets) {
      if (applet !== "busybox") await fs.symlink("busybox", path.join(rootfs, "bin", applet));
    }
    await fs.mkdir(path.join(rootfs, "etc"));
    await fs.writeFile(path.join(rootfs, "etc", "hostname"), "berth\n");
    rootfsTgz = path.join(base, "rootfs.tar.gz");
    execFileSync("tar", ["-C", rootfs, "-czf", rootfsTgz, "."]);
    a = await engine(base, "a");
    b = await engine(base, "b");
  });

  after(async () => {
    a?.db.close();
    b?.db.close();
    await fs.rm(base, { recursive: true, force: true });
  });

  it("imports a gzip rootfs with --change instructions", async () => {
    imageId = await a.service.import(createReadStream(rootfsTgz), {
      reference: "busybox:latest",
      changes: ['CMD ["sh"]', "ENV A=1", "WORKDIR /tmp", "LABEL org.example=yes"],
    });
    assert.match(imageId, /^sha256:[a-f0-9]{64}$/);
    const rec = await a.service.resolve("busybox");
    assert.equal(rec.id, imageId);
    assert.equal(rec.chainIds.length, 1);
    assert.equal(rec.id, digestOf(await toBuffer(await createContentStore(path.join(a.root, "content")).read(imageId))));
    const inspect = await a.service.inspect("busybox:latest");
    assert.deepEqual(inspect.RepoTags, ["busybox:latest"]);
    assert.deepEqual(inspect.Config?.Cmd, ["sh"]);
    assert.deepEqual(inspect.Config?.Env, ["A=1"]);
    assert.equal(inspect.Config?.WorkingDir, "/tmp");
    assert.equal(inspect.Os, "linux");
    assert.equal(inspect.Architecture, process.arch === "x64" ? "amd64" : process.arch);
    assert.equal(inspect.RootFS?.Layers?.length, 1);
    assert.deepEqual(chainIds(inspect.RootFS!.Layers!), rec.chainIds);
    assert.ok((inspect.Size ?? 0) > 500_000, `size ${inspect.Size}`);
    assert.equal(inspect.GraphDriver?.Name, "vfs");
  });

  it("resolves full, short and sha256:-prefixed IDs", async () => {
    const hex = imageId.slice(7);
    for (const q of [imageId, hex, hex.slice(0, 12), hex.slice(0, 3), `sha256:${hex.slice(0, 8)}`]) {
      assert.equal((await a.service.resolve(q)).id, imageId, q);
    }
    await assert.rejects(a.service.resolve("nosuch"), (e: unknown) => {
      return e instanceof NotFoundError && e.message === "No such image: nosuch:latest";
    });
  });

  it("tags and lists with filters", async () => {
    await a.service.tag("busybox", "myrepo/bb:v1");
    await assert.rejects(a.service.tag("busybox", `x@${digestOf("x")}`), InvalidArgumentError);
    const all = await a.service.list({});
    assert.equal(all.length, 1);
    assert.deepEqual(all[0]!.RepoTags.sort(), ["busybox:latest", "myrepo/bb:v1"]);
    assert.deepEqual(all[0]!.Labels, { "org.example": "yes" });
    const filtered = await a.service.list({ filters: new Map([["reference", ["busy*"]]]) });
    assert.deepEqual(filtered[0]!.RepoTags, ["busybox:latest"]);
    assert.equal((await a.service.list({ filters: new Map([["reference", ["alpine"]]]) })).length, 0);
    assert.equal((await a.service.list({ filters: new Map([["label", ["org.example=yes"]]]) })).length, 1);
    assert.equal((await a.service.list({ filters: new Map([["label", ["org.example=no"]]]) })).length, 0);
    assert.equal((await a.service.list({ filters: new Map([["dangling", ["true"]]]) })).length, 0);
    await assert.rejects(a.service.list({ filters: new Map([["bogus", ["1"]]]) }), /invalid filter 'bogus'/);
  });

  it("shows history newest first", async () => {
    const history = await a.service.history("busybox");
    assert.equal(history.length, 1);
    assert.equal(history[0]!.Id, imageId);
    assert.equal(history[0]!.Comment, "Imported from -");
    assert.ok(history[0]!.Size > 0);
    assert.deepEqual(history[0]!.Tags.sort(), ["busybox:latest", "myrepo/bb:v1"]);
  });

  it("refuses to delete an image named in several repositories by ID", async () => {
    await assert.rejects(a.service.remove(imageId.slice(7, 19), { usedBy: noContainers }), (e: unknown) => {
      assert.ok(e instanceof ConflictError);
      assert.equal(
        e.message,
        `conflict: unable to delete ${imageId.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
      );
      return true;
    });
    assert.deepEqual(await a.service.remove("myrepo/bb:v1", { usedBy: noContainers }), [{ Untagged: "myrepo/bb:v1" }]);
  });

  it("saves a docker-archive in the Docker 25 layout", async () => {
    saved = path.join(base, "busybox.tar");
    await fs.writeFile(saved, await toBuffer(await a.service.save(["busybox"])));
    const names = execFileSync("tar", ["-tf", saved], { encoding: "utf8" }).split("\n").filter(Boolean);
    for (const n of ["index.json", "manifest.json", "oci-layout", "repositories", `blobs/sha256/${imageId.slice(7)}`]) {
      assert.ok(names.includes(n), `${n} in ${names.join(" ")}`);
    }
    const manifest = JSON.parse(execFileSync("tar", ["-xOf", saved, "manifest.json"], { encoding: "utf8" }));
    assert.equal(manifest.length, 1);
    assert.equal(manifest[0].Config, `blobs/sha256/${imageId.slice(7)}`);
    assert.deepEqual(manifest[0].RepoTags, ["busybox:latest"]);
    const diffId = (await a.service.inspect("busybox")).RootFS!.Layers![0]!;
    assert.deepEqual(manifest[0].Layers, [`blobs/sha256/${diffId.slice(7)}`]);
    const layer = execFileSync("tar", ["-xOf", saved, manifest[0].Layers[0]], { maxBuffer: 64 << 20 });
    assert.equal(digestOf(layer), diffId, "layer saved uncompressed, named by its DiffID");
    const repos = JSON.parse(execFileSync("tar", ["-xOf", saved, "repositories"], { encoding: "utf8" }));
    assert.deepEqual(repos, { busybox: { latest: diffId.slice(7) } });
    const index = JSON.parse(execFileSync("tar", ["-xOf", saved, "index.json"], { encoding: "utf8" }));
    assert.equal(index.manifests[0].annotations["io.containerd.image.name"], "docker.io/library/busybox:latest");
  });

  it("loads the archive into another engine with the same image ID", async () => {
    const messages: JSONMessage[] = [];
    await b.service.load(createReadStream(saved), (m) => messages.push(m));
    assert.deepEqual(messages, [{ stream: "Loaded image: busybox:latest\n" }]);
    assert.equal((await b.service.resolve("busybox:latest")).id, imageId);
    const mounts = await b.service.prepareContainerRootfs(imageId, "ctr-b");
    assert.ok(mounts.length > 0);
    const hostname = await fs.readFile(path.join(b.snapshotter.writableDir("ctr-b"), "etc", "hostname"), "utf8");
    assert.equal(hostname, "berth\n");
    await b.service.removeContainerRootfs("ctr-b");
    assert.equal(await b.snapshotter.stat("ctr-b"), undefined);

    // Loading again finds the layer unpacked already: verified, not unpacked twice.
    const before = (await b.snapshotter.list()).length;
    const again: JSONMessage[] = [];
    await b.service.load(createReadStream(saved), (m) => again.push(m));
    assert.deepEqual(again, [{ stream: "Loaded image: busybox:latest\n" }]);
    assert.equal((await b.snapshotter.list()).length, before);
  });

  it("loads the legacy layout and rejects a layer that does not match its DiffID", async () => {
    const work = path.join(base, "legacy");
    await fs.mkdir(work);
    execFileSync("tar", ["-C", work, "-xf", saved]);
    const manifest = JSON.parse(await fs.readFile(path.join(work, "manifest.json"), "utf8"));
    const legacy = path.join(base, "legacy-out");
    await fs.mkdir(path.join(legacy, "l1"), { recursive: true });
    await fs.copyFile(path.join(work, manifest[0].Layers[0]), path.join(legacy, "l1", "layer.tar"));
    await fs.copyFile(path.join(work, manifest[0].Config), path.join(legacy, "cfg.json"));
    const legacyManifest = [{ Config: "cfg.json", RepoTags: ["legacy/bb:1"], Layers: ["l1/layer.tar"] }];
    await fs.writeFile(path.join(legacy, "manifest.json"), JSON.stringify(legacyManifest));
    const legacyTar = path.join(base, "legacy.tar");
    execFileSync("tar", ["-C", legacy, "-cf", legacyTar, "."]);
    const c = await engine(base, "c");
    try {
      const messages: JSONMessage[] = [];
      await c.service.load(createReadStream(legacyTar), (m) => messages.push(m));
      assert.deepEqual(messages, [{ stream: "Loaded image: legacy/bb:1\n" }]);
      assert.equal((await c.service.resolve("legacy/bb:1")).id, imageId);

      // Same config, different layer bytes: the DiffID check must fail and record nothing.
      await fs.writeFile(path.join(legacy, "l1", "layer.tar"), execFileSync("tar", ["-C", work, "-cf", "-", "oci-layout"]));
      legacyManifest[0]!.RepoTags = ["legacy/bad:1"];
      await fs.writeFile(path.join(legacy, "manifest.json"), JSON.stringify(legacyManifest));
      execFileSync("tar", ["-C", legacy, "-cf", legacyTar, "."]);
      const d = await engine(base, "d");
      try {
        await assert.rejects(d.service.load(createReadStream(legacyTar), () => undefined), /invalid diffID/);
        assert.equal((await d.service.list({})).length, 0);
        assert.deepEqual(await d.snapshotter.list(), []);
      } finally {
        d.db.close();
      }
    } finally {
      c.db.close();
    }
  });

  it("commits a layer on top of an image", async () => {
    const layerDir = path.join(base, "layer2");
    await fs.mkdir(path.join(layerDir, "etc"), { recursive: true });
    await fs.writeFile(path.join(layerDir, "etc", "motd"), "hello\n");
    const layerTar = execFileSync("tar", ["-C", layerDir, "-cf", "-", "."]);
    const parent = await a.service.resolve("busybox");
    const id = await a.service.commitLayer!(imageId, Readable.from([layerTar]), {
      ...parent.config,
      history: [...(parent.config.history ?? []), { created: new Date().toISOString(), created_by: "test" }],
    });
    const rec = await a.service.resolve(id);
    assert.equal(rec.chainIds.length, 2);
    assert.equal(rec.chainIds[0], parent.chainIds[0]);
    assert.deepEqual(rec.config.rootfs.diff_ids[1], digestOf(layerTar));
    const history = await a.service.history(id);
    assert.equal(history.length, 2);
    assert.equal(history[0]!.CreatedBy, "test");
    assert.equal(history[1]!.Id, "<missing>");
    const removed = await a.service.remove(id, { usedBy: noContainers });
    assert.equal(removed[0]!.Deleted, id);
    assert.deepEqual(removed.slice(1), [{ Deleted: rec.chainIds[1] }]);
  });

  it("follows docker's rmi rules for images containers use", async () => {
    await a.service.prepareContainerRootfs(imageId, "ctr-a");
    const stopped = (): { id: string; running: boolean }[] => [{ id: "c".repeat(64), running: false }];
    const running = (): { id: string; running: boolean }[] => [{ id: "c".repeat(64), running: true }];
    await assert.rejects(a.service.remove("busybox", { usedBy: stopped }), (e: unknown) => {
      assert.ok(e instanceof ConflictError);
      assert.equal(
        e.message,
        `conflict: unable to remove repository reference "busybox" (must force) - container cccccccccccc is using its referenced image ${imageId.slice(7, 19)}`,
      );
      return true;
    });
    await assert.rejects(a.service.remove(imageId, { force: true, usedBy: running }), (e: unknown) => {
      assert.ok(e instanceof ConflictError);
      assert.equal(
        e.message,
        `conflict: unable to delete ${imageId.slice(7, 19)} (cannot be forced) - image is being used by running container cccccccccccc`,
      );
      return true;
    });
    const removed = await a.service.remove("busybox", { force: true, usedBy: stopped });
    assert.deepEqual(removed, [{ Untagged: "busybox:latest" }, { Deleted: imageId }]);
    assert.equal((await a.service.list({})).length, 0);
    // The container still has its rootfs: the layer under it survives collection.
    assert.ok(await a.snapshotter.stat("ctr-a"));
    await a.service.gc();
    assert.ok(await a.snapshotter.stat("ctr-a"));
    // Removing the last user of a removed image's layers releases them at once, as Docker does.
    await a.service.removeContainerRootfs("ctr-a");
    assert.deepEqual(await a.snapshotter.list(), []);
    assert.deepEqual(await fs.readdir(path.join(a.root, "content", "blobs", "sha256")), []);
    assert.equal((await a.service.gc()).reclaimed, 0);
  });
});
