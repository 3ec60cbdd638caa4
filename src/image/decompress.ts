// Layer blobs arrive gzip-compressed, zstd-compressed or as plain tar; the
// magic bytes decide, not the media type, because archives lie about the latter.
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { NotImplementedError } from "../errors.js";
import { peek } from "../archive/peek.js";

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
