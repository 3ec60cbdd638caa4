// Unpacking one layer blob from the content store into a committed snapshot
// named by its chain ID: decompress, hash (→ DiffID) and apply in one pass.
import { randomBytes } from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { InvalidArgumentError } from "../errors.js";
import type { ContentStore } from "../content/store.js";
import { chainIdOf } from "../oci/digest.js";
import { createStreamDigester } from "../oci/stream-digester.js";
import { MediaType, type Digest } from "../oci/types.js";
import type { Snapshotter } from "../snapshot/snapshotter.js";
import { decompress, type Compression } from "./decompress.js";
import type { ImageRecords, LayerRow } from "./records.js";

/** archive/'s tar applier, injected so image/ does not depend on its internals. */
export type ApplyLayer = (
  root: string,
  layer: Readable,
  opts: { whiteouts: "overlay" | "remove" },
) => Promise<{ size: number }>;

export interface UnpackDeps {
  content: ContentStore;
  snapshotter: Snapshotter;
  applyLayer: ApplyLayer;
  records: ImageRecords;
}

const LAYER_MEDIA_TYPE: Partial<Record<Compression, string>> = {
  none: MediaType.OciLayer,
  gzip: MediaType.OciLayerGzip,
  zstd: MediaType.OciLayerZstd,
};

/**
 * Unpacks the stored blob `blob` on top of `parent`. With `expectedDiffId`, a
 * layer already unpacked is only verified, not unpacked again; a DiffID that
 * differs from it throws InvalidArgumentError and leaves no snapshot behind.
 */
export async function unpackLayer(
  deps: UnpackDeps,
  blob: { digest: Digest; size: number },
  opts: { parent?: Digest; expectedDiffId?: Digest },
): Promise<LayerRow> {
  const { content, snapshotter } = deps;
  const describe = (diffId: Digest, compression: Compression, size: number): LayerRow => {
    const row: LayerRow = {
      chainId: chainIdOf(opts.parent, diffId),
      diffId,
      blobDigest: blob.digest,
      blobMediaType: LAYER_MEDIA_TYPE[compression],
      blobSize: blob.size,
      size,
    };
    if (opts.parent !== undefined) row.parent = opts.parent;
    return row;
  };
  const checkDiffId = (actual: Digest): void => {
    if (opts.expectedDiffId !== undefined && actual !== opts.expectedDiffId) {
      throw new InvalidArgumentError(
        `invalid diffID for layer ${blob.digest}: expected ${opts.expectedDiffId}, got ${actual}`,
      );
    }
  };

  if (opts.expectedDiffId !== undefined && (await isCommitted(snapshotter, chainIdOf(opts.parent, opts.expectedDiffId)))) {
    const { stream, compression } = await decompress(await content.read(blob.digest));
    const { digest } = await consumeHashed(stream, async (s) => {
      s.resume();
    });
    checkDiffId(digest);
    return existing(deps, describe(digest, compression, 0));
  }

  const key = `extract-${randomBytes(8).toString("hex")}`;
  await snapshotter.prepare(key, opts.parent);
  try {
    const { stream, compression } = await decompress(await content.read(blob.digest));
    const { result, digest } = await consumeHashed(stream, (s) =>
      deps.applyLayer(snapshotter.writableDir(key), s, { whiteouts: snapshotter.whiteoutMode }),
    );
    checkDiffId(digest);
    return await commitUnpacked(deps, key, describe(digest, compression, result.size));
  } catch (err) {
    await removeQuietly(snapshotter, key, err);
    throw err;
  }
}

/**
 * A layer that arrives as an uncompressed tar stream (a build step's), stored
 * as a blob and unpacked in one pass: the bytes go to the content store and
 * to the applier at once, so the step waits for the slower of the two rather
 * than for both in turn. A failure of either leaves neither blob nor snapshot.
 */
export async function unpackStream(deps: UnpackDeps, tar: Readable, opts: { parent?: Digest }): Promise<LayerRow> {
  const { content, snapshotter } = deps;
  const key = `extract-${randomBytes(8).toString("hex")}`;
  await snapshotter.prepare(key, opts.parent);
  const sink = chunkPipe(1 << 20);
  const stored = content.ingest(sink);
  // Awaited below; a failure while the applier still runs must not count as unhandled.
  stored.catch(() => undefined);
  try {
    const { result, digest } = await consumeHashed(Readable.from(tee(tar, sink)), (s) =>
      deps.applyLayer(snapshotter.writableDir(key), s, { whiteouts: snapshotter.whiteoutMode }),
    );
    const blob = await stored;
    const row: LayerRow = {
      chainId: chainIdOf(opts.parent, digest),
      diffId: digest,
      blobDigest: blob.digest,
      blobMediaType: MediaType.OciLayer,
      blobSize: blob.size,
      size: result.size,
    };
    if (opts.parent !== undefined) row.parent = opts.parent;
    return await commitUnpacked(deps, key, row);
  } catch (err) {
    sink.destroy(err as Error);
    // When the store failed on its own (a full disk), its error is the cause; the applier's only follows.
    const storeErr: unknown = await stored.then(() => undefined, (e: unknown) => e);
    const cause = storeErr === undefined || storeErr === err || storeErr instanceof StreamEndedEarly ? err : storeErr;
    await removeQuietly(snapshotter, key, cause);
    throw cause;
  }
}

