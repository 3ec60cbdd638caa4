// Garbage collection seen from the data root: the blobs and snapshots of a
// layer go with the last image that uses it, and nothing a container still
// uses is collected until the container goes.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import tar from "tar-stream";
import { startDaemon, type Daemon } from "./harness.js";

/** A tar adding /etc/<name> to whatever is below it. */
async function layerTar(name: string, content: string): Promise<Buffer> {
  const p = tar.pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => p.on("end", () => resolve()));
  p.entry({ name: "etc/", type: "directory", mode: 0o755 });
  p.entry({ name: `etc/${name}`, mode: 0o644 }, content);
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

describe("image garbage collection", () => {
  let d: Daemon;
  let snapshotRoot: string;

  const blobs = async (): Promise<string[]> => (await fs.readdir(path.join(d.dataRoot, "content", "blobs", "sha256"))).sort();
  const snapshots = async (): Promise<string[]> =>
    existsSync(snapshotRoot) ? (await fs.readdir(snapshotRoot)).filter((n) => n !== "l").sort() : [];
  const ok = async (args: string[], input?: Buffer): Promise<string> => {
    const r = await d.berth(args, input ? { input } : undefined);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    d = await startDaemon();
    const driver = (await ok(["info", "--format", "{{.Driver}}"])).trim();
    snapshotRoot = path.join(d.dataRoot, driver);
  });

  after(async () => {
    await d?.destroy();
  });

  it("removes a layer's blob and snapshot with the last image that uses it", async () => {
    const [blobs0, snaps0] = [await blobs(), await snapshots()];
    const id = (await ok(["import", "-", "gc-one:1"], await layerTar("one", "one\n"))).trim();
    await ok(["tag", "gc-one:1", "gc-one:2"]);
    const chainId = (await ok(["image", "inspect", "--format", "{{index .RootFS.Layers 0}}", id])).trim();
    assert.equal((await blobs()).length, blobs0.length + 2, "the layer tar and the config");
    assert.equal((await snapshots()).length, snaps0.length + 1);

    assert.equal(await ok(["rmi", "gc-one:1"]), "Untagged: gc-one:1\n");
    assert.equal((await blobs()).length, blobs0.length + 2, "untagging removes nothing");
    assert.equal(await ok(["rmi", "gc-one:2"]), `Untagged: gc-one:2\nDeleted: ${id}\nDeleted: ${chainId}\n`);
    assert.deepEqual(await blobs(), blobs0);
    assert.deepEqual(await snapshots(), snaps0);
  });

  it("keeps a layer another image still uses", async () => {
    const layer = await layerTar("shared", "shared\n");
    const a = (await ok(["import", "-m", "a", "-", "gc-a:1"], layer)).trim();
    await ok(["import", "-m", "b", "-", "gc-b:1"], layer);
    const [blobs1, snaps1] = [await blobs(), await snapshots()];
    assert.equal(await ok(["rmi", "gc-a:1"]), `Untagged: gc-a:1\nDeleted: ${a}\n`);
    assert.deepEqual(await blobs(), blobs1.filter((b) => b !== a.slice(7)));
    assert.deepEqual(await snapshots(), snaps1);
    // What stays is whole: a container can still be made from it.
    await ok(["create", "--name", "gc-b-user", "gc-b:1", "/bin/true"]);
    await ok(["rm", "gc-b-user"]);
    await ok(["rmi", "gc-b:1"]);
  });

  it("collects nothing a container uses, even after rmi -f, until the container goes", async () => {
    const [blobs0, snaps0] = [await blobs(), await snapshots()];
    const id = (await ok(["import", "-", "gc-used:1"], await layerTar("used", "still here\n"))).trim();
    // The image holds only /etc/used: the container is created, never run.
    await ok(["create", "--name", "gc-user", "gc-used:1", "/bin/true"]);
    const withContainer = await snapshots();
    assert.equal(withContainer.length, snaps0.length + 2, "the layer and the container's writable snapshot");

    const refused = await d.berth(["rmi", id]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /conflict: unable to delete [0-9a-f]{12} \(must be forced\) - image is being used by stopped container [0-9a-f]{12}/);
    assert.equal(await ok(["rmi", "-f", "gc-used:1"]), `Untagged: gc-used:1\nDeleted: ${id}\n`);
    assert.deepEqual(await snapshots(), withContainer, "the container's layers stay");
    assert.equal((await blobs()).length, blobs0.length + 1, "only the config blob went");

    await ok(["rm", "gc-user"]);
    assert.deepEqual(await snapshots(), snaps0);
    assert.deepEqual(await blobs(), blobs0);
  });

  it("refuses to remove an image a running container uses, even with -f", async () => {
    const id = (await ok(["image", "inspect", "--format", "{{.Id}}", "busybox"])).trim();
    const cid = (await ok(["run", "-d", "--name", "gc-running", "busybox", "sleep", "300"])).trim();
    try {
      const r = await d.berth(["rmi", "-f", id]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `Error response from daemon: conflict: unable to delete ${id.slice(7, 19)} (cannot be forced) - image is being used by running container ${cid.slice(0, 12)}\n`,
      );
    } finally {
      await ok(["rm", "-f", "gc-running"]);
    }
    assert.equal((await ok(["images", "-q", "busybox"])).trim(), id.slice(7, 19));
  });
});
