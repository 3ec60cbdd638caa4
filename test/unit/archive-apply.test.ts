// applyLayer against tars built here with tar-stream: ordinary content, both
// whiteout modes, and every breakout trick we know, each checked against a
// sentinel directory beside the root that must stay untouched.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import * as tar from "tar-stream";
import { applyLayer, type WhiteoutMode } from "../../src/archive/apply.js";
import { InvalidArgumentError } from "../../src/errors.js";

type Entry = Partial<tar.Header> & { name: string; body?: string; pax?: Record<string, string> };

async function makeTar(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on("data", (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on("end", () => resolve(Buffer.concat(chunks)));
    pack.on("error", reject);
  });
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ mtime: new Date(1_600_000_000_000), ...header }, body ?? "", (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  return done;
}

const apply = async (root: string, entries: Entry[], whiteouts: WhiteoutMode = "remove") =>
  applyLayer(root, Readable.from([await makeTar(entries)]), { whiteouts });

/** Names, types, sizes, modes and mtimes of everything under dir: equal before and after means untouched. */
function fingerprint(dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string): void => {
    const st = lstatSync(join(dir, rel));
    out.push(`${rel} ${st.mode} ${st.size} ${st.mtimeMs} ${st.nlink} ${st.uid}`);
    if (st.isDirectory()) for (const name of readdirSync(join(dir, rel)).sort()) visit(join(rel, name));
  };
  visit(".");
  return out;
}

const getXattr = (path: string, name: string): string =>
  execFileSync("getfattr", ["-h", "--only-values", "-e", "hex", "-n", name, path]).toString("hex");

