// The Snapshotter contract, run against every implementation (overlay2, vfs):
// the lifecycle of the interface comment — two image layers, a container on
// top, its diff, removal — with real mounts, plus the error cases.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import * as tar from "tar-stream";
import { applyLayer } from "../../src/archive/apply.js";
import { ConflictError, InvalidArgumentError, NotFoundError } from "../../src/errors.js";
import { isMounted, mountAll, unmount } from "../../src/mount/mount.js";
import { createOverlaySnapshotter } from "../../src/snapshot/overlay.js";
import { chooseSnapshotter } from "../../src/snapshot/select.js";
import type { Snapshotter } from "../../src/snapshot/snapshotter.js";
import { createVfsSnapshotter } from "../../src/snapshot/vfs.js";
import { openDatabase, type DB } from "../../src/store/db.js";

type Entry = { name: string; body?: string; type?: "directory" | "symlink"; linkname?: string };

function layer(entries: Entry[]): Readable {
  const pack = tar.pack();
  for (const { body, ...header } of entries) pack.entry({ mode: header.type === "directory" ? 0o755 : 0o644, ...header }, body ?? "");
  pack.finalize();
  return Readable.from(pack as unknown as AsyncIterable<Buffer>);
}

async function entryNames(stream: Readable): Promise<string[]> {
  const names: string[] = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, body, next) => {
      names.push(header.name);
      body.on("end", () => next());
      body.resume();
    });
    extract.on("finish", () => resolve());
    extract.on("error", reject);
  });
  stream.pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  return names;
}

const implementations: Array<[string, (root: string, db: DB) => Snapshotter]> = [
  ["overlay2", createOverlaySnapshotter],
  ["vfs", createVfsSnapshotter],
];