/**
 * Passes `source` on while writing every chunk to `sink` too, at the pace of
 * the slower reader; with `size`, the sink ends as soon as that many bytes
 * went in. A sink closed by its reader (the store failed: a full
 * disk) ends the pass with an error rather than waiting for a drain that will
 * never come.
 */
export async function* tee(source: Readable, sink: PassThrough, opts: { size?: number } = {}): AsyncGenerator<Buffer> {
  let written = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (sink.destroyed) throw new Error("the layer's blob stopped being written");
      if (!sink.write(chunk)) await drainOrClose(sink);
      written += chunk.length;
      // The expected size is in: the sink's reader may judge the blob (its digest) now,
      // even if the other reader fails on this last chunk and never asks for the end.
      if (written === opts.size) sink.end();
      yield chunk;
    }
    if (!sink.writableEnded) sink.end();
  } finally {
    if (!sink.writableEnded) sink.destroy(new StreamEndedEarly());
  }
}

/** What tee() ends its sink with when its own reader stops: never the cause of a failure. */
class StreamEndedEarly extends Error {
  constructor() {
    super("the layer stream ended early");
  }
}

/**
 * A pipe whose reader gets the chunks as they were written. A byte-mode
 * stream's async iterator glues everything buffered into one Buffer on every
 * read: a copy of each byte of a layer, for nothing, when the reader takes
 * chunks as they come anyway (a hash, a file write, the tar reader).
 */
export function chunkPipe(bytes: number): PassThrough {
  return new PassThrough({ writableHighWaterMark: bytes, readableObjectMode: true, readableHighWaterMark: 16 });
}

/** Resolves once `sink` wants more, or will never want any (closed). */
function drainOrClose(sink: PassThrough): Promise<void> {
  if (sink.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      sink.off("drain", done);
      sink.off("close", done);
      resolve();
    };
    sink.on("drain", done);
    sink.on("close", done);
  });
}

/** Commits the unpacked snapshot `key` as the layer `row` describes, or keeps the one another unpack of the same layer committed first. */
export async function commitUnpacked(deps: UnpackDeps, key: string, row: LayerRow): Promise<LayerRow> {
  const { snapshotter } = deps;
  if (await isCommitted(snapshotter, row.chainId)) {
    await snapshotter.remove(key);
    return existing(deps, row);
  }
  await snapshotter.commit(row.chainId, key);
  // Docker's overlay2 measures a layer on disk (files and symlinks, hard links
  // once); its vfs counts the tar's file bytes, which is what the applier reports.
  if (snapshotter.name === "overlay2") row.size = (await snapshotter.usage(row.chainId)).size;
  return row;
}

async function existing(deps: UnpackDeps, row: LayerRow): Promise<LayerRow> {
  const stored = deps.records.getLayer(row.chainId);
  if (stored) return stored;
  // A snapshot committed by an unpack whose image was never recorded (crash): measure it.
  return { ...row, size: (await deps.snapshotter.usage(row.chainId)).size };
}

async function isCommitted(snapshotter: Snapshotter, key: string): Promise<boolean> {
  return (await snapshotter.stat(key))?.kind === "committed";
}

/** Cleanup on a failure path: the original error is what the caller must see. */
async function removeQuietly(snapshotter: Snapshotter, key: string, original: unknown): Promise<void> {
  try {
    if (await snapshotter.stat(key)) await snapshotter.remove(key);
  } catch (cleanupErr) {
    (original as { cleanupError?: unknown }).cleanupError = cleanupErr;
  }
}

/**
 * Feeds `source` to `consume` while hashing every byte. The consumer may stop
 * reading early (a tar reader stops at the end-of-archive marker); the rest is
 * still read and hashed, because the DiffID covers the whole stream.
 */
export async function consumeHashed<T>(
  source: Readable,
  consume: (s: Readable) => Promise<T>,
  opts: { sizeHint?: number } = {},
): Promise<{ result: T; digest: Digest; size: number }> {
  const digester = createStreamDigester(opts);
  const out = chunkPipe(64 * 1024);
  let outOpen = true;
  let aborted = false;
  let pumpError: unknown;
  out.on("close", () => {
    outOpen = false;
  });
  const pump = (async () => {
    try {
      for await (const chunk of source) {
        digester.update(chunk as Buffer);
        if (outOpen && !out.write(chunk)) await drainOrClose(out);
      }
      out.end();
    } catch (err) {
      if (!aborted) pumpError = err;
      out.destroy(err as Error);
      throw err;
    }
  })();
  // Observed below; this keeps an early failure from counting as unhandled meanwhile.
  pump.catch(() => undefined);
  let result: T;
  try {
    result = await consume(out);
  } catch (err) {
    aborted = true;
    source.destroy();
    await pump.catch(() => undefined);
    digester.abandon();
    // A broken source (bad gzip, short read) is the cause; the consumer's error only follows from it.
    throw pumpError ?? err;
  }
  if (outOpen) out.resume();
  try {
    await pump;
  } catch (err) {
    digester.abandon();
    throw err;
  }
  return { result, digest: await digester.digest(), size: digester.size };
}
