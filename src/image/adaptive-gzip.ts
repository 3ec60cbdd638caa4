// gzip for pushes, fast: the stream is cut into 1 MiB blocks, each compressed
// as its own gzip member on the thread pool, several at once, and the members
// are concatenated in order — a multi-member gzip stream, which RFC 1952
// allows and every registry client reads (Go's gzip.Reader, containerd,
// zlib). A block whose bytes look random (already-compressed files, media) is
// stored rather than deflated: zlib at level 1 spends three times longer on
// such data than on text, for nothing.
import type { Readable } from "node:stream";
import { Readable as ReadableStream } from "node:stream";
import { promisify } from "node:util";
import zlib from "node:zlib";

const BLOCK = 1024 * 1024;
const IN_FLIGHT = 4;
/** Bits per byte above which a sample is taken as incompressible (random data is ~7.99). */
const RANDOM_ENTROPY = 7.6;
const gzip = promisify(zlib.gzip) as (data: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>;

export function adaptiveGzip(source: Readable, level: number): Readable {
  return ReadableStream.from(members(source, level), { objectMode: false });
}

async function* members(source: Readable, level: number): AsyncGenerator<Buffer> {
  const pending: Array<Promise<Buffer>> = [];
  let any = false;
  for await (const block of blocks(source)) {
    any = true;
    const p = gzip(block, { level: looksRandom(block) ? 0 : level });
    // Awaited in order below; one failing while earlier ones are awaited must not count as unhandled.
    p.catch(() => undefined);
    pending.push(p);
    if (pending.length >= IN_FLIGHT) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;
  // An empty input is still a gzip stream.
  if (!any) yield await gzip(Buffer.alloc(0), { level });
}

async function* blocks(source: Readable): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    pending.push(chunk);
    size += chunk.length;
    if (size >= BLOCK) {
      yield Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(pending, size);
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
