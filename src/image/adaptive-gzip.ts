// gzip for pushes, fast: the stream is cut into 1 MiB blocks, each compressed
// as its own gzip member on the thread pool, several at once, and the members
// are concatenated in order — a multi-member gzip stream, which RFC 1952
// allows and every registry client reads (Go's gzip.Reader, containerd,
// zlib). A block whose bytes look random (already-compressed files, media) is
// stored rather than deflated: zlib at level 1 spends three times longer on
// such data than on text, for nothing. A stored member is only framing around
// the block's own bytes and a CRC, so it is made here without copying them,
// rather than by a zlib stream on the pool (a stream set up, a round trip and
// a copy of the block, for each MiB).
import type { Readable } from "node:stream";
import { Readable as ReadableStream } from "node:stream";
import { promisify } from "node:util";
import zlib from "node:zlib";

const BLOCK = 1024 * 1024;
const IN_FLIGHT = 4;
/** Room beyond the input for a member's header, trailer and stored-block headers. */
const OUT_SLACK = 16 * 1024;
/** Bits per byte above which a sample is taken as incompressible (random data is ~7.99). */
const RANDOM_ENTROPY = 7.6;
const gzip = promisify(zlib.gzip) as (data: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>;

export function adaptiveGzip(source: Readable, level: number): Readable {
  return ReadableStream.from(members(source, level), { objectMode: false });
}

async function* members(source: Readable, level: number): AsyncGenerator<Buffer> {
  const pending: Array<Promise<Buffer | Buffer[]>> = [];
  let any = false;
  for await (const block of blocks(source)) {
    any = true;
    const random = looksRandom(block);
    // One output buffer that holds the whole member: node's default 16 KiB
    // would make each block up to 64 round trips to the pool.
    const p = random && crc32 ? Promise.resolve(storedMember(block, crc32)) : gzip(block, { level: random ? 0 : level, chunkSize: block.length + OUT_SLACK });
    // Awaited in order below; one failing while earlier ones are awaited must not count as unhandled.
    p.catch(() => undefined);
    pending.push(p);
    if (pending.length >= IN_FLIGHT) yield* parts(await pending.shift()!);
  }
  while (pending.length > 0) yield* parts(await pending.shift()!);
  // An empty input is still a gzip stream.
  if (!any) yield await gzip(Buffer.alloc(0), { level });
}

const parts = (member: Buffer | Buffer[]): Buffer[] => (Array.isArray(member) ? member : [member]);

/** zlib.crc32 came with Node 20.15; before it, random blocks go through zlib at level 0. */
const crc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;

/** Deflate's stored blocks hold at most this many bytes (RFC 1951 3.2.4). */
const STORED_MAX = 65535;
/** ID1 ID2, CM deflate, no flags, no mtime, no extra flags, OS Unix (as zlib writes it). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

/** A gzip member (RFC 1952) holding `block` in stored deflate blocks; the block's bytes are not copied. */
export function storedMember(block: Buffer, crc: (data: Buffer) => number): Buffer[] {
  const out: Buffer[] = [GZIP_HEADER];
  for (let off = 0; off < block.length || off === 0; off += STORED_MAX) {
    const piece = block.subarray(off, off + STORED_MAX);
    const head = Buffer.allocUnsafe(5);
    head[0] = off + STORED_MAX >= block.length ? 1 : 0; // BFINAL on the last, BTYPE 00
    head.writeUInt16LE(piece.length, 1);
    head.writeUInt16LE(~piece.length & 0xffff, 3);
    out.push(head, piece);
  }
  const trailer = Buffer.allocUnsafe(8);
  trailer.writeUInt32LE(crc(block) >>> 0, 0);
  trailer.writeUInt32LE(block.length % 2 ** 32, 4);
  out.push(trailer);
  return out;
}

async function* blocks(source: Readable): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    pending.push(chunk);
    size += chunk.length;
    if (size >= BLOCK) {
      // A 1 MiB read from the content store is a block as it is: no copy.
      yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, size);
}

/** Shannon entropy of four 4 KiB samples spread over the block. */
export function looksRandom(block: Buffer): boolean {
  if (block.length < 16 * 1024) return false;
  const counts = new Uint32Array(256);
  const step = Math.floor(block.length / 4);
  let n = 0;
  for (let s = 0; s < 4; s++) {
    const start = s * step;
    for (let i = start; i < start + 4096; i++) counts[block[i]!]!++;
    n += 4096;
  }
  let entropy = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / n;
    entropy -= p * Math.log2(p);
  }
  return entropy > RANDOM_ENTROPY;
}
