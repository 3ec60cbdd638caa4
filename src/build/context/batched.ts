// Tar streams made of thousands of small files are tens of thousands of tiny
// chunks (header, data, padding); handing them on in ~256 KiB batches saves a
// stream round trip per chunk downstream (the socket, ingest, apply).
const BATCH = 256 * 1024;

export async function* batched(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    pending.push(chunk);
    size += chunk.length;
    if (size >= BATCH) {
      yield Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(pending, size);
}
