// packDirectory and diffTrees, checked by applying what they produce and
// comparing trees, and by reading the tars with an independent parser (tar-stream).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import * as tar from "tar-stream";
import { applyLayer } from "../../src/archive/apply.js";
import { diffTrees, packDirectory } from "../../src/archive/diff.js";

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function entries(layer: Buffer): Promise<Array<{ name: string; type: string; linkname: string | null }>> {
  const out: Array<{ name: string; type: string; linkname: string | null }> = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      out.push({ name: header.name, type: header.type, linkname: header.linkname ?? null });
      stream.on("end", () => next());
      stream.resume();
    });
    extract.on("finish", () => resolve());
    extract.on("error", reject);
  });
  extract.end(layer);
  await done;
  return out;
}

/** Everything `ls -l` and getfattr would show, per path; hard links by shared inode. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const inodes = new Map<number, string>();
  const visit = (rel: string): void => {
    const abs = join(dir, rel);
    const st = lstatSync(abs);
    let what = `${rel} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${Math.floor(st.mtimeMs / 1000)}`;
    if (st.isFile()) {
      what += ` ${readFileSync(abs, "hex")}`;
      if (st.nlink > 1) {
        what += ` inode-of=${inodes.get(st.ino) ?? rel}`;
        if (!inodes.has(st.ino)) inodes.set(st.ino, rel);
      }
      what += ` cap=${execFileSync("getfattr", ["-h", "--absolute-names", "-d", "-e", "hex", "-m", "security.capability", abs]).toString().split("\n")[1] ?? ""}`;
    }
    if (st.isSymbolicLink()) what += ` -> ${readlinkSync(abs)}`;
    if (st.isCharacterDevice() || st.isBlockDevice()) what += ` dev=${st.rdev}`;
    out.push(what);
    if (st.isDirectory()) for (const name of readdirSync(abs).sort()) visit(rel === "" ? name : `${rel}/${name}`);
  };
  for (const name of readdirSync(dir).sort()) visit(name);
  return out;
}

describe("packDirectory and diffTrees", () => {
  let base: string;
  let tree: string;
  const t = 1_650_000_000;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), "berth-diff-"));
    tree = join(base, "tree");
    const long = "a".repeat(110) + "/" + "b".repeat(120);
    for (const d of ["etc", "usr/bin", "dir/sub", long]) mkdirSync(join(tree, d), { recursive: true });
    writeFileSync(join(tree, "etc/config"), "key=value\n");
    writeFileSync(join(tree, "usr/bin/tool"), Buffer.from([0, 1, 2, 255, 128]));
    chmodSync(join(tree, "usr/bin/tool"), 0o4755);
    linkSync(join(tree, "usr/bin/tool"), join(tree, "usr/bin/tool-alias"));
    symlinkSync("../etc/config", join(tree, "usr/config-link"));
    writeFileSync(join(tree, long, "deep.txt"), "deep");
    writeFileSync(join(tree, "dir/sub/file"), "x");
    execFileSync("mknod", [join(tree, "dir/fifo"), "p"]);
    execFileSync("mknod", [join(tree, "dir/null"), "c", "1", "3"]);
    lchownSync(join(tree, "etc/config"), 1000, 2000);
    lchownSync(join(tree, "usr/config-link"), 33, 33);
    // A capability whose bytes are not valid UTF-8 (cap_setuid = bit 7 → 0x80).
    execFileSync("setfattr", ["-n", "security.capability", "-v", "0x0100000280000000000000000000000000000000", join(tree, "usr/bin/tool")]);
    for (const p of ["etc/config", "usr/bin/tool", long + "/deep.txt", "dir/sub/file", "dir/fifo", "dir/null"]) utimesSync(join(tree, p), t, t);
    lutimesSync(join(tree, "usr/config-link"), t, t);
    for (const d of ["etc", "usr/bin", "usr", "dir/sub", "dir", long, "a".repeat(110)]) utimesSync(join(tree, d), t, t);
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("packDirectory round-trips a tree through applyLayer", async () => {
    const layer = await collect(packDirectory(tree));
    const out = join(base, "unpacked");
    mkdirSync(out);
    await applyLayer(out, Readable.from([layer]), { whiteouts: "remove" });
    assert.deepEqual(snapshot(out), snapshot(tree));
    // GNU tar reads it too.
    assert.match(execFileSync("tar", ["-tvf", "-"], { input: layer }).toString(), /usr\/bin\/tool-alias link to usr\/bin\/tool/);
  });

  it("packDirectory lists parents before children, in byte order, dirs with a slash", async () => {
    const names = (await entries(await collect(packDirectory(tree)))).map((e) => e.name);
    assert.deepEqual(names.slice(0, 1), ["a".repeat(110) + "/"]);
    assert.deepEqual(
      names.filter((n) => !n.startsWith("a")),
      ["dir/", "dir/fifo", "dir/null", "dir/sub/", "dir/sub/file", "etc/", "etc/config", "usr/", "usr/bin/", "usr/bin/tool", "usr/bin/tool-alias", "usr/config-link"],
    );
  });

  it("diffTrees emits changes and whiteouts, and applying them turns lower into upper", async () => {
    const lower = join(base, "lower");
    const upper = join(base, "upper");
    execFileSync("cp", ["-a", tree, lower]);
    execFileSync("cp", ["-a", tree, upper]);
    writeFileSync(join(upper, "etc/config"), "key=changed\n");
    writeFileSync(join(upper, "etc/new"), "new");
    rmSync(join(upper, "dir/sub"), { recursive: true });
    rmSync(join(upper, "usr/config-link"));
    mkdirSync(join(upper, "added/deeper"), { recursive: true });
    writeFileSync(join(upper, "added/deeper/f"), "f");
    rmSync(join(upper, "dir/fifo"));
    mkdirSync(join(upper, "dir/fifo"));
    chmodSync(join(upper, "usr/bin"), 0o700);

    const layer = await collect(diffTrees(lower, upper));
    assert.deepEqual(
      (await entries(layer)).map((e) => e.name),
      [
        "added/",
        "added/deeper/",
        "added/deeper/f",
        "dir/",
        "dir/fifo/",
        "dir/.wh.sub",
        "etc/",
        "etc/config",
        "etc/new",
        "usr/",
        "usr/bin/",
        "usr/.wh.config-link",
      ],
    );
    await applyLayer(lower, Readable.from([layer]), { whiteouts: "remove" });
    assert.deepEqual(snapshot(lower), snapshot(upper));
  });

  it("diffTrees of identical trees is an empty archive", async () => {
    const copy = join(base, "copy");
    execFileSync("cp", ["-a", tree, copy]);
    assert.deepEqual(await entries(await collect(diffTrees(tree, copy))), []);
  });
});
