// isMounted and unmount against real mounts (mount/mount.ts): a mount point is
// told from a plain directory by the kernel's mount IDs, binds of a directory
// on its own filesystem included. Needs root.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isMounted, mountAll, unmount } from "../../src/mount/mount.js";

/** How many mounts util-linux's findmnt lists on `dir` (it exits 1 for none). */
const listed = (dir: string): number =>
  spawnSync("findmnt", ["-n", "-o", "TARGET", "--mountpoint", dir], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).length;

describe("mount points", () => {
  let base: string;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "bt-mounts-"));
  });
  after(async () => {
    for (const dir of ["tmpfs", "bound", "with space", "stacked"]) await unmount(join(base, dir), { lazy: true }).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  });

  it("tells a plain directory, a file, a FIFO and a missing path from mount points", async () => {
    mkdirSync(join(base, "plain"));
    writeFileSync(join(base, "file"), "x");
    execFileSync("mkfifo", [join(base, "fifo")]);
    assert.equal(await isMounted(join(base, "plain")), false);
    assert.equal(await isMounted(join(base, "file")), false);
    assert.equal(await isMounted(join(base, "fifo")), false, "a FIFO is looked at, not opened for reading");
    assert.equal(await isMounted(join(base, "missing")), false);
    assert.equal(await isMounted("/"), true);
  });

  it("sees a tmpfs, a bind of a directory onto itself and a name with a space, and not after unmount", async () => {
    for (const dir of ["tmpfs", "bound", "with space"]) mkdirSync(join(base, dir));
    await mountAll([{ type: "tmpfs", source: "tmpfs", options: ["size=1m"] }], join(base, "tmpfs"));
    // The same filesystem on both sides: no device number tells these apart.
    await mountAll([{ type: "bind", source: join(base, "bound"), options: [] }], join(base, "bound"));
    await mountAll([{ type: "tmpfs", source: "tmpfs", options: ["size=1m"] }], join(base, "with space"));
    for (const dir of ["tmpfs", "bound", "with space"]) {
      assert.equal(await isMounted(join(base, dir)), true, dir);
      assert.equal(listed(join(base, dir)), 1, `findmnt agrees on ${dir}`);
      assert.equal(await isMounted(join(base, dir, ".")), true, `${dir}/. resolves to the mount point`);
      await unmount(join(base, dir));
      assert.equal(await isMounted(join(base, dir)), false, `${dir} after unmount`);
      assert.equal(listed(join(base, dir)), 0);
    }
  });

  it("sees a directory inside a mount as no mount point, and unmounts stacked mounts", async () => {
    const dir = join(base, "stacked");
    mkdirSync(dir);
    await mountAll([{ type: "tmpfs", source: "tmpfs", options: ["size=1m"] }], dir);
    await mountAll([{ type: "tmpfs", source: "tmpfs", options: ["size=1m"] }], dir);
    mkdirSync(join(dir, "inner"));
    assert.equal(await isMounted(join(dir, "inner")), false);
    assert.equal(await isMounted(dir), true);
    await unmount(dir);
    assert.equal(await isMounted(dir), false);
    assert.equal(listed(dir), 0, "both mounts are gone");
  });
});
