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
  delete(digest: Digest): Promise<void>;
  list(): Promise<BlobInfo[]>;
}
