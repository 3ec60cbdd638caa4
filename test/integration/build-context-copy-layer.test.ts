// copyLayer: the layer tar a COPY/ADD step makes, checked entry by entry
// against what dockerd 20.10's classic builder does (see copy-layer.ts), on a
// parent-image rootfs made here (root: the test chowns files).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chownSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { applyLayer } from "../../src/archive/apply.js";
import type { BuildContext, CopyPlan, SourceTree } from "../../src/build/context/build-context.js";
import { copyLayer } from "../../src/build/context/copy-layer.js";
import { createFsTree } from "../../src/build/context/fs-tree.js";
import { receiveContext } from "../../src/build/context/receive-context.js";
import { rootViewOf } from "../../src/build/work-root.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { bufferStream, describeEntries, listTar, makeTar, type FixtureEntry } from "../unit/build-context-tar-fixture.js";

const archive = makeTar([
  { name: "pkg/", type: "dir", mode: 0o711, uid: 3, gid: 4 },
  { name: "pkg/bin", body: "#!", mode: 0o755, uid: 3, gid: 4 },
  { name: "pkg/.wh.gone", body: "not a whiteout" },
]);

const context: FixtureEntry[] = [
  { name: "a.txt", body: "a", mode: 0o640, uid: 1000, gid: 1000 },
  { name: "b.txt", body: "b" },
  { name: "dir/", type: "dir", mode: 0o700 },
  { name: "dir/in/", type: "dir", mode: 0o711 },
  { name: "dir/in/f", body: "f" },
  { name: "dir/inlink", type: "symlink", linkname: "in" },
  { name: "pkg.tar.gz", body: gzipSync(archive) },
  { name: "pkg.tar", body: archive },
  { name: "notatar.gz", body: gzipSync(Buffer.from("just text")) },
  { name: "evil-dotdot.tar", body: makeTar([{ name: "../escape", body: "x" }]) },
  { name: "evil-abs.tar", body: makeTar([{ name: "/etc/passwd", body: "x" }]) },
  { name: "evil-link.tar", body: makeTar([{ name: "l", type: "symlink", linkname: "/etc" }, { name: "l/passwd", body: "x" }]) },
  { name: "evil-hard.tar", body: makeTar([{ name: "h", type: "link", linkname: "../../etc/shadow" }]) },
];

