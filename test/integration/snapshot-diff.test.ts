// diffOverlay on a real overlay mount: changes made through the merged view
// (edit, delete, rename, replace a dir, hard link, setcap) come back as
// exactly the expected entries and whiteouts, and applying base + diff with
// the vfs rules rebuilds the merged view.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import * as tar from "tar-stream";
import { applyLayer } from "../../src/archive/apply.js";
import { mountAll, unmount } from "../../src/mount/mount.js";
import { createOverlaySnapshotter } from "../../src/snapshot/overlay.js";
import type { Snapshotter } from "../../src/snapshot/snapshotter.js";
import { openDatabase, type DB } from "../../src/store/db.js";

type Entry = { name: string; body?: string; type?: "directory"; mode?: number };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { body, ...h } of entries) pack.entry({ mode: h.type === "directory" ? 0o755 : 0o644, mtime: new Date(1_600_000_000_000), ...h }, body ?? "");
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listing(layer: Buffer): Promise<string[]> {
  const out: string[] = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (h, body, next) => {
      out.push(h.type === "link" ? `${h.name} => ${h.linkname}` : h.name);
      body.on("end", () => next());
      body.resume();
    });
    extract.on("finish", () => resolve());
    extract.on("error", reject);
  });
  extract.end(layer);
  await done;
  return out;
}

function describeTree(dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string): void => {
    const abs = join(dir, rel);
    const st = lstatSync(abs);
    let line = `${rel} ${st.mode.toString(8)} ${st.uid}:${st.gid}`;
    if (!st.isDirectory()) line += ` ${Math.floor(st.mtimeMs / 1000)}`;
    if (st.isFile()) {
      line += ` ${readFileSync(abs, "utf8")} nlink=${st.nlink}`;
      line += ` ${execFileSync("getfattr", ["--absolute-names", "-d", "-e", "hex", "-m", "security.capability", abs]).toString().split("\n")[1] ?? ""}`;
    }
    if (st.isSymbolicLink()) line += ` -> ${readlinkSync(abs)}`;
    out.push(line);
    if (st.isDirectory()) for (const n of readdirSync(abs).sort()) visit(rel === "" ? n : `${rel}/${n}`);
  };
  for (const n of readdirSync(dir).sort()) visit(n);
  return out;
}

describe("diffOverlay through a real overlay mount", () => {
  let base: string;
  let db: DB;
  let sn: Snapshotter;
  let rootfs: string;
  let baseLayer: Buffer;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), "berth-ovdiff-"));
    db = openDatabase(join(base, "berth.db"));
    sn = createOverlaySnapshotter(join(base, "overlay2"), db);
    rootfs = join(base, "rootfs");
    mkdirSync(rootfs);
    baseLayer = await tarOf([
      { name: "bin/", type: "directory" },
      { name: "bin/tool", body: "tool", mode: 0o755 },
      { name: "etc/", type: "directory" },
      { name: "etc/group", body: "root:x:0:" },
      { name: "etc/passwd", body: "root:x:0:0::/root:/bin/sh" },
      { name: "usr/", type: "directory" },
      { name: "usr/lib/", type: "directory" },
      { name: "usr/lib/libx.so", body: "x" },
      { name: "usr/lib/liby.so", body: "y" },
      { name: "var/", type: "directory" },
      { name: "var/cache/", type: "directory" },
      { name: "var/cache/a", body: "a" },
      { name: "var/cache/sub/", type: "directory" },
      { name: "var/cache/sub/b", body: "b" },
    ]);
    await sn.prepare("extract", undefined);
    await applyLayer(sn.writableDir("extract"), Readable.from([baseLayer]), { whiteouts: "overlay" });
    await sn.commit("base", "extract");
  });
  after(async () => {
    await unmount(rootfs);
    db.close();
    await rm(base, { recursive: true, force: true });
  });

  it("emits exactly the changed entries, whiteouts and opaque markers", async () => {
    await mountAll(await sn.prepare("ctr", "base"), rootfs);
    writeFileSync(join(rootfs, "etc/passwd"), "root:x:0:0::/root:/bin/ash");
    rmSync(join(rootfs, "etc/group"));
    rmSync(join(rootfs, "var/cache"), { recursive: true });
    mkdirSync(join(rootfs, "var/cache"));
    writeFileSync(join(rootfs, "var/cache/fresh"), "fresh");
    mkdirSync(join(rootfs, "new/dir"), { recursive: true });
    writeFileSync(join(rootfs, "new/dir/file"), "linked");
    linkSync(join(rootfs, "new/dir/file"), join(rootfs, "new/dir/link"));
    // cap_setuid: a byte ≥ 0x80 in the value.
    execFileSync("setfattr", ["-n", "security.capability", "-v", "0x0100000280000000000000000000000000000000", join(rootfs, "bin/tool")]);
    renameSync(join(rootfs, "usr/lib/libx.so"), join(rootfs, "usr/lib/libz.so"));
    const merged = describeTree(rootfs);
    await unmount(rootfs);

    const layer = await collect(sn.diff("ctr"));
    assert.deepEqual(await listing(layer), [
      "bin/",
      "bin/tool",
      "etc/",
      "etc/.wh.group",
      "etc/passwd",
      "new/",
      "new/dir/",
      "new/dir/file",
      "new/dir/link => new/dir/file",
      "usr/",
      "usr/lib/",
      "usr/lib/.wh.libx.so",
      "usr/lib/libz.so",
      "var/",
      "var/cache/",
      "var/cache/.wh..wh..opq",
      "var/cache/fresh",
    ]);

    // Base then diff, applied the vfs way, is the merged view.
    const rebuilt = join(base, "rebuilt");
    mkdirSync(rebuilt);
    await applyLayer(rebuilt, Readable.from([baseLayer]), { whiteouts: "remove" });
    await applyLayer(rebuilt, Readable.from([layer]), { whiteouts: "remove" });
    assert.deepEqual(describeTree(rebuilt), merged);

    // And applied the overlay way as a new layer, it mounts to the same view.
    await sn.prepare("extract-2", "base");
    await applyLayer(sn.writableDir("extract-2"), Readable.from([layer]), { whiteouts: "overlay" });
    await sn.commit("committed-diff", "extract-2");
    await mountAll(await sn.prepare("ctr-2", "committed-diff"), rootfs);
    try {
      assert.deepEqual(describeTree(rootfs), merged);
    } finally {
      await unmount(rootfs);
    }
  });
});
