// tee() feeds one stream to two readers; when one of them gives up (the blob
// store hit a full disk), the other must see an error, not wait forever.
import assert from "node:assert/strict";
import { PassThrough, Readable } from "node:stream";
import { describe, test } from "node:test";
import { tee } from "../../src/image/unpack.js";

const chunks = (n: number): Readable => Readable.from(Array.from({ length: n }, () => Buffer.alloc(64 * 1024, 1)));

describe("tee", () => {
  test("gives both readers every byte", async () => {
    const sink = new PassThrough();
    let sunk = 0;
    sink.on("data", (c: Buffer) => (sunk += c.length));
    const sinkDone = new Promise((resolve) => sink.on("end", resolve));
    let passed = 0;
    for await (const c of tee(chunks(20), sink)) passed += c.length;
    await sinkDone;
    assert.equal(passed, 20 * 64 * 1024);
    assert.equal(sunk, passed);
  });

  test("fails, rather than hangs, when the sink's reader destroys it midway", { timeout: 20_000 }, async () => {
    const sink = new PassThrough({ highWaterMark: 1024 });
    let seen = 0;
    (async () => {
      try {
        for await (const _ of sink) {
          if (++seen === 2) throw new Error("ENOSPC: no space left on device");
        }
      } catch {
        // The store's failure, as ingest() sees it: its loop ends and destroys the sink.
      }
    })();
    const pass = (async () => {
      for await (const _ of tee(chunks(200), sink)) {
        // A slow applier: the sink's failure lands between two writes.
        await new Promise((r) => setImmediate(r));
      }
    })();
    await assert.rejects(pass, /stopped being written/);
    assert.ok(sink.destroyed);
  });

  test("with a size, ends the sink once that many bytes are in, before the other reader is done", async () => {
    const sink = new PassThrough();
    const sunk: Buffer[] = [];
    sink.on("data", (c: Buffer) => sunk.push(c));
    const ended = new Promise((resolve) => sink.on("end", resolve));
    const pass = tee(chunks(3), sink, { size: 3 * 64 * 1024 });
    // The other reader takes the last chunk and stops there, never asking for the end.
    for (let i = 0; i < 3; i++) await pass.next();
    await ended;
    assert.equal(Buffer.concat(sunk).length, 3 * 64 * 1024);
    await pass.return(undefined);
  });
});
