// Pulling layers where the snapshotter can stage them (overlay2): each layer
// is decompressed and unpacked while it downloads, into a staging directory,
// all layers at once — and only then, bottom-up, becomes a snapshot on its
// parent (a rename) and is committed under its chain ID. The compressed bytes
// go to the content store in the same pass, verified against the manifest's
// digest; the unpacked bytes are hashed into the DiffID, checked against the
// config's.
import { rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { InvalidArgumentError } from "../errors.js";
import type { Descriptor, Digest } from "../oci/types.js";
import type { RepositoryClient } from "../registry/registry.js";
import type { Staging } from "../snapshot/snapshotter.js";
import type { ImageContext } from "./context.js";
import { decompress } from "./decompress.js";
import type { Leases } from "./leases.js";
import { counted, layerId, progressReporter, type Report } from "./progress.js";
import type { LayerRow } from "./records.js";
import { limited, retried } from "./download-queue.js";
import { chunkPipe, commitUnpacked, consumeHashed, tee } from "./unpack.js";
import type { BlobSources } from "./blob-sources.js";

interface Staged {
  dir: string;
  blob: { digest: Digest; size: number };
  diffId: Digest;
  size: number;
}


/** Downloads and unpacks `jobs` (index → descriptor) `width` at a time; commits bottom-up. Returns rows for every layer index given. */
export async function pullStaged(
  ctx: ImageContext & { leases: Leases; sources: BlobSources },
  staging: Staging,
  repo: RepositoryClient,
  layers: Array<{ desc: Descriptor; diffId: Digest; chainId: Digest; parent?: Digest; present?: LayerRow }>,
  o: { lease: string; report: Report; width: number; signal?: AbortSignal },
): Promise<LayerRow[]> {
  const staged = limited(
    layers.map((l) => (l.present ? undefined : () => stage(ctx, staging, repo, l.desc, o))),
    o.width,
  );
  // Each is awaited in order below; one failing meanwhile must not count as unhandled.
  for (const p of staged) p?.catch(() => undefined);

  const rows: LayerRow[] = [];
  try {
    for (const [i, l] of layers.entries()) {
      if (l.present) {
        rows.push(l.present);
        continue;
      }
      const s = await staged[i]!;
      if (s.diffId !== l.diffId) {
        throw new InvalidArgumentError(`invalid diffID for layer ${l.desc.digest}: expected ${l.diffId}, got ${s.diffId}`);
      }
      const row = await ctx.lock.shared(async () => {
        const describe: LayerRow = {
          chainId: l.chainId,
          diffId: s.diffId,
          blobDigest: s.blob.digest,
          blobMediaType: l.desc.mediaType,
          blobSize: s.blob.size,
          size: s.size,
          ...(l.parent !== undefined ? { parent: l.parent } : {}),
        };
        const key = `extract-${randomBytes(8).toString("hex")}`;
        await staging.prepareFrom(key, l.parent, s.dir);
        const committed = await commitUnpacked(ctx, key, describe);
        ctx.leases.add(o.lease, [committed.chainId]);
        return committed;
      });
      o.report({ status: "Pull complete", progressDetail: {}, id: layerId(l.desc.digest) });
      rows.push(row);
    }
    return rows;
  } finally {
    // Whatever was staged and not adopted (a failure above) goes now; adopted dirs no longer exist here.
    const settled = await Promise.allSettled(staged.filter((p): p is Promise<Staged> => p !== undefined));
    for (const r of settled) if (r.status === "fulfilled") await rm(r.value.dir, { recursive: true, force: true });
  }
}

/** One layer: download, store and unpack in one pass; a dropped connection starts it over. */
async function stage(
  ctx: ImageContext & { leases: Leases; sources: BlobSources },
  staging: Staging,
  repo: RepositoryClient,
  d: Descriptor,
  o: { lease: string; report: Report; signal?: AbortSignal },
): Promise<Staged> {
  const id = layerId(d.digest);
  return retried({ ...o, id }, async () => {
    const dir = await staging.create();
    try {
      const { stream } = await repo.getBlob(d.digest, o.signal ? { signal: o.signal } : {});
      const tick = progressReporter(o.report, id, "Downloading", d.size);
      const sink = chunkPipe(1 << 20);
      const stored = ctx.content.ingest(sink, { digest: d.digest, size: d.size });
      stored.catch(() => undefined);
      let unpacked: { result: { size: number }; digest: Digest };
      try {
        const { stream: plain } = await decompress(Readable.from(tee(counted(stream, tick), sink, { size: d.size })));
        // A layer is at least as large unpacked as its blob: the blob's size decides where its DiffID is hashed.
        unpacked = await consumeHashed(plain, (s) => ctx.applyLayer(dir, s, { whiteouts: "overlay" }), { sizeHint: d.size });
      } catch (err) {
        // With every byte in, the store's verdict (a wrong digest) explains an unpack failure
        // better than the unpack's own error; without, the store must give up too.
        if (!sink.writableEnded) sink.destroy(err as Error);
        await stored;
        throw err;
      }
      const blob = await stored;
      ctx.leases.add(o.lease, [blob.digest]);
      tick(d.size, true);
      o.report({ status: "Download complete", progressDetail: {}, id });
      o.report({ status: "Extracting", progressDetail: { current: d.size, total: d.size }, id });
      return { dir, blob, diffId: unpacked.digest, size: unpacked.result.size };
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  });
}
