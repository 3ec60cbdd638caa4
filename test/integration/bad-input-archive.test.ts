// Hostile and broken archives through `berth load` and `berth import`: layers
// that climb out with "../", name absolute paths, write through a symlink or
// hard-link /etc/passwd; a layer that lies about its DiffID; a truncated
// archive; random bytes. Each is refused with a clear error, touches nothing
// outside the data root (a sentinel file and /etc/passwd stay as they were),
// and leaves no image, blob, ingest file or snapshot behind. A clean archive
// loads afterwards, proving the daemon and the store still work.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startDaemon, type Daemon } from "./harness.js";
import { census, dockerArchive, pack, plainLayer, sha256, type Census, type TarEntry } from "./bad-input-fixtures.js";

describe("hostile and broken archives", () => {
  let d: Daemon;
  // Made now, not in before(): the hostile entries below are built from its path.
  const sentinelDir = mkdtempSync(join(tmpdir(), "bt-sentinel-"));
  const sentinel = join(sentinelDir, "sentinel");
  writeFileSync(sentinel, "untouched\n");
  let baseline: Census;
  let passwd: { hash: string; nlink: number };

  const passwdNow = async (): Promise<{ hash: string; nlink: number }> => ({
    hash: sha256(await readFile("/etc/passwd")),
    nlink: (await stat("/etc/passwd")).nlink,
  });

  before(async () => {
    d = await startDaemon();
    baseline = census(d.dataRoot);
    passwd = await passwdNow();
  });
  after(async () => {
    await d?.destroy();
    await rm(sentinelDir, { recursive: true, force: true });
  });

  /** Nothing outside the data root changed, and the data root holds what it held before. */
  async function assertNothingLeft(tag: string): Promise<void> {
    assert.equal(await readFile(sentinel, "utf8"), "untouched\n");
    assert.deepEqual(await readdir(sentinelDir), ["sentinel"]);
    assert.deepEqual(await passwdNow(), passwd);
    const images = await d.berth(["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert.equal(images.code, 0, images.stderr);
    assert.equal(images.stdout, "busybox:latest\n", `no image from ${tag} may be listed`);
    assert.deepEqual(census(d.dataRoot), baseline, `${tag} left blobs, ingest files or snapshots behind`);
  }

  // From a snapshot's directory, enough "../" to reach / whatever the data root's depth.
  const up = "../".repeat(24);
  const hostile: [string, TarEntry[], RegExp][] = [
    ["a ../ escape", [{ name: `${up}${sentinel.slice(1)}`, data: Buffer.from("pwned\n") }], /invalid layer entry .*path escapes the root/],
    ["a nested ../ escape", [{ name: "etc/" , type: "directory" }, { name: `etc/${up}${sentinelDir.slice(1)}/new`, data: Buffer.from("pwned\n") }], /invalid layer entry .*path escapes the root/],
    ["an absolute path", [{ name: sentinel, data: Buffer.from("pwned\n") }], /invalid layer entry .*absolute path/],
    [
      "a symlink, then a write through it",
      [
        { name: "evil", type: "symlink", linkname: sentinelDir },
        { name: "evil/sentinel", data: Buffer.from("pwned\n") },
      ],
      /invalid layer entry "evil\/sentinel": "evil" is a symlink/,
    ],
    [
      "a relative symlink climbing out, then a write through it",
      [
        { name: "evil", type: "symlink", linkname: `${up}${sentinelDir.slice(1)}` },
        { name: "evil/new", data: Buffer.from("pwned\n") },
      ],
      /invalid layer entry "evil\/new": "evil" is a symlink/,
    ],
    ["a hard link to /etc/passwd", [{ name: "passwd", type: "link", linkname: "/etc/passwd" }], /invalid layer entry "passwd": hard link target "\/etc\/passwd" is outside the root/],
    ["a hard link climbing to /etc/passwd", [{ name: "passwd", type: "link", linkname: `${up}etc/passwd` }], /invalid layer entry "passwd": hard link target .* is outside the root/],
    [
      "a hard link through a symlink to /etc",
      [
        { name: "etc", type: "symlink", linkname: "/etc" },
        { name: "passwd", type: "link", linkname: "etc/passwd" },
      ],
      /invalid layer entry "passwd": "etc" is a symlink/,
    ],
  ];

  for (const [what, entries, message] of hostile) {
    test(`load refuses a layer with ${what}`, async () => {
      const tag = `evil-${randomBytes(3).toString("hex")}:1`;
      // A good layer below the hostile one: its snapshot must go too.
      const { archive } = await dockerArchive({ tag, layers: [await plainLayer(tag), await pack(entries)] });
      const r = await d.berth(["load"], { input: archive });
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stdout, /Loaded image/);
      await assertNothingLeft(what);
    });

    test(`import refuses a tarball with ${what}`, async () => {
      const r = await d.berth(["import", "-", `evil-import:${randomBytes(3).toString("hex")}`], { input: await pack(entries) });
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, message);
      await assertNothingLeft(what);
    });
  }

  test("load refuses a layer whose content does not match its DiffID", async () => {
    const layer = await plainLayer("honest");
    const lie = `sha256:${sha256("something else")}`;
    const { archive } = await dockerArchive({ tag: "liar:1", layers: [layer], diffIds: [lie] });
    const r = await d.berth(["load"], { input: archive });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`invalid diffID for layer sha256:${sha256(layer)}: expected ${lie}, got sha256:${sha256(layer)}`));
    await assertNothingLeft("a lying DiffID");
  });

  test("load refuses a blob whose bytes do not match its name", async () => {
    const { archive } = await dockerArchive({ tag: "tampered:1", layers: [await plainLayer("original")] });
    // Same length, one byte changed inside the layer's file content: the blob no longer has its name's digest.
    const at = archive.indexOf("original");
    const tampered = Buffer.from(archive);
    tampered[at] = "O".charCodeAt(0);
    const r = await d.berth(["load"], { input: tampered });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /digest mismatch: expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}/);
    await assertNothingLeft("a tampered blob");
  });

  test("load refuses a truncated archive", async () => {
    const { archive } = await dockerArchive({ tag: "cut:1", layers: [await plainLayer(randomBytes(64 * 1024).toString("hex"))] });
    const r = await d.berth(["load"], { input: archive.subarray(0, Math.floor(archive.length / 2)) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error processing tar file: unexpected EOF|unexpected EOF/);
    await assertNothingLeft("a truncated archive");
  });

  test("load and import refuse random bytes", async () => {
    const junk = randomBytes(256 * 1024);
    const load = await d.berth(["load"], { input: junk });
    assert.equal(load.code, 1);
    assert.match(load.stderr, /^Error response from daemon: Error processing tar file: .*tar/m);
    const imp = await d.berth(["import", "-", "junk:1"], { input: junk });
    assert.equal(imp.code, 1);
    assert.match(imp.stderr, /^Error response from daemon: .*tar/m);
    await assertNothingLeft("random bytes");
  });

  test("after all that, a clean archive loads, and removing it leaves the store as it was", async () => {
    const { archive, id } = await dockerArchive({ tag: "clean:1", layers: [await plainLayer("clean\n")] });
    const r = await d.berth(["load"], { input: archive });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Loaded image: clean:1\n");
    assert.equal((await d.berth(["image", "inspect", "--format", "{{.Id}}", "clean:1"])).stdout.trim(), id);
    assert.equal((await d.berth(["rmi", "clean:1"])).code, 0);
    assert.deepEqual(census(d.dataRoot), baseline);
  });
});
