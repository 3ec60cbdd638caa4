import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import zlib from "node:zlib";
import { NotImplementedError } from "../../src/errors.js";
import { decompress, detectCompression } from "../../src/image/decompress.js";
import { consumeHashed } from "../../src/image/unpack.js";
import { digestOf } from "../../src/oci/digest.js";

async function collect(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const data = Buffer.from("x".repeat(100_000) + "tail");

describe("decompress", () => {
  it("detects by magic bytes", () => {
    assert.equal(detectCompression(zlib.gzipSync(data)), "gzip");
    assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])), "zstd");
    assert.equal(detectCompression(data), "none");
    assert.equal(detectCompression(Buffer.alloc(0)), "none");
    assert.equal(detectCompression(Buffer.from("BZh91AY&SY")), "bzip2");
    assert.equal(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00])), "xz");
  });

  it("passes plain data through, even when the first chunks are tiny", async () => {
    const src = Readable.from([data.subarray(0, 1), data.subarray(1, 2), data.subarray(2)]);
    const { stream, compression } = await decompress(src);
    assert.equal(compression, "none");
    assert.ok((await collect(stream)).equals(data));
  });

  it("gunzips, including multi-member gzip", async () => {
    const gz = Buffer.concat([zlib.gzipSync(data.subarray(0, 10)), zlib.gzipSync(data.subarray(10))]);
    const { stream, compression } = await decompress(Readable.from([gz.subarray(0, 1), gz.subarray(1)]));
    assert.equal(compression, "gzip");
    assert.ok((await collect(stream)).equals(data));
  });

  it("fails clearly on zstd and on corrupt gzip", async () => {
    await assert.rejects(decompress(Readable.from([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2])])), NotImplementedError);
    await assert.rejects(decompress(Readable.from([Buffer.from("BZh91AY&SY")])), /bzip2-compressed data is not supported/);
    const bad = Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(50, 9)]);
    const { stream } = await decompress(Readable.from([bad]));
    await assert.rejects(collect(stream));
  });
});

describe("consumeHashed", () => {
  it("hashes the whole stream even when the consumer stops early", async () => {
    const src = Readable.from([data.subarray(0, 50_000), data.subarray(50_000)]);
    const { result, digest, size } = await consumeHashed(src, async (s) => {
      for await (const c of s) return (c as Buffer).length;
      return 0;
    });
    assert.equal(result, 50_000);
    assert.equal(digest, digestOf(data));
    assert.equal(size, data.length);
  });

  it("reports the source's error rather than the consumer's", async () => {
    const src = new Readable({
      read() {
        this.destroy(new Error("source broke"));
      },
    });
    await assert.rejects(
      consumeHashed(src, async (s) => {
        await collect(s);
      }),
      /source broke/,
    );
  });
});
