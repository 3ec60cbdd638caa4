// The content store on the local filesystem (see store.ts for the lifecycle):
//   <root>/blobs/sha256/<hex>   verified blobs, read-only once renamed in
//   <root>/ingest/<random>      writes in progress; emptied when the store opens,
//                               since no ingest survives the process that began it.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { InvalidArgumentError, NotFoundError, isErrno } from "../errors.js";
import { assertDigest, digestHex } from "../oci/digest.js";
import { createStreamDigester } from "../oci/stream-digester.js";
import type { Digest } from "../oci/types.js";
import type { BlobInfo, BlobWriter, ContentStore } from "./store.js";

/**
 * Blobs are read, and written, 1 MiB at a time. Each read or write is a round
 * trip to libuv's thread pool, and waking a pool thread is what costs (an
 * inter-processor interrupt, dear on a VM: ~60 µs of the event loop here); at
 * node's 64 KiB a 100 MB push made 1,600 of them for reading alone.
 */
const IO_SIZE = 1024 * 1024;

export function createContentStore(root: string): ContentStore {
  const blobDir = path.join(root, "blobs", "sha256");
  const ingestDir = path.join(root, "ingest");
  fs.rmSync(ingestDir, { recursive: true, force: true });
  fs.mkdirSync(ingestDir, { recursive: true });
  fs.mkdirSync(blobDir, { recursive: true });

  const blobPath = (digest: Digest): string => path.join(blobDir, digestHex(assertDigest(digest)));

  async function info(digest: Digest): Promise<BlobInfo | undefined> {
    try {
      const st = await fsp.stat(blobPath(digest));
      return { digest, size: st.size };
    } catch (err) {
      if (isErrno(err, "ENOENT")) return undefined;
      throw err;
    }
  }

  async function read(digest: Digest): Promise<Readable> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(blobPath(digest), "r");
    } catch (err) {
      if (isErrno(err, "ENOENT")) throw new NotFoundError(`content ${digest}: not found`);
      throw err;
    }
    return handle.createReadStream({ highWaterMark: IO_SIZE });
  }

  async function readBytes(digest: Digest): Promise<Buffer> {
    try {
      return await fsp.readFile(blobPath(digest));
    } catch (err) {
      if (isErrno(err, "ENOENT")) throw new NotFoundError(`content ${digest}: not found`);
      throw err;
    }
  }

  async function ingest(source: Readable | Buffer, expected: { digest?: Digest; size?: number; approxSize?: number } = {}): Promise<BlobInfo> {
    if (expected.digest !== undefined) assertDigest(expected.digest);
    const tmp = path.join(ingestDir, randomBytes(12).toString("hex"));
    const digester = createStreamDigester(Buffer.isBuffer(source) ? {} : { sizeHint: expected.size ?? expected.approxSize });
    const handle = await fsp.open(tmp, "wx", 0o644);
    try {
      try {
        if (Buffer.isBuffer(source)) {
          digester.update(source);
          await writeAll(handle, source);
        } else {
          // Network chunks are 16-64 KiB: gathered, they go out in one writev per MiB.
          let batch: Buffer[] = [];
          let batched = 0;
          for await (const chunk of source) {
            const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
            digester.update(buf);
            if (expected.size !== undefined && digester.size > expected.size) {
              throw new InvalidArgumentError(sizeMismatch(expected, `more than ${expected.size}`));
            }
            batch.push(buf);
            batched += buf.length;
            if (batched >= IO_SIZE) {
              await writeAllv(handle, batch);
              batch = [];
              batched = 0;
            }
          }
          if (batched > 0) await writeAllv(handle, batch);
        }
        const actual = await digester.digest();
        if (expected.size !== undefined && digester.size !== expected.size) {
          throw new InvalidArgumentError(sizeMismatch(expected, String(digester.size)));
        }
        if (expected.digest !== undefined && actual !== expected.digest) throw new InvalidArgumentError(digestMismatch(expected.digest, actual));
        await handle.sync();
      } finally {
        await handle.close();
      }
      const digest = await digester.digest();
      await publish(tmp, digest);
      return { digest, size: digester.size };
    } catch (err) {
      digester.abandon();
      if (!Buffer.isBuffer(source)) source.destroy();
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  async function openWriter(expected: { digest: Digest; size?: number }): Promise<BlobWriter> {
    assertDigest(expected.digest);
    const tmp = path.join(ingestDir, randomBytes(12).toString("hex"));
    await fsp.writeFile(tmp, "", { flag: "wx", mode: 0o644 });
    const abort = (): Promise<void> => fsp.rm(tmp, { force: true });
    return {
      path: tmp,
      abort,
      async commit(written) {
        try {
          const handle = await fsp.open(tmp, "r+");
          try {
            // The file is what gets published: its size is checked, not the writer's count.
            const { size } = await handle.stat();
            if (expected.size !== undefined && size !== expected.size) {
              throw new InvalidArgumentError(sizeMismatch(expected, String(size)));
            }
            if (size !== written.size) throw new Error(`blob writer for ${expected.digest} counted ${written.size} bytes, the file holds ${size}`);
            if (written.digest !== expected.digest) throw new InvalidArgumentError(digestMismatch(expected.digest, written.digest));
            await handle.sync();
          } finally {
            await handle.close();
          }
          await publish(tmp, expected.digest);
          return { digest: expected.digest, size: written.size };
        } catch (err) {
          await abort();
          throw err;
        }
      },
    };
  }

  /** Renames a verified, synced temp file in as `digest`'s blob. */
  async function publish(tmp: string, digest: Digest): Promise<void> {
    // rename is atomic: a racing ingest of the same digest replaces identical bytes.
    await fsp.rename(tmp, blobPath(digest));
    await syncDir(blobDir);
  }

  async function remove(digest: Digest): Promise<void> {
    try {
      await fsp.unlink(blobPath(digest));
    } catch (err) {
      if (isErrno(err, "ENOENT")) return;
      throw err;
    }
  }

  async function list(): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    for (const name of await fsp.readdir(blobDir)) {
      if (!/^[a-f0-9]{64}$/.test(name)) continue;
      const digest = `sha256:${name}`;
      const i = await info(digest);
      if (i) out.push(i);
    }
    return out;
  }

  return { info, read, readBytes, ingest, openWriter, delete: remove, list };
}

function digestMismatch(expected: Digest, got: string): string {
  return `digest mismatch: expected ${expected}, got ${got}`;
}

function sizeMismatch(expected: { digest?: Digest; size?: number }, got: string): string {
  const what = expected.digest ? ` for ${expected.digest}` : "";
  return `size mismatch${what}: expected ${expected.size} bytes, got ${got}`;
}

async function writeAll(handle: fsp.FileHandle, buf: Buffer): Promise<void> {
  for (let off = 0; off < buf.length; ) {
    const { bytesWritten } = await handle.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

async function writeAllv(handle: fsp.FileHandle, bufs: Buffer[]): Promise<void> {
  const total = bufs.reduce((n, b) => n + b.length, 0);
  const { bytesWritten } = await handle.writev(bufs);
  // A short writev (rare: a signal, a nearly full disk) finishes byte by byte from where it stopped.
  if (bytesWritten < total) await writeAll(handle, Buffer.concat(bufs).subarray(bytesWritten));
}

async function syncDir(dir: string): Promise<void> {
  const h = await fsp.open(dir, "r");
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
