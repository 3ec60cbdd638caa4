// unpackInThread runs a layer's inflate, DiffID and apply on a worker thread:
// what it unpacks and hashes must be what the in-place path would, its typed
// errors must survive the crossing, and once it settles the worker must have
// stopped writing (the caller removes the directory right after a failure).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import * as tar from "tar-stream";
import { InvalidArgumentError } from "../../src/errors.js";
import { unpackInThread } from "../../src/image/unpack-threads.js";

type Entry = Partial<tar.Header> & { name: string; body?: Buffer | string };

async function makeTar(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on("data", (c: unknown) => chunks.push(c as Buffer));
    pack.on("end", () => resolve(Buffer.concat(chunks)));
    pack.on("error", reject);
  });
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) => pack.entry({ mtime: new Date(1_600_000_000_000), ...header }, body ?? "", (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  return done;
}

const sha256 = (b: Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** `data` in network-sized chunks, optionally failing after `failAfter` bytes. */
async function* chunked(data: Buffer, opts: { size?: number; failAfter?: number } = {}): AsyncGenerator<Buffer> {
  const size = opts.size ?? 64 * 1024;
  for (let off = 0; off < data.length; off += size) {
    if (opts.failAfter !== undefined && off >= opts.failAfter) throw new Error("connection reset by peer");
    yield data.subarray(off, off + size);
    await new Promise((r) => setImmediate(r));
  }
}

describe("unpackInThread", () => {
  let base: string;
  let n = 0;
  const fresh = async (): Promise<string> => {
    const dir = join(base, `layer-${n++}`);
    await mkdir(dir);
    return dir;
  };
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "berth-unpack-threads-"));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("unpacks a gzip layer, hashes it into its DiffID and keeps the compressed bytes", async () => {
    // Larger than the slabs and the in-flight window, so that credit has to flow back.
    const big = Buffer.alloc(9 << 20);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    const layer = await makeTar([
      { name: "etc/", type: "directory", mode: 0o755 },
      { name: "etc/hostname", body: "berth\n", mode: 0o644 },
      { name: "data/big", body: big, mode: 0o600 },
      { name: "bin/sh", type: "symlink", linkname: "busybox" },
    ]);
    const gz = gzipSync(layer);
    const dir = await fresh();
    const keep = join(base, "kept.gz");
    const r = await unpackInThread(dir, chunked(gz), { whiteouts: "overlay", keep });
    assert.equal(r.digest, sha256(layer));
    assert.deepEqual(r.kept, { digest: sha256(gz), size: gz.length });
    assert.ok(readFileSync(keep).equals(gz));
    assert.equal(readFileSync(join(dir, "etc/hostname"), "utf8"), "berth\n");
    assert.ok(readFileSync(join(dir, "data/big")).equals(big));
    assert.equal(statSync(join(dir, "data/big")).mode & 0o777, 0o600);
    assert.equal(r.size, big.length + "berth\n".length);
  });

  it("takes a plain tar and several layers at once", async () => {
    const layers = await Promise.all([0, 1, 2, 3, 4].map((i) => makeTar([{ name: `f${i}`, body: `layer ${i}\n` }])));
    const dirs = await Promise.all(layers.map(() => fresh()));
    const results = await Promise.all(layers.map((l, i) => unpackInThread(dirs[i]!, chunked(i % 2 ? gzipSync(l) : l, { size: 100 }), { whiteouts: "overlay" })));
    for (const [i, r] of results.entries()) {
      assert.equal(r.digest, sha256(layers[i]!));
      assert.equal(r.kept, undefined);
      assert.equal(readFileSync(join(dirs[i]!, `f${i}`), "utf8"), `layer ${i}\n`);
    }
  });

  it("rejects a breakout with the applier's InvalidArgumentError, and the compressed digest of what it had", async () => {
    const dir = await fresh();
    const gz = gzipSync(await makeTar([{ name: "../escaped", body: "x" }]));
    const err = await unpackInThread(dir, chunked(gz), { whiteouts: "overlay", keep: join(base, "escape.gz") }).then(
      () => assert.fail("a breakout was applied"),
      (e: Error & { kept?: unknown }) => e,
    );
    assert.ok(err instanceof InvalidArgumentError, `got ${err.name}: ${err.message}`);
    assert.match(err.message, /escaped/);
    // Every byte had been sent when the entry failed: the caller may still judge the blob.
    assert.deepEqual((err as { kept?: unknown }).kept, { digest: sha256(gz), size: gz.length });
    assert.equal(existsSync(join(base, "escaped")), false);
  });

  it("gives the blob's digest with a failure that comes at the stream's very end (a gzip trailer that does not match)", async () => {
    const gz = gzipSync(await makeTar([{ name: "f", body: "contents" }]));
    const bad = Buffer.from(gz);
    bad.writeUInt32LE((bad.readUInt32LE(bad.length - 8) + 1) >>> 0, bad.length - 8);
    const err = await unpackInThread(await fresh(), chunked(bad), { whiteouts: "overlay", keep: join(base, "bad.gz") }).then(
      () => assert.fail("a bad checksum was accepted"),
      (e: Error & { kept?: { digest: string; size: number } }) => e,
    );
    assert.deepEqual(err.kept, { digest: sha256(bad), size: bad.length });
  });

  it("fails with the download's own error, and only once the worker has stopped writing", async () => {
    const files = Array.from({ length: 400 }, (_, i) => ({ name: `d/f${i}`, body: Buffer.alloc(8192, i) }));
    const gz = gzipSync(await makeTar(files), { level: 0 });
    const dir = await fresh();
    await assert.rejects(unpackInThread(dir, chunked(gz, { size: 16 * 1024, failAfter: gz.length / 2 }), { whiteouts: "overlay" }), /connection reset/);
    const seen = readdirSync(join(dir, "d")).length;
    assert.ok(seen > 0 && seen < 400, `${seen} files`);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(readdirSync(join(dir, "d")).length, seen);
  });
});
