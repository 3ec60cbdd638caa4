// Layer blobs arrive gzip-compressed, zstd-compressed or as plain tar; the
// magic bytes decide, not the media type, because archives lie about the latter.
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { NotImplementedError } from "../errors.js";

export type Compression = "gzip" | "zstd" | "bzip2" | "xz" | "none";

const MAGIC: [Compression, Buffer][] = [
  ["gzip", Buffer.from([0x1f, 0x8b])],
  ["zstd", Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
  ["bzip2", Buffer.from("BZh")],
  ["xz", Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
];

export function detectCompression(head: Buffer): Compression {
  return MAGIC.find(([, magic]) => head.subarray(0, magic.length).equals(magic))?.[0] ?? "none";
}

/** The uncompressed bytes of `source`, whatever its compression. */
export async function decompress(source: Readable): Promise<{ stream: Readable; compression: Compression }> {
  const { head, rest } = await peek(source, 6);
  const compression = detectCompression(head);
  if (compression === "none") return { stream: rest, compression };
  if (compression !== "gzip") {
    rest.destroy();
    // Docker also reads bzip2 and xz archives; Node 20's zlib has none of these (zstd came in Node 22.15).
    throw new NotImplementedError(`${compression}-compressed data is not supported: decompress it first`);
  }
  const gunzip = zlib.createGunzip();
  rest.on("error", (err) => gunzip.destroy(err));
  gunzip.on("close", () => rest.destroy());
  return { stream: rest.pipe(gunzip), compression };
}

/** Reads at least n bytes (or all, if fewer) and returns them plus a stream of everything. */
async function peek(source: Readable, n: number): Promise<{ head: Buffer; rest: Readable }> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let have = 0;
  while (have < n) {
    const r = await it.next();
    if (r.done) break;
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(b);
    have += b.length;
  }
  const head = Buffer.concat(chunks);
  async function* all(): AsyncGenerator<Buffer> {
    try {
      if (head.length) yield head;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  }
  return { head, rest: Readable.from(all(), { objectMode: false }) };
}