describe("copyLayer", () => {
  let base: string;
  let rootfs: string;
  let ctx: BuildContext;
  const plan = (dest: string, more: Partial<CopyPlan> = {}): CopyPlan => ({ dest, extractArchives: false, keepOwners: false, ...more });
  const copy = async (sources: string[], p: CopyPlan, tree: SourceTree = ctx) =>
    describeEntries(await listTar(await copyLayer(tree, await tree.select(sources), p, rootViewOf(rootfs))));

  before(async () => {
    base = await mkdtemp(join(tmpdir(), "berth-copy-"));
    rootfs = join(base, "rootfs");
    mkdirSync(join(rootfs, "ex"), { recursive: true, mode: 0o750 });
    chownSync(join(rootfs, "ex"), 5, 6);
    symlinkSync("/ex", join(rootfs, "lnk"));
    mkdirSync(join(rootfs, "deep/er"), { recursive: true });
    execFileSync("chmod", ["701", join(rootfs, "deep")]);
    writeFileSync(join(rootfs, "file"), "image file");
    mkdirSync(join(base, "ctx"));
    ctx = await receiveContext(bufferStream(makeTar(context)), { dir: join(base, "ctx") });
  });
  after(async () => {
    await ctx.close();
    await rm(base, { recursive: true, force: true });
  });

  it("writes a single file as the destination, creating parents 0755 root", async () => {
    assert.deepEqual(await copy(["a.txt"], plan("/new/f")), ["new/ dir 755 0:0", "new/f file 640 0:0 =a"]);
  });

  it("puts a file into a destination ending in /", async () => {
    assert.deepEqual(await copy(["a.txt"], plan("/x/")), ["x/ dir 755 0:0", "x/a.txt file 640 0:0 =a"]);
  });

  it("puts a file into an existing directory, which keeps the image's metadata", async () => {
    assert.deepEqual(await copy(["a.txt"], plan("/ex")), ["ex/ dir 750 5:6", "ex/a.txt file 640 0:0 =a"]);
  });

  it("follows a symlinked destination inside the image and writes under the resolved path", async () => {
    assert.deepEqual(await copy(["a.txt"], plan("/lnk")), ["ex/ dir 750 5:6", "ex/a.txt file 640 0:0 =a"]);
  });

  it("overwrites an existing file destination", async () => {
    assert.deepEqual(await copy(["b.txt"], plan("/file")), ["file file 644 0:0 =b"]);
  });

  it("copies a directory's contents; a new destination is 0755, not the source's mode", async () => {
    assert.deepEqual(await copy(["dir"], plan("/d")), ["d/ dir 755 0:0", "d/in/ dir 711 0:0", "d/in/f file 644 0:0 =f", "d/inlink symlink 777 0:0 -> in"]);
  });

  it("carries existing parents with the image's metadata", async () => {
    assert.deepEqual(await copy(["b.txt"], plan("/deep/er/new/f")), [
      "deep/ dir 701 0:0",
      "deep/er/ dir 755 0:0",
      "deep/er/new/ dir 755 0:0",
      "deep/er/new/f file 644 0:0 =b",
    ]);
  });

  it("refuses several sources without a trailing /, even into an existing directory", async () => {
    for (const [sources, dest] of [[["a.txt", "b.txt"], "/ex"], [["*.txt"], "/m"]] as const) {
      await assert.rejects(copy([...sources], plan(dest)), (err: Error) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.equal(err.message, "When using COPY with more than one source file, the destination must be a directory and end with a /");
        return true;
      });
    }
    assert.deepEqual(await copy(["*.txt"], plan("/m/")), ["m/ dir 755 0:0", "m/a.txt file 640 0:0 =a", "m/b.txt file 644 0:0 =b"]);
  });

  it("--chown owns new parents of a file, but only the new destination of a directory", async () => {
    const chown = { uid: 7, gid: 8 };
    assert.deepEqual(await copy(["a.txt"], plan("/np/q/r", { chown })), ["np/ dir 755 7:8", "np/q/ dir 755 7:8", "np/q/r file 640 7:8 =a"]);
    assert.deepEqual(await copy(["dir"], plan("/np2/q/r", { chown })), [
      "np2/ dir 755 0:0",
      "np2/q/ dir 755 0:0",
      "np2/q/r/ dir 755 7:8",
      "np2/q/r/in/ dir 711 7:8",
      "np2/q/r/in/f file 644 7:8 =f",
      "np2/q/r/inlink symlink 777 7:8 -> in",
    ]);
    // An existing destination directory is left as it was.
    assert.deepEqual((await copy(["dir"], plan("/ex/", { chown })))[0], "ex/ dir 750 5:6");
  });

  it("--chmod sets the mode of every copied entry", async () => {
    assert.deepEqual(await copy(["dir"], plan("/c", { chmod: 0o750 })), ["c/ dir 755 0:0", "c/in/ dir 750 0:0", "c/in/f file 750 0:0 =f", "c/inlink symlink 777 0:0 -> in"]);
  });

  it("keeps owners for COPY --from trees", async () => {
    const stage = join(base, "stage");
    mkdirSync(join(stage, "app"), { recursive: true });
    writeFileSync(join(stage, "app/bin"), "bin");
    chownSync(join(stage, "app/bin"), 33, 44);
    assert.deepEqual(await copy(["/app/bin"], plan("/usr/local/bin/", { keepOwners: true }), createFsTree(stage)), [
      "usr/ dir 755 0:0",
      "usr/local/ dir 755 0:0",
      "usr/local/bin/ dir 755 0:0",
      "usr/local/bin/bin file 644 33:44 =bin",
    ]);
  });

  it("ADD extracts tar archives by content (gzip or plain), keeping their owners, skipping .wh. names", async () => {
    const add = plan("/opt/", { extractArchives: true });
    const want = ["opt/ dir 755 0:0", "opt/pkg/ dir 711 3:4", "opt/pkg/bin file 755 3:4 =#!"];
    assert.deepEqual(await copy(["pkg.tar.gz"], add), want);
    assert.deepEqual(await copy(["pkg.tar"], add), want);
    // A gzip file that holds no tar is copied as it is.
    assert.deepEqual((await copy(["notatar.gz"], add)).map((l) => l.split(" ").slice(0, 2).join(" ")), ["opt/ dir", "opt/notatar.gz file"]);
    // COPY never extracts.
    assert.deepEqual((await copy(["pkg.tar"], plan("/opt/"))).map((l) => l.split(" ")[0]), ["opt/", "opt/pkg.tar"]);
  });

  it("ADD refuses archive entries that would leave the destination", async () => {
    for (const [name, why] of [
      ["evil-dotdot.tar", /"\.\.\/escape" is outside the destination/],
      ["evil-abs.tar", /"\/etc\/passwd" is an absolute path/],
      ["evil-link.tar", /"l\/passwd" passes through a symlink/],
      ["evil-hard.tar", /"h" is outside the destination/],
    ] as const) {
      await assert.rejects(copy([name], plan("/opt/", { extractArchives: true })), (err: Error) => {
        assert.ok(err instanceof InvalidArgumentError, name);
        assert.match(err.message, why);
        return true;
      });
    }
  });

  it("makes a layer that applies onto the image as dockerd's result looks", async () => {
    const target = join(base, "applied");
    execFileSync("cp", ["-a", rootfs, target]);
    const sel = await ctx.select(["a.txt", "dir"]);
    await applyLayer(target, await copyLayer(ctx, sel, plan("/lnk/"), rootViewOf(target)), { whiteouts: "remove" });
    assert.equal(readFileSync(join(target, "ex/a.txt"), "utf8"), "a");
    assert.equal(readFileSync(join(target, "ex/in/f"), "utf8"), "f");
    assert.equal(lstatSync(join(target, "lnk")).isSymbolicLink(), true);
    const ex = lstatSync(join(target, "ex"));
    assert.deepEqual([ex.mode & 0o7777, ex.uid, ex.gid], [0o750, 5, 6]);
  });
});
