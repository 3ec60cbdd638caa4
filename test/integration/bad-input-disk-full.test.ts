// A full disk: the daemon's data root is a small tmpfs mounted here, mostly
// taken by a filler file. A load too big for the room left fails while its
// blob is written; a smaller one fails while its layer is unpacked; an import
// fails the same way. Each failure says "no space left on device", lists no
// image, and leaves no blob, ingest file or snapshot behind. With the disk
// full to the last block, rmi still works (berthd keeps a reserve for its
// database). Once the filler is deleted the very same loads and import succeed.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFile, mkdtemp, rm, statfs, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { importBusybox, startDaemon, type Daemon } from "./harness.js";
import { census, dockerArchive, pack, type Census } from "./bad-input-fixtures.js";

const MiB = 1 << 20;

describe("a full disk", () => {
  let d: Daemon;
  let mounted = false;
  let baseline: Census;
  let filler: string;
  // Inputs live outside the tmpfs and are read by the CLI itself (-i): a
  // refused upload may be cut short, which a piped stdin would see as EPIPE.
  let inputs: string;

  before(async () => {
    inputs = await mkdtemp(join(tmpdir(), "bt-full-"));
    d = await startDaemon({ busybox: false });
    // Swap the data root for a small tmpfs: the harness restarts on the same paths.
    await d.kill("SIGTERM");
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=128m,mode=0711", "berth-test-full", d.dataRoot]);
    mounted = true;
    await d.restart();
    await importBusybox(d);
    filler = join(d.dataRoot, "filler");
    // Leave 16 MiB: room for a 10 MiB blob, not for its unpacked copy as well.
    const st = await statfs(d.dataRoot);
    await writeFile(filler, Buffer.alloc(st.bavail * st.bsize - 16 * MiB));
    baseline = census(d.dataRoot);
  });
  after(async () => {
    if (d) {
      const ids = (await d.berth(["ps", "-aq"])).stdout.split("\n").filter(Boolean);
      if (ids.length) await d.berth(["rm", "-f", ...ids]);
      await d.kill("SIGTERM");
    }
    if (mounted) execFileSync("umount", [d.dataRoot]);
    await d?.destroy();
    if (inputs) await rm(inputs, { recursive: true, force: true });
  });

  const randomLayer = (size: number): Promise<Buffer> => pack([{ name: "blob.bin", data: randomBytes(size) }]);
  async function inputFile(name: string, data: Buffer): Promise<string> {
    const file = join(inputs, name);
    await writeFile(file, data);
    return file;
  }
  let tooBigToStore: string;
  let tooBigToUnpack: string;
  let rootfs: string;

  async function assertNothingLeft(what: string): Promise<void> {
    const images = await d.berth(["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert.equal(images.code, 0, images.stderr);
    assert.equal(images.stdout, "busybox:latest\n", `${what} must not list an image`);
    assert.deepEqual(census(d.dataRoot), baseline, `${what} left blobs, ingest files or snapshots behind`);
  }

  test("a load whose blob does not fit fails with ENOSPC and leaves nothing", async () => {
    tooBigToStore = await inputFile("huge.tar", (await dockerArchive({ tag: "huge:1", layers: [await randomLayer(20 * MiB)] })).archive);
    const r = await d.berth(["load", "-i", tooBigToStore]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /^Error response from daemon: .*no space left on device/m);
    await assertNothingLeft("a load out of space while storing");
  });

  test("a load whose layer does not fit when unpacked fails with ENOSPC and leaves nothing", async () => {
    tooBigToUnpack = await inputFile("big.tar", (await dockerArchive({ tag: "big:1", layers: [await randomLayer(10 * MiB)] })).archive);
    const r = await d.berth(["load", "-i", tooBigToUnpack]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /^Error response from daemon: .*no space left on device/m);
    await assertNothingLeft("a load out of space while unpacking");
  });

  test("an import that does not fit fails with ENOSPC and leaves nothing", async () => {
    rootfs = await inputFile("rootfs.tar", await randomLayer(14 * MiB));
    const r = await d.berth(["import", rootfs, "bigimport:1"]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /^Error response from daemon: .*no space left on device/m);
    await assertNothingLeft("an import out of space");
  });

  test("the daemon kept serving: containers still run on the full disk", async () => {
    const r = await d.berth(["run", "--rm", "busybox", "echo", "alive"]);
    assert.equal(r.stdout, "alive\n", r.stderr);
  });

  test("on a disk full to the last block, rmi still works and frees space", async () => {
    const spare = await inputFile("spare.tar", await randomLayer(MiB));
    assert.equal((await d.berth(["import", spare, "spare:1"])).code, 0);
    const last = join(d.dataRoot, "last-block");
    const chunk = Buffer.alloc(MiB);
    try {
      for (;;) await appendFile(last, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
    }
    const r = await d.berth(["rmi", "spare:1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Untagged: spare:1\nDeleted: sha256:[0-9a-f]{64}\n/);
    await assertNothingLeft("an image removed on a full disk");
    await rm(last);
  });

  test("once space is freed the same loads and import succeed", async () => {
    await rm(filler);
    const huge = await d.berth(["load", "-i", tooBigToStore]);
    assert.equal(huge.code, 0, huge.stderr);
    assert.equal(huge.stdout, "Loaded image: huge:1\n");
    const big = await d.berth(["load", "-i", tooBigToUnpack]);
    assert.equal(big.code, 0, big.stderr);
    assert.equal(big.stdout, "Loaded image: big:1\n");
    const imp = await d.berth(["import", rootfs, "bigimport:1"]);
    assert.equal(imp.code, 0, imp.stderr);
    const images = await d.berth(["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert.deepEqual(images.stdout.trim().split("\n").sort(), ["big:1", "bigimport:1", "busybox:latest", "huge:1"]);
  });
});
