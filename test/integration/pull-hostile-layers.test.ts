// Hostile and broken layers arriving by pull, where each layer is unpacked
// while it downloads (image/pull-staged.ts): a "../" escape, a write through
// a symlink, a layer whose content does not match its DiffID, bytes that are
// not gzip, a layer of several MB that breaks off inside the gzip stream.
// Each is refused with the error a load gives, writes nothing outside the
// data root, and leaves no image, blob or snapshot; a clean pull works
// afterwards.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { startDaemon, type Daemon } from "./harness.js";
import { census, pack, plainLayer, sha256, type Census, type TarEntry } from "./bad-input-fixtures.js";
import { oneLayerImage, startFakeRegistry } from "./distribution-fixtures.js";

const digest = (b: Buffer): string => `sha256:${sha256(b)}`;

/** A registry serving repo "evil/app:1" with `blob` as its one gzip layer and `diffId` in its config. */
const serve = (blob: Buffer, diffId: string) => startFakeRegistry({ repo: "evil/app", tag: "1", ...oneLayerImage(blob, diffId) });

describe("hostile and broken layers by pull", () => {
  let d: Daemon;
  const sentinelDir = mkdtempSync(join(tmpdir(), "bt-sentinel-"));
  const sentinel = join(sentinelDir, "sentinel");
  writeFileSync(sentinel, "untouched\n");
  let baseline: Census;

  before(async () => {
    d = await startDaemon();
    baseline = census(d.dataRoot);
  });
  after(async () => {
    await d?.destroy();
    await rm(sentinelDir, { recursive: true, force: true });
  });

  async function pullFails(blob: Buffer, diffId: string, message: RegExp): Promise<void> {
    const fake = await serve(blob, diffId);
    try {
      const r = await d.berth(["pull", `${fake.host}/evil/app:1`]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, message);
      assert.equal((await d.berth(["images", "-q", `${fake.host}/evil/app`])).stdout, "");
    } finally {
      await fake.stop();
    }
    assert.equal(await readFile(sentinel, "utf8"), "untouched\n");
    assert.deepEqual(await readdir(sentinelDir), ["sentinel"]);
    // What the failed pull stored is collected at once: the store is as it was.
    assert.deepEqual(census(d.dataRoot), baseline);
  }

  const up = "../".repeat(24);
  const hostile: [string, TarEntry[], RegExp][] = [
    ["a ../ escape", [{ name: `${up}${sentinel.slice(1)}`, data: Buffer.from("pwned\n") }], /invalid layer entry .*path escapes the root/],
    [
      "a symlink, then a write through it",
      [
        { name: "evil", type: "symlink", linkname: sentinelDir },
        { name: "evil/sentinel", data: Buffer.from("pwned\n") },
      ],
      /invalid layer entry "evil\/sentinel": "evil" is a symlink/,
    ],
  ];
  for (const [what, entries, message] of hostile) {
    test(`a pulled layer with ${what} is refused`, async () => {
      const tar = await pack(entries);
      await pullFails(gzipSync(tar), digest(tar), message);
    });
  }

  test("a pulled layer whose content does not match its DiffID is refused", async () => {
    const tar = await plainLayer("honest");
    const lie = digest(Buffer.from("something else"));
    await pullFails(gzipSync(tar), lie, new RegExp(`invalid diffID for layer sha256:[0-9a-f]{64}: expected ${lie}, got ${digest(tar)}`));
  });

  test("a pulled layer that is not gzip inside is refused", async () => {
    // The gzip magic, then garbage: the blob matches its digest, the stream does not inflate.
    const blob = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), randomBytes(4096)]);
    // zlib names what it met first: an invalid block type, stored lengths, code lengths…
    await pullFails(blob, digest(Buffer.from("x")), /^zlib: /m);
  });

  test("a pulled layer of several MB cut off inside its gzip stream is refused", async () => {
    const tar = await pack([{ name: "big", data: randomBytes(6 << 20) }]);
    const gz = gzipSync(tar);
    await pullFails(gz.subarray(0, gz.length >> 1), digest(tar), /unexpected end of file|unexpected EOF/i);
  });

  test("a clean layer pulls afterwards, and its files are there", async () => {
    const tar = await plainLayer("clean");
    const fake = await serve(gzipSync(tar), digest(tar));
    try {
      const r = await d.berth(["pull", `${fake.host}/evil/app:1`]);
      assert.equal(r.code, 0, r.stderr);
      const id = (await d.berth(["create", `${fake.host}/evil/app:1`, "x"])).stdout.trim();
      const out = await d.berth(["cp", `${id}:/etc/marker`, "-"]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /clean/);
      assert.equal((await d.berth(["rm", id])).code, 0);
    } finally {
      await fake.stop();
    }
  });
});
