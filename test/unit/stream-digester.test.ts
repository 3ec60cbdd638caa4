import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { createStreamDigester } from "../../src/oci/stream-digester.js";

/** A size hint that sends the stream to the worker thread. */
const LARGE = { sizeHint: 64 << 20 };
const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** Feeds `data` in chunks of uneven sizes, as a network would. */
function feed(d: ReturnType<typeof createStreamDigester>, data: Buffer): void {
  const sizes = [1, 7, 65536, 1 << 20, 333_333, 16384];
  for (let off = 0, i = 0; off < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    d.update(data.subarray(off, off + n));
    off += n;
  }
}

describe("stream digester", () => {
  it("hashes small streams, and streams of unknown size, in place; the empty stream too", async () => {
    const small = randomBytes(1000);
    const d = createStreamDigester({ sizeHint: 1000 });
    feed(d, small);
    assert.equal(d.size, 1000);
    assert.equal(await d.digest(), sha256(small));
    assert.equal(await createStreamDigester().digest(), sha256(Buffer.alloc(0)));
    assert.equal(await createStreamDigester(LARGE).digest(), sha256(Buffer.alloc(0)));
  });

  it("hashes large streams across slab boundaries, several at once, the same as an inline hash", async () => {
    const sizes = [1 << 20, (1 << 20) + 1, 5 * (1 << 20) + 12345, 3 * (1 << 20)];
    const data = sizes.map((n) => randomBytes(n));
    const ds = data.map(() => createStreamDigester(LARGE));
    // Interleaved, as parallel layer downloads are.
    for (let step = 0; step < 8; step++) {
      data.forEach((buf, i) => {
        const part = Math.ceil(buf.length / 8);
        feed(ds[i]!, buf.subarray(step * part, (step + 1) * part));
      });
    }
    const digests = await Promise.all(ds.map((d) => d.digest()));
    assert.deepEqual(digests, data.map(sha256));
    assert.deepEqual(ds.map((d) => d.size), sizes);
  });

  it("gives the same answer to every call of digest(), and refuses updates after it", async () => {
    const data = randomBytes(3 << 20);
    const d = createStreamDigester(LARGE);
    feed(d, data);
    const [a, b] = await Promise.all([d.digest(), d.digest()]);
    assert.equal(a, sha256(data));
    assert.equal(b, a);
    assert.throws(() => d.update(Buffer.from("x")), /already finished/);
  });

  it("forgets an abandoned stream and goes on hashing others", async () => {
    const gone = createStreamDigester(LARGE);
    feed(gone, randomBytes(2 << 20));
    gone.abandon();
    const data = randomBytes(2 << 20);
    const d = createStreamDigester(LARGE);
    feed(d, data);
    assert.equal(await d.digest(), sha256(data));
  });
});
