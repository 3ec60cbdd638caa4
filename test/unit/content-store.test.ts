import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { createContentStore } from "../../src/content/local.js";
import type { ContentStore } from "../../src/content/store.js";
import { InvalidArgumentError, NotFoundError } from "../../src/errors.js";
import { digestOf } from "../../src/oci/digest.js";

describe("local content store", () => {
  let root: string;
  let store: ContentStore;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "berth-content-"));
    store = createContentStore(root);
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const chunks = (data: Buffer, size = 1000): Readable =>
    Readable.from((function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    })());

  it("ingests a stream, verifies, and serves it back", async () => {
    const data = Buffer.alloc(100_000, 7);
    const info = await store.ingest(chunks(data), { digest: digestOf(data), size: data.length });
    assert.deepEqual(info, { digest: digestOf(data), size: data.length });
    assert.deepEqual(await store.info(info.digest), info);
    assert.ok((await store.readBytes(info.digest)).equals(data));
    const read: Buffer[] = [];
    for await (const c of await store.read(info.digest)) read.push(c as Buffer);
    assert.ok(Buffer.concat(read).equals(data));
    const file = path.join(root, "blobs", "sha256", info.digest.slice(7));
    assert.equal((await fs.stat(file)).size, data.length);
    assert.ok((await store.list()).some((b) => b.digest === info.digest));
  });

  it("computes the digest when none is expected", async () => {
    const info = await store.ingest(Buffer.from("hello"));
    assert.equal(info.digest, digestOf("hello"));
  });

  it("rejects a wrong digest and leaves nothing visible", async () => {
    const data = Buffer.from("actual bytes");
    const wrong = digestOf("other bytes");
    await assert.rejects(store.ingest(chunks(data, 3), { digest: wrong }), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, new RegExp(wrong));
      assert.match(err.message, new RegExp(digestOf(data)));
      return true;
    });
    assert.equal(await store.info(wrong), undefined);
    assert.equal(await store.info(digestOf(data)), undefined);
    assert.deepEqual(await fs.readdir(path.join(root, "ingest")), []);
  });

  it("rejects a wrong size", async () => {
    const data = Buffer.from("twelve bytes");
    await assert.rejects(store.ingest(data, { size: 5 }), InvalidArgumentError);
    await assert.rejects(store.ingest(chunks(data, 2), { digest: digestOf(data), size: 100 }), /size mismatch/);
    assert.equal(await store.info(digestOf(data)), undefined);
    assert.deepEqual(await fs.readdir(path.join(root, "ingest")), []);
  });

  it("survives concurrent ingests of one digest", async () => {
    const data = Buffer.alloc(300_000, 42);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.ingest(chunks(data, 4096), { digest: digestOf(data) })),
    );
    for (const r of results) assert.deepEqual(r, { digest: digestOf(data), size: data.length });
    assert.ok((await store.readBytes(digestOf(data))).equals(data));
    assert.deepEqual(await fs.readdir(path.join(root, "ingest")), []);
  });

  it("throws NotFoundError for a missing blob and ignores deleting one", async () => {
    const missing = digestOf("never stored");
    await assert.rejects(store.read(missing), NotFoundError);
    await assert.rejects(store.readBytes(missing), NotFoundError);
    await store.delete(missing);
    const info = await store.ingest(Buffer.from("to delete"));
    await store.delete(info.digest);
    assert.equal(await store.info(info.digest), undefined);
  });

  it("rejects a malformed digest", async () => {
    await assert.rejects(store.info("sha256:nothex"), InvalidArgumentError);
  });

  it("clears leftover ingests when opened", async () => {
    await fs.writeFile(path.join(root, "ingest", "leftover"), "partial");
    createContentStore(root);
    assert.deepEqual(await fs.readdir(path.join(root, "ingest")), []);
  });
  it("publishes a writer's blob only when its digest and the file's size match", async () => {
    const data = Buffer.alloc(50_000, 9);
    const want = { digest: digestOf(data), size: data.length };

    const good = await store.openWriter(want);
    await fs.writeFile(good.path, data);
    assert.deepEqual(await good.commit(want), want);
    assert.ok((await store.readBytes(want.digest)).equals(data));
    await store.delete(want.digest);

    // What the writer hashed is not what was asked for: refused, and the file is gone.
    const wrong = await store.openWriter(want);
    const other = Buffer.alloc(50_000, 8);
    await fs.writeFile(wrong.path, other);
    await assert.rejects(wrong.commit({ digest: digestOf(other), size: other.length }), (err: Error) => err instanceof InvalidArgumentError && /digest mismatch/.test(err.message));
    await assert.rejects(fs.stat(wrong.path), { code: "ENOENT" });
    assert.equal(await store.info(want.digest), undefined);

    // The file, not the writer's count, decides the size.
    const short = await store.openWriter(want);
    await fs.writeFile(short.path, data.subarray(1));
    await assert.rejects(short.commit(want), (err: Error) => err instanceof InvalidArgumentError && /size mismatch/.test(err.message));
    assert.equal(await store.info(want.digest), undefined);

    const dropped = await store.openWriter(want);
    await dropped.abort();
    await assert.rejects(fs.stat(dropped.path), { code: "ENOENT" });
    assert.deepEqual(await fs.readdir(path.join(root, "ingest")), []);
  });
});