for (const [name, create] of implementations) {
  describe(`snapshotter contract: ${name}`, () => {
    let base: string;
    let db: DB;
    let sn: Snapshotter;
    let root: string;
    const targets: string[] = [];
    const target = (): string => {
      const t = join(base, `mnt${targets.length}`);
      mkdirSync(t);
      targets.push(t);
      return t;
    };

    before(async () => {
      base = await mkdtemp(join(tmpdir(), `berth-snap-${name}-`));
      db = openDatabase(join(base, "berth.db"));
      root = join(base, name);
      sn = create(root, db);
    });
    after(async () => {
      for (const t of targets) await unmount(t);
      db.close();
      await rm(base, { recursive: true, force: true });
    });

    it("imports two layers: prepare, apply, commit", async () => {
      assert.deepEqual(await sn.prepare("extract-1", undefined, { labels: { purpose: "test" } }), await sn.mounts("extract-1"));
      await applyLayer(
        sn.writableDir("extract-1"),
        layer([
          { name: "etc/", type: "directory" },
          { name: "etc/os-release", body: "berth\n" },
          { name: "etc/remove-me", body: "soon gone" },
          { name: "opt/", type: "directory" },
          { name: "opt/old", body: "hidden by an opaque dir" },
          { name: "bin/sh", type: "symlink", linkname: "busybox" },
        ]),
        { whiteouts: sn.whiteoutMode },
      );
      await sn.commit("layer-1", "extract-1");
      assert.equal(await sn.stat("extract-1"), undefined);
      const info = await sn.stat("layer-1");
      assert.equal(info?.kind, "committed");
      assert.deepEqual(info?.labels, { purpose: "test" });
      assert.equal(info?.parent, undefined);

      await sn.prepare("extract-2", "layer-1");
      await applyLayer(
        sn.writableDir("extract-2"),
        layer([
          { name: "etc/", type: "directory" },
          { name: "etc/.wh.remove-me" },
          { name: "etc/added", body: "layer 2" },
          { name: "opt/", type: "directory" },
          { name: "opt/.wh..wh..opq" },
          { name: "opt/new", body: "new" },
        ]),
        { whiteouts: sn.whiteoutMode },
      );
      await sn.commit("layer-2", "extract-2");
      assert.equal((await sn.stat("layer-2"))?.parent, "layer-1");
      assert.deepEqual((await sn.list()).map((s) => s.key), ["layer-1", "layer-2"]);
    });

    it("a committed snapshot has a read-only view and no writable dir", async () => {
      assert.throws(() => sn.writableDir("layer-2"), InvalidArgumentError);
      const view = target();
      await mountAll(await sn.mounts("layer-2"), view);
      assert.equal(readFileSync(join(view, "etc/added"), "utf8"), "layer 2");
      assert.throws(() => writeFileSync(join(view, "etc/x"), "x"), /EROFS/);
      await unmount(view);
      assert.equal(await isMounted(view), false);
    });

    it("a container on top sees the merged layers and its changes come back as a diff", async () => {
      const mounts = await sn.prepare("ctr", "layer-2");
      const rootfs = target();
      await mountAll(mounts, rootfs);
      assert.equal(await isMounted(rootfs), true);
      assert.equal(readFileSync(join(rootfs, "etc/os-release"), "utf8"), "berth\n");
      assert.equal(readFileSync(join(rootfs, "etc/added"), "utf8"), "layer 2");
      assert.equal(existsSync(join(rootfs, "etc/remove-me")), false);
      assert.deepEqual(readdirSync(join(rootfs, "opt")), ["new"]);
      await writeFile(join(rootfs, "etc/os-release"), "changed\n");
      mkdirSync(join(rootfs, "data"));
      await writeFile(join(rootfs, "data/file"), "1234567890");
      await rm(join(rootfs, "etc/added"));
      await unmount(rootfs);

      assert.deepEqual(await entryNames(sn.diff("ctr")), ["data/", "data/file", "etc/", "etc/.wh.added", "etc/os-release"]);
      const usage = await sn.usage("ctr");
      assert.ok(usage.size >= 10 + "changed\n".length, `usage ${JSON.stringify(usage)}`);
      assert.ok(usage.inodes >= 3);
    });

    it("a snapshot without parent mounts as a bind of its tree", async () => {
      const mounts = await sn.prepare("lonely", undefined);
      assert.equal(mounts[0]?.type, "bind");
      const t = target();
      await mountAll(mounts, t);
      await writeFile(join(t, "hello"), "hi");
      await unmount(t);
      assert.equal(readFileSync(join(sn.writableDir("lonely"), "hello"), "utf8"), "hi");
      assert.deepEqual(await entryNames(sn.diff("lonely")), ["hello"]);
      await sn.remove("lonely");
    });

    it("refuses what the lifecycle forbids", async () => {
      await assert.rejects(sn.prepare("ctr", "layer-2"), ConflictError);
      await assert.rejects(sn.prepare("x", "no-such-layer"), NotFoundError);
      await assert.rejects(sn.prepare("x", "ctr"), InvalidArgumentError);
      await assert.rejects(sn.commit("layer-3", "layer-2"), InvalidArgumentError);
      await assert.rejects(sn.commit("layer-1", "ctr"), ConflictError);
      await assert.rejects(sn.remove("layer-1"), ConflictError);
      await assert.rejects(sn.remove("nothing"), NotFoundError);
      assert.throws(() => sn.writableDir("nothing"), NotFoundError);
      assert.throws(() => sn.diff("nothing"), NotFoundError);
    });

    it("clears debris a crash left where a new snapshot goes", async () => {
      const debris = join(root, createHash("sha256").update("after-crash").digest("hex"));
      mkdirSync(join(debris, "diff"), { recursive: true });
      writeFileSync(join(debris, "half-made"), "");
      await sn.prepare("after-crash", "layer-2");
      assert.equal(existsSync(join(debris, "half-made")), false);
      await sn.remove("after-crash");
    });

    it("removes children first, then parents, leaving nothing behind", async () => {
      await sn.remove("ctr");
      await sn.remove("layer-2");
      await sn.remove("layer-1");
      assert.deepEqual(await sn.list(), []);
      assert.deepEqual(readdirSync(root).filter((n) => n !== "l"), []);
      if (existsSync(join(root, "l"))) assert.deepEqual(readdirSync(join(root, "l")), []);
    });
  });
}

describe("chooseSnapshotter", () => {
  let base: string;
  let db: DB;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "berth-select-"));
    db = openDatabase(join(base, "berth.db"));
  });
  after(async () => {
    db.close();
    await rm(base, { recursive: true, force: true });
  });

  it("picks overlay2 where overlayfs works, vfs when asked, and cleans up its probe", async () => {
    assert.equal((await chooseSnapshotter(base, db)).name, "overlay2");
    assert.equal((await chooseSnapshotter(base, db, "overlay2")).name, "overlay2");
    assert.equal((await chooseSnapshotter(base, db, "vfs")).name, "vfs");
    assert.deepEqual(readdirSync(base).filter((n) => n.startsWith("overlay-probe-")), []);
  });

  it("falls back to vfs where overlayfs cannot work (on top of an overlay)", async () => {
    const dirs = ["lower", "upper", "work", "merged"].map((d) => join(base, d));
    dirs.forEach((d) => mkdirSync(d));
    const [lower, upper, work, merged] = dirs as [string, string, string, string];
    await mountAll([{ type: "overlay", source: "overlay", options: [`lowerdir=${lower}`, `upperdir=${upper}`, `workdir=${work}`] }], merged);
    try {
      assert.equal((await chooseSnapshotter(join(merged, "data"), db)).name, "vfs");
      await assert.rejects(chooseSnapshotter(join(merged, "data"), db, "overlay2"), /overlay2 is not supported/);
    } finally {
      await unmount(merged);
    }
  });
});
