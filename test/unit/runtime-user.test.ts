import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { resolveUser } from "../../src/runtime/user.js";

let tmp: string;
let rootfs: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "berth-user-"));
  rootfs = path.join(tmp, "rootfs");
  await mkdir(path.join(rootfs, "etc"), { recursive: true });
  await writeFile(
    path.join(rootfs, "etc/passwd"),
    "# comment\nroot:x:0:0:root:/root:/bin/sh\nweb:x:33:33::/var/www:/bin/false\nnobody:x:65534:65534::/:/bin/false\n",
  );
  await writeFile(path.join(rootfs, "etc/group"), "root:x:0:\nweb:x:33:\nstaff:x:50:web,nobody\nwheel:x:10:root\naudio:x:29:web\n");
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("resolveUser", () => {
  it("defaults to root with root's groups", async () => {
    assert.deepEqual(await resolveUser(rootfs, ""), { uid: 0, gid: 0, additionalGids: [10] });
  });

  it("looks names up, with supplementary groups from /etc/group", async () => {
    assert.deepEqual(await resolveUser(rootfs, "web"), { uid: 33, gid: 33, additionalGids: [50, 29] });
    assert.deepEqual(await resolveUser(rootfs, "33"), { uid: 33, gid: 33, additionalGids: [50, 29] });
  });

  it("takes an explicit group by name or number, without supplementary groups", async () => {
    assert.deepEqual(await resolveUser(rootfs, "web:staff"), { uid: 33, gid: 50, additionalGids: [] });
    assert.deepEqual(await resolveUser(rootfs, "web:4242"), { uid: 33, gid: 4242, additionalGids: [] });
  });

  it("accepts numeric ids with no entry", async () => {
    assert.deepEqual(await resolveUser(rootfs, "1234"), { uid: 1234, gid: 0, additionalGids: [] });
    assert.deepEqual(await resolveUser(rootfs, "1234:5678"), { uid: 1234, gid: 5678, additionalGids: [] });
  });

  it("fails with Docker's wording for unknown names", async () => {
    await assert.rejects(resolveUser(rootfs, "nope"), { message: "unable to find user nope: no matching entries in passwd file" });
    await assert.rejects(resolveUser(rootfs, "web:nogroup"), {
      message: "unable to find group nogroup: no matching entries in group file",
    });
  });

  it("works without /etc/passwd for numeric users only", async () => {
    const empty = path.join(tmp, "empty");
    await mkdir(empty);
    assert.deepEqual(await resolveUser(empty, "7:8"), { uid: 7, gid: 8, additionalGids: [] });
    assert.deepEqual(await resolveUser(empty, ""), { uid: 0, gid: 0, additionalGids: [] });
    await assert.rejects(resolveUser(empty, "root"), /unable to find user root/);
  });

  it("never follows a symlink out of the rootfs", async () => {
    const evil = path.join(tmp, "evil");
    await mkdir(path.join(evil, "etc"), { recursive: true });
    // On the host this would reach tmp/host-passwd; inside the rootfs ".." stops at the root.
    await writeFile(path.join(tmp, "host-passwd"), "intruder:x:4321:4321::/:/bin/sh\n");
    await symlink("../../../../../../host-passwd", path.join(evil, "etc/passwd"));
    await assert.rejects(resolveUser(evil, "intruder"), /unable to find user intruder/);

    // An absolute target is taken relative to the rootfs.
    const abs = path.join(tmp, "abs");
    await mkdir(path.join(abs, "etc"), { recursive: true });
    await mkdir(path.join(abs, "data"));
    await writeFile(path.join(abs, "data/passwd"), "app:x:99:98::/:/bin/sh\n");
    await symlink("/data/passwd", path.join(abs, "etc/passwd"));
    assert.deepEqual(await resolveUser(abs, "app"), { uid: 99, gid: 98, additionalGids: [] });

    // A directory symlink is re-rooted too: /etc → /etc inside the rootfs is a loop, not the host's /etc.
    const dirLink = path.join(tmp, "dirlink");
    await mkdir(dirLink);
    await symlink("/etc", path.join(dirLink, "etc"));
    await assert.rejects(resolveUser(dirLink, "root"), /too many levels of symbolic links/);
  });
});
