// The content store: immutable blobs (layer tarballs, configs, manifests)
// addressed by their sha256 digest, kept under <data-root>/content/blobs/sha256/.
//
// Lifecycle of a blob:
//   1. ingest(stream, expected) writes to a private temp file under
//      content/ingest/, hashing as bytes arrive;
//   2. when the stream ends the digest (and size, if given) is checked; a
//      mismatch throws InvalidArgumentError and the temp file is removed;
//   3. on success the file is fsynced and renamed into blobs/ — only now is the
//      blob visible to info/read. Two ingests of one digest may race: both
//      verify, the rename is atomic, and either result is the same bytes.
//   A blob written by someone else (a worker thread that also unpacks it) takes
//   the same path through openWriter(): the writer fills the temp file and
//   hashes what it wrote; commit() checks that digest and size as in 2, then 3.
//   4. delete(digest) is called only by garbage collection (image/gc.ts), which
//      removes blobs that no image, container or lease reaches.
import type { Readable } from "node:stream";
import type { Digest } from "../oci/types.js";

export interface BlobInfo {
  digest: Digest;
  size: number;
}

export interface ContentStore {
  /** Size of the blob, or undefined when absent. */
  info(digest: Digest): Promise<BlobInfo | undefined>;
  /** A stream of the blob's bytes; throws NotFoundError when absent. */
  read(digest: Digest): Promise<Readable>;
  /** The whole blob in memory: for configs and manifests, never for layers. */
  readBytes(digest: Digest): Promise<Buffer>;
  /**
   * Verified, atomic write. Returns the blob's digest and size. approxSize is
   * not checked: a size known roughly (a layer's, as it is being compressed),
   * which with size decides whether the stream is hashed on a worker thread.
   */
  ingest(source: Readable | Buffer, expected?: { digest?: Digest; size?: number; approxSize?: number }): Promise<BlobInfo>;
  /** A private temp file for `expected`'s bytes, written elsewhere; see BlobWriter. */
  openWriter(expected: { digest: Digest; size?: number }): Promise<BlobWriter>;
  delete(digest: Digest): Promise<void>;
  list(): Promise<BlobInfo[]>;
}

/** A blob being written by another thread, which hashes what it writes to `path`. */
export interface BlobWriter {
  readonly path: string;
  /**
   * Checks the writer's digest and the file's size against what was expected
   * (InvalidArgumentError on a mismatch, and the file is gone), then syncs and
   * renames the file in. Call once the writer has closed the file.
   */
  commit(written: BlobInfo): Promise<BlobInfo>;
  /** Drops the temp file: the write failed or was given up. */
  abort(): Promise<void>;
}
