// A file's content as tar data: exactly the size its header announced, then
// padding. Sources can change size under us (a file on disk being written);
// the tar must stay well-formed whatever happens.
import type { FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import { padLength } from "../../archive/tar-write.js";

export async function* exactly(source: Readable, size: number): AsyncGenerator<Buffer> {
  let left = size;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (left === 0) break;
      const piece = chunk.length > left ? chunk.subarray(0, left) : chunk;
      left -= piece.length;
      yield piece;
    }
  } finally {
    source.destroy();
  }
  if (left > 0) yield Buffer.alloc(left);
  const pad = padLength(size);
  if (pad > 0) yield Buffer.alloc(pad);
}

/** `size` bytes at `offset` of an open file, read with positional reads so several readers can share the handle. */
export async function* readRange(fh: FileHandle, offset: number, size: number): AsyncGenerator<Buffer> {
  let pos = offset;
  const end = offset + size;
  while (pos < end) {
    const buf = Buffer.allocUnsafe(Math.min(end - pos, 1 << 16));
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
}
