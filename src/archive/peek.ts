// Looking at the first bytes of a stream (to tell gzip from tar from a bare
// Dockerfile) without losing them: they are handed on in front of the rest.
import { Readable } from "node:stream";

/** Reads at least n bytes (or all, if fewer) and returns them plus a stream of everything, those bytes included. */
export async function peek(source: Readable, n: number): Promise<{ head: Buffer; rest: Readable }> {
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
  const first = Buffer.concat(chunks);
  async function* all(): AsyncGenerator<Buffer> {
    try {
      if (first.length > 0) yield first;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  }
  // Chunks are handed on as they came: a byte-mode stream's reader would get
  // everything buffered glued into one Buffer, a copy of every byte.
  return { head: first.subarray(0, Math.max(n, 0)), rest: Readable.from(all()) };
}
