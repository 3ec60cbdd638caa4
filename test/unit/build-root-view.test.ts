// rootViewOf: COPY's lookups in the parent image follow symlinks inside the
// root and never out of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootViewOf } from "../../src/build/work-root.js";

test("resolve follows symlinks inside the root, and absolute or climbing links stay in it", async () => {
  const root = await mkdtemp(join(tmpdir(), "rv-"));
  try {
    await mkdir(join(root, "srv/app"), { recursive: true });
    await writeFile(join(root, "srv/app/file"), "x");
    await symlink("/srv/app", join(root, "app"));
    await symlink("../../../../etc", join(root, "escape"));
    const view = rootViewOf(root);
    const app = await view.resolve("/app");
    assert.equal(app.path, "/srv/app");
    assert.equal(app.stat?.type, "dir");
    const file = await view.resolve("/app/file");
    assert.equal(file.path, "/srv/app/file");
    assert.equal(file.stat?.type, "file");
    const missing = await view.resolve("/app/new/deeper");
    assert.equal(missing.path, "/srv/app/new/deeper");
    assert.equal(missing.stat, undefined);
    // "../../../../etc" from / stays at the root: /etc inside it, which does not exist here.
    const escape = await view.resolve("/escape/passwd");
    assert.equal(escape.path, "/etc/passwd");
    assert.equal(escape.stat, undefined);
    const rootItself = await view.resolve("/");
    assert.equal(rootItself.path, "/");
    assert.equal(rootItself.stat?.type, "dir");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
