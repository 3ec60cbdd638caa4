// What a crash leaves in a snapshotter's tree, and what opening the data root
// again (chooseSnapshotter, as berthd does at start) makes of it: a directory
// half-prepared under its temporary name, a tree committed under its new name
// before the row changed, and a short link in overlay2's l/ whose snapshot is
// gone are removed; every snapshot that has a row keeps its tree and works.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { snapshotDirName } from "../../src/snapshot/core.js";
import { chooseSnapshotter } from "../../src/snapshot/select.js";
import { openDatabase, type DB } from "../../src/store/db.js";

for (const driver of ["overlay2", "vfs"] as const) {
  describe(`crash debris in ${driver}`, () => {
    let dataRoot: string;
    let db: DB;
    before(async () => {
      dataRoot = await mkdtemp(join(tmpdir(), "bt-debris-"));
      db = openDatabase(join(dataRoot, "berth.db"));
    });
    after(async () => {
      db?.close();
      if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
    });

    test("opening the data root again removes what has no row and keeps what has", async () => {
      const first = await chooseSnapshotter(dataRoot, db, driver);
      await first.prepare("extract-a", undefined);
      writeFileSync(join(first.writableDir("extract-a"), "kept"), "layer\n");
      await first.commit("sha256:layer", "extract-a");
      await first.prepare("container", "sha256:layer");

      const root = join(dataRoot, driver);
      const before = readdirSync(root).sort();
      // A prepare cut short, a commit cut short (tree renamed, row not), a stranger.
      mkdirSync(join(root, `${snapshotDirName("extract-b")}.tmp-0badf00d`, "diff"), { recursive: true });
      mkdirSync(join(root, snapshotDirName("sha256:never-recorded"), "diff"), { recursive: true });
      if (driver === "overlay2") symlinkSync(`../${snapshotDirName("sha256:never-recorded")}/diff`, join(root, "l", "dangling0000000"));

      const again = await chooseSnapshotter(dataRoot, db, driver);
      assert.deepEqual(readdirSync(root).sort(), before);
      if (driver === "overlay2") assert.ok(!readdirSync(join(root, "l")).includes("dangling0000000"));
      assert.equal((await again.stat("sha256:layer"))?.kind, "committed");
      assert.equal((await again.stat("container"))?.kind, "active");
      // The surviving snapshots still work: a new one on the layer, and removal of all.
      await again.prepare("extract-c", "sha256:layer");
      await again.remove("extract-c");
      await again.remove("container");
      await again.remove("sha256:layer");
      assert.deepEqual(readdirSync(root).filter((n) => n !== "l"), []);
    });
  });
}