describe("applyLayer", () => {
  let base: string;
  let sentinel: string;
  let n = 0;
  const freshRoot = (): string => {
    const root = join(base, `root${n++}`);
    mkdirSync(root);
    return root;
  };

  before(async () => {
    base = await mkdtemp(join(tmpdir(), "berth-apply-"));
    sentinel = join(base, "sentinel");
    mkdirSync(join(sentinel, "sub"), { recursive: true });
    writeFileSync(join(sentinel, "secret"), "do not touch");
    writeFileSync(join(sentinel, "sub", "file"), "nested");
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("extracts files, dirs, links, devices and metadata", async () => {
    const root = freshRoot();
    // v2 capability with cap_net_bind_service, effective: 01000002 00040000 … (all bytes < 0x80, so tar-stream keeps them)
    const cap = Buffer.from("0100000200040000000000000000000000000000", "hex");
    const { size } = await apply(root, [
      { name: "etc/", type: "directory", mode: 0o750, uid: 1000, gid: 1001, mtime: new Date(1_500_000_000_000) },
      { name: "etc/hosts", mode: 0o644, uid: 1000, gid: 1001, body: "127.0.0.1 localhost\n" },
      { name: "bin/su", mode: 0o4755, uid: 0, gid: 0, body: "#!/bin/sh\n" },
      { name: "tmp/", type: "directory", mode: 0o1777 },
      { name: "bin/ping", mode: 0o755, body: "ping", pax: { "SCHILY.xattr.security.capability": cap.toString("latin1") } },
      { name: "bin/sh", type: "symlink", linkname: "busybox", uid: 7, gid: 8, mtime: new Date(1_400_000_000_000) },
      { name: "bin/su2", type: "link", linkname: "bin/su" },
      { name: "dev/null", type: "character-device", mode: 0o666, devmajor: 1, devminor: 3 },
      { name: "dev/loop0", type: "block-device", mode: 0o660, devmajor: 7, devminor: 0 },
      { name: "run/fifo", type: "fifo", mode: 0o640, uid: 5, gid: 6 },
      { name: "./", type: "directory", mode: 0o700 },
    ]);
    assert.equal(size, 20 + 10 + 4);

    const etc = statSync(join(root, "etc"));
    assert.equal(etc.mode & 0o7777, 0o750);
    assert.deepEqual([etc.uid, etc.gid], [1000, 1001]);
    assert.equal(etc.mtimeMs, 1_500_000_000_000, "directory mtime set after its contents");
    assert.equal(readFileSync(join(root, "etc/hosts"), "utf8"), "127.0.0.1 localhost\n");
    assert.equal(statSync(join(root, "etc/hosts")).uid, 1000);
    assert.equal(statSync(join(root, "etc/hosts")).mtimeMs, 1_600_000_000_000);
    assert.equal(statSync(join(root, "bin/su")).mode & 0o7777, 0o4755);
    assert.equal(statSync(join(root, "tmp")).mode & 0o7777, 0o1777);
    assert.equal(getXattr(join(root, "bin/ping"), "security.capability"), cap.toString("hex"));
    const sh = lstatSync(join(root, "bin/sh"));
    assert.ok(sh.isSymbolicLink());
    assert.equal(readlinkSync(join(root, "bin/sh")), "busybox");
    assert.deepEqual([sh.uid, sh.gid, sh.mtimeMs], [7, 8, 1_400_000_000_000]);
    assert.equal(statSync(join(root, "bin/su2")).ino, statSync(join(root, "bin/su")).ino);
    const devNull = lstatSync(join(root, "dev/null"));
    assert.ok(devNull.isCharacterDevice());
    assert.equal(devNull.rdev, (1 << 8) | 3);
    assert.equal(devNull.mode & 0o7777, 0o666);
    assert.ok(lstatSync(join(root, "dev/loop0")).isBlockDevice());
    const fifo = lstatSync(join(root, "run/fifo"));
    assert.ok(fifo.isFIFO());
    assert.deepEqual([fifo.mode & 0o777, fifo.uid, fifo.gid], [0o640, 5, 6]);
    assert.equal(statSync(root).mode & 0o777, 0o755, "the root's own entry is ignored");
  });

  it("replaces what exists: file over dir, dir over file, file over symlink; dir over dir keeps content", async () => {
    const root = freshRoot();
    mkdirSync(join(root, "wasdir/deep"), { recursive: true });
    writeFileSync(join(root, "wasfile"), "x");
    mkdirSync(join(root, "keep"));
    writeFileSync(join(root, "keep/old"), "old");
    symlinkSync(join(sentinel, "secret"), join(root, "link"));
    await apply(root, [
      { name: "wasdir", body: "now a file" },
      { name: "wasfile/", type: "directory" },
      { name: "keep/", type: "directory", mode: 0o700 },
      { name: "link", body: "replaced, not written through" },
    ]);
    assert.equal(readFileSync(join(root, "wasdir"), "utf8"), "now a file");
    assert.ok(statSync(join(root, "wasfile")).isDirectory());
    assert.equal(readFileSync(join(root, "keep/old"), "utf8"), "old");
    assert.equal(statSync(join(root, "keep")).mode & 0o777, 0o700);
    assert.ok(lstatSync(join(root, "link")).isFile());
    assert.equal(readFileSync(join(sentinel, "secret"), "utf8"), "do not touch");
  });

  it("whiteouts in remove mode delete, opaque dirs lose lower content but keep this layer's", async () => {
    const root = freshRoot();
    for (const f of ["a/keep", "a/gone", "b/dir/x", "opq/lower1", "opq/sub/lower2"]) {
      mkdirSync(join(root, f, ".."), { recursive: true });
      writeFileSync(join(root, f), "lower");
    }
    await apply(root, [
      { name: "a/.wh.gone" },
      { name: "b/.wh.dir" },
      { name: "nothere/.wh.x" },
      { name: "opq/", type: "directory" },
      { name: "opq/-early", body: "before the marker" },
      { name: "opq/.wh..wh..opq" },
      { name: "opq/new", body: "new" },
    ]);
    assert.ok(existsSync(join(root, "a/keep")));
    assert.ok(!existsSync(join(root, "a/gone")));
    assert.ok(!existsSync(join(root, "b/dir")));
    assert.ok(!existsSync(join(root, "nothere")), "a whiteout in a missing dir creates nothing");
    assert.deepEqual(readdirSync(join(root, "opq")).sort(), ["-early", "new"]);
  });

  it("whiteouts in overlay mode become 0/0 char devices and opaque xattrs", async () => {
    const root = freshRoot();
    await apply(
      root,
      [
        { name: "a/", type: "directory", mtime: new Date(1_234_000_000_000) },
        { name: "a/.wh.gone" },
        { name: "a/.wh.also" },
        { name: "opq/", type: "directory" },
        { name: "opq/.wh..wh..opq" },
        { name: "opq/new", body: "new" },
      ],
      "overlay",
    );
    for (const name of ["a/gone", "a/also"]) {
      const st = lstatSync(join(root, name));
      assert.ok(st.isCharacterDevice());
      assert.equal(st.rdev, 0);
    }
    assert.equal(getXattr(join(root, "opq"), "trusted.overlay.opaque"), Buffer.from("y").toString("hex"));
    assert.deepEqual(readdirSync(root).sort(), ["a", "opq"], "no whiteout template left behind");
    assert.equal(statSync(join(root, "a")).mtimeMs, 1_234_000_000_000);
  });

  it("does not take trusted.* xattrs from an image (they would forge overlay metadata)", async () => {
    const root = freshRoot();
    await apply(root, [{ name: "evil/", type: "directory", pax: { "SCHILY.xattr.trusted.overlay.opaque": "y", "SCHILY.xattr.user.note": "kept" } }], "overlay");
    assert.throws(() => getXattr(join(root, "evil"), "trusted.overlay.opaque"));
    assert.equal(getXattr(join(root, "evil"), "user.note"), Buffer.from("kept").toString("hex"));
  });

  it("handles long names and PAX records written by GNU tar", async () => {
    const src = join(base, "gnu-src");
    const long = `${"d".repeat(120)}/${"e".repeat(90)}/${"f".repeat(150)}`;
    mkdirSync(join(src, long, ".."), { recursive: true });
    writeFileSync(join(src, long), "long");
    symlinkSync("x".repeat(200), join(src, "longlink"));
    writeFileSync(join(src, "ünïcode"), "u");
    for (const format of ["gnu", "pax"]) {
      const layer = execFileSync("tar", ["-C", src, `--format=${format}`, "-cf", "-", "."]);
      const root = freshRoot();
      await applyLayer(root, Readable.from([layer]), { whiteouts: "remove" });
      assert.equal(readFileSync(join(root, long), "utf8"), "long", format);
      assert.equal(readlinkSync(join(root, "longlink")), "x".repeat(200), format);
      assert.equal(readFileSync(join(root, "ünïcode"), "utf8"), "u", format);
    }
  });

  it("rejects a truncated archive", async () => {
    const layer = await makeTar([{ name: "big", body: "y".repeat(5000) }]);
    await assert.rejects(applyLayer(freshRoot(), Readable.from([layer.subarray(0, 2048)]), { whiteouts: "remove" }), /unexpected end/);
  });

  describe("refuses to reach outside the root", () => {
    const passwd = statSync("/etc/passwd");
    const cases: Array<{ title: string; entries: (root: string) => Entry[]; bad: string; mode?: WhiteoutMode; setup?: (root: string) => void }> = [
      { title: "../ in a name", entries: () => [{ name: "../escape", body: "x" }], bad: "../escape" },
      { title: "deeper ../", entries: () => [{ name: "a/../../sentinel/pwned", body: "x" }], bad: "a/../../sentinel/pwned" },
      { title: "an absolute name", entries: () => [{ name: "/abs/path", body: "x" }], bad: "/abs/path" },
      { title: "a PAX path with ../", entries: () => [{ name: "innocent", body: "x", pax: { path: "../sentinel/pwned" } }], bad: "../sentinel/pwned" },
      {
        title: "an absolute symlink, then a write through it",
        entries: () => [{ name: "a", type: "symlink", linkname: sentinel }, { name: "a/pwned", body: "x" }],
        bad: "a/pwned",
      },
      {
        title: "a relative symlink to .., then a write through it",
        entries: () => [{ name: "a", type: "symlink", linkname: ".." }, { name: "a/sentinel/pwned", body: "x" }],
        bad: "a/sentinel/pwned",
      },
      {
        title: "a relative symlink to ../sentinel, then a dir through it",
        entries: () => [{ name: "a", type: "symlink", linkname: "../sentinel" }, { name: "a/newdir/", type: "directory" }],
        bad: "a/newdir/",
      },
      {
        title: "a symlink in a lower layer, written through",
        setup: (root) => symlinkSync(sentinel, join(root, "etc")),
        entries: () => [{ name: "etc/secret", body: "x" }],
        bad: "etc/secret",
      },
      { title: "a hard link to /etc/passwd", entries: () => [{ name: "pw", type: "link", linkname: "/etc/passwd" }], bad: "pw" },
      { title: "a hard link to ../x", entries: () => [{ name: "x", type: "link", linkname: "../sentinel/secret" }], bad: "x" },
      {
        title: "a hard link through a symlink",
        entries: () => [{ name: "s", type: "symlink", linkname: sentinel }, { name: "h", type: "link", linkname: "s/secret" }],
        bad: "h",
      },
      { title: "a whiteout of ..", entries: () => [{ name: ".wh.." }], bad: ".wh.." },
      { title: "a nested whiteout of ..", entries: () => [{ name: "sub/.wh.." }], bad: "sub/.wh..", mode: "overlay" },
      {
        title: "a whiteout through a symlink (remove)",
        entries: () => [{ name: "a", type: "symlink", linkname: sentinel }, { name: "a/.wh.secret" }],
        bad: "a/.wh.secret",
      },
      {
        title: "a whiteout through a symlink (overlay)",
        entries: () => [{ name: "a", type: "symlink", linkname: sentinel }, { name: "a/.wh.secret" }],
        bad: "a/.wh.secret",
        mode: "overlay",
      },
      {
        title: "an opaque marker through a symlink",
        entries: () => [{ name: "a", type: "symlink", linkname: sentinel }, { name: "a/.wh..wh..opq" }],
        bad: "a/.wh..wh..opq",
      },
      {
        title: "a directory replaced by a symlink, then written through",
        entries: () => [
          { name: "d/", type: "directory" },
          { name: "d/ok", body: "fine" },
          { name: "d", type: "symlink", linkname: sentinel },
          { name: "d/pwned", body: "x" },
        ],
        bad: "d/pwned",
      },
      {
        title: "a device through a symlink",
        entries: () => [{ name: "a", type: "symlink", linkname: sentinel }, { name: "a/null", type: "character-device", devmajor: 1, devminor: 3 }],
        bad: "a/null",
      },
    ];
    for (const c of cases) {
      it(c.title, async () => {
        const root = freshRoot();
        c.setup?.(root);
        const before = fingerprint(sentinel);
        const siblings = readdirSync(base).sort();
        await assert.rejects(apply(root, c.entries(root), c.mode), (err: unknown) => {
          assert.ok(err instanceof InvalidArgumentError, String(err));
          assert.ok(err.message.includes(JSON.stringify(c.bad)), `${err.message} names ${c.bad}`);
          return true;
        });
        assert.deepEqual(fingerprint(sentinel), before);
        assert.deepEqual(readdirSync(base).sort(), siblings);
        const pw = statSync("/etc/passwd");
        assert.deepEqual([pw.nlink, pw.mtimeMs, pw.size], [passwd.nlink, passwd.mtimeMs, passwd.size]);
      });
    }
  });
});
