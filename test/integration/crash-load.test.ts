// berthd SIGKILLed in the middle of `berth load` of a ~100 MB image: once
// while the layer blob is being written to content/ingest, once while it is
// being unpacked into a snapshot; and in the middle of `berth import` of the
// same layer. After a restart no half image is listed, images and ps work,
// the ingest directory is empty, the data root holds exactly the blobs and
// snapshots it held before, and the same load and import then succeed.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startDaemon, type Daemon } from "./harness.js";
import { census, dockerArchive, pack, type Census } from "./bad-input-fixtures.js";

const MiB = 1 << 20;

/** Resolves when `proc` has exited, whatever its status. */
function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once("exit", () => resolve()));
}

describe("berthd killed in the middle of a load", () => {
  let d: Daemon;
  let dir: string;
  let archive: string;
  let rootfs: string;
  let baseline: Census;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "bt-crash-load-"));
    d = await startDaemon();
    const layer = await pack([{ name: "big.bin", data: randomBytes(100 * MiB) }]);
    archive = join(dir, "big.tar");
    rootfs = join(dir, "rootfs.tar");
    await writeFile(rootfs, layer);
    await writeFile(archive, (await dockerArchive({ tag: "big:1", layers: [layer] })).archive);
    baseline = census(d.dataRoot);
  });
  after(async () => {
    await d?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /**
   * Starts `berth <args>` and SIGKILLs the daemon as soon as `inProgress`
   * sees the command's traces in the data root.
   */
  async function killDuring(args: string[], inProgress: (now: Census) => boolean): Promise<void> {
    const load = d.spawnBerth(args);
    load.stdout?.resume();
    load.stderr?.resume();
    let seen = false;
    while (!seen && load.exitCode === null) {
      seen = inProgress(census(d.dataRoot));
      if (!seen) await new Promise((r) => setImmediate(r));
    }
    assert.ok(seen, "the command finished before its traces could be seen; the image is too small for this machine");
    await d.kill("SIGKILL");
    await exited(load);
    assert.notEqual(load.exitCode, 0, "a command whose daemon died cannot have succeeded");
  }

  async function assertRecovered(): Promise<void> {
    await d.restart();
    const images = await d.berth(["images", "-a", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert.equal(images.code, 0, images.stderr);
    assert.equal(images.stdout, "busybox:latest\n");
    const ps = await d.berth(["ps", "-a"]);
    assert.equal(ps.code, 0, ps.stderr);
    assert.deepEqual(census(d.dataRoot), baseline, "a restart must clear the killed load's ingest files, blobs and snapshots");
  }

  test("killed while the layer blob is being written", async () => {
    await killDuring(["load", "-i", archive], (now) => now.ingest.length > 0);
    await assertRecovered();
  });

  test("killed while the layer is being unpacked", async () => {
    await killDuring(["load", "-i", archive], (now) => now.snapshots.length > baseline.snapshots.length);
    await assertRecovered();
  });

  test("killed while an import is being unpacked", async () => {
    await killDuring(["import", rootfs, "big-import:1"], (now) => now.snapshots.length > baseline.snapshots.length);
    await assertRecovered();
  });

  test("the same load and import then succeed", async () => {
    const r = await d.berth(["load", "-i", archive]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Loaded image: big:1\n");
    const imp = await d.berth(["import", rootfs, "big-import:1"]);
    assert.equal(imp.code, 0, imp.stderr);
    const images = await d.berth(["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert.deepEqual(images.stdout.trim().split("\n").sort(), ["big-import:1", "big:1", "busybox:latest"]);
    assert.deepEqual(census(d.dataRoot).ingest, []);
    assert.equal((await d.berth(["rmi", "big:1", "big-import:1"])).code, 0);
    assert.deepEqual(census(d.dataRoot), baseline);
  });
});
