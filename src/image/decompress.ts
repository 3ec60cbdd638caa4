// Layer blobs arrive gzip-compressed, zstd-compressed or as plain tar; the
// magic bytes decide, not the media type, because archives lie about the latter.
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { NotImplementedError } from "../errors.js";

export type Compression = "gzip" | "zstd" | "none";

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

export function detectCompression(head: Buffer): Compression {
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) return "gzip";
  if (head.subarray(0, 4).equals(ZSTD_MAGIC)) return "zstd";
  return "none";
}

/** The uncompressed bytes of `source`, whatever its compression. */
export async function decompress(source: Readable): Promise<{ stream: Readable; compression: Compression }> {
  const { head, rest } = await peek(source, 4);
  const compression = detectCompression(head);
  if (compression === "none") return { stream: rest, compression };
  if (compression === "zstd") {
    rest.destroy();
    // Node 20's zlib has no zstd (it arrived in Node 22.15/23.8).
    throw new NotImplementedError("zstd-compressed layers are not supported on this Node.js version");
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
