// adaptiveGzip: a valid (multi-member) gzip stream whatever mix of random and compressible
// blocks goes in; random blocks are stored, the rest deflated.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { spawnSync } from "node:child_process";
import { crc32, gunzipSync } from "node:zlib";
import { adaptiveGzip, looksRandom, storedMember } from "../../src/image/adaptive-gzip.js";

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test("random, zero and text blocks in any order round-trip through gunzip", async () => {
  const text = Buffer.from("the quick brown fox jumps over the lazy dog\n".repeat(60_000));
  const input = Buffer.concat([randomBytes(3 << 20), Buffer.alloc(2 << 20), text, randomBytes(123_457), Buffer.alloc(77)]);
  // Uneven chunks, as a file stream may deliver them.
  const chunks: Buffer[] = [];
  for (let at = 0; at < input.length; at += 65_521) chunks.push(input.subarray(at, at + 65_521));
  const gz = await collect(adaptiveGzip(Readable.from(chunks), 1));
  assert.deepEqual(gunzipSync(gz), input);
  // Zeros and text shrank; the random part was stored, not grown much.
  assert.ok(gz.length < input.length - (2 << 20), `${gz.length} of ${input.length}`);
});

test("a stored member holds any size, across deflate's 65535-byte block limit, for zlib and GNU gzip", () => {
  for (const size of [0, 1, 65_535, 65_536, 131_070, 131_071, 1 << 20]) {
    const block = randomBytes(size);
    const member = Buffer.concat(storedMember(block, crc32));
    // Header, 5 bytes per stored block (at least one), CRC and size.
    assert.equal(member.length, 10 + 5 * Math.max(1, Math.ceil(size / 65_535)) + size + 8, `size ${size}`);
    assert.deepEqual(gunzipSync(Buffer.concat([member, member])), Buffer.concat([block, block]), `size ${size}`);
    const gnu = spawnSync("gzip", ["-dc"], { input: member, maxBuffer: 4 << 20 });
    assert.equal(gnu.status, 0, gnu.stderr.toString());
    assert.deepEqual(gnu.stdout, block, `size ${size}`);
  }
});

test("looksRandom tells random bytes from text and zeros", () => {
  assert.equal(looksRandom(randomBytes(1 << 20)), true);
  assert.equal(looksRandom(Buffer.alloc(1 << 20)), false);
  assert.equal(looksRandom(Buffer.from("lorem ipsum dolor sit amet ".repeat(40_000))), false);
  assert.equal(looksRandom(Buffer.alloc(100)), false);
});

test("an empty stream is an empty gzip", async () => {
  assert.deepEqual(gunzipSync(await collect(adaptiveGzip(Readable.from([]), 1))), Buffer.alloc(0));
});
