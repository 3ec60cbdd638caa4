// Pulling layers where the snapshotter can stage them (overlay2): each layer
// is decompressed and unpacked while it downloads, into a staging directory,
// all layers at once — and only then, bottom-up, becomes a snapshot on its
// parent (a rename) and is committed under its chain ID. The compressed bytes
// go to the content store in the same pass, verified against the manifest's
// digest; the unpacked bytes are hashed into the DiffID, checked against the
// config's. All of that but the download runs on a worker thread
// (unpack-threads.ts): the event loop copies the bytes over and commits.
import { rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import { randomBytes } from "node:crypto";
import { InvalidArgumentError } from "../errors.js";
import type { BlobInfo, BlobWriter } from "../content/store.js";
import type { Descriptor, Digest } from "../oci/types.js";
import type { RepositoryClient } from "../registry/registry.js";
import type { Staging } from "../snapshot/snapshotter.js";
import type { ImageContext } from "./context.js";
import type { Leases } from "./leases.js";
import { layerId, progressReporter, type Report } from "./progress.js";
import type { LayerRow } from "./records.js";
import { limited, retried } from "./download-queue.js";
import { commitUnpacked } from "./unpack.js";
import { unpackInThread, type Unpacked } from "./unpack-threads.js";
import type { BlobSources } from "./blob-sources.js";

/** A layer downloaded and unpacked into `dir`, its blob written but not yet in the store. */
interface Staged {
  dir: string;
  writer: BlobWriter;
  kept: BlobInfo;
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
  // A blob's sync and rename into the store need no download slot: the next layer starts meanwhile.
  const stored = staged.map((p, i) => p?.then(async (s) => ({ ...s, blob: await storeBlob(ctx, s, layers[i]!.desc, o) })));
  // Each is awaited in order below; one failing meanwhile must not count as unhandled.
  for (const p of stored) p?.catch(() => undefined);

  const rows: LayerRow[] = [];
  try {
    for (const [i, l] of layers.entries()) {
      if (l.present) {
        rows.push(l.present);
        continue;
      }
      const s = await stored[i]!;
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
    await Promise.allSettled(stored);
    const settled = await Promise.allSettled(staged.filter((p): p is Promise<Staged> => p !== undefined));
    for (const r of settled) if (r.status === "fulfilled") await rm(r.value.dir, { recursive: true, force: true });
  }
}

/** One layer: download, keep and unpack in one pass; a dropped connection starts it over. */
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
    const writer = await ctx.content.openWriter({ digest: d.digest, size: d.size });
    try {
      const { stream } = await repo.getBlob(d.digest, o.signal ? { signal: o.signal } : {});
      const tick = progressReporter(o.report, id, "Downloading", d.size);
      let unpacked: Unpacked;
      try {
        unpacked = await unpackInThread(dir, metered(stream, d, tick), { whiteouts: "overlay", keep: writer.path });
      } catch (err) {
        // With every byte in, a wrong digest explains an unpack failure better than the
        // unpack's own error: the store's commit refuses the blob with its words.
        const kept = (err as { kept?: BlobInfo }).kept;
        if (kept && (kept.digest !== d.digest || kept.size !== d.size)) await writer.commit(kept);
        throw err;
      }
      if (!unpacked.kept) throw new Error(`the unpack of ${d.digest} kept no blob`);
      tick(d.size, true);
      return { dir, writer, kept: unpacked.kept, diffId: unpacked.digest, size: unpacked.size };
    } catch (err) {
      await writer.abort();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  });
}

/** Verifies and publishes a staged layer's blob (a wrong digest fails here); the staged dir is left to the caller. */
async function storeBlob(ctx: ImageContext & { leases: Leases }, s: Staged, d: Descriptor, o: { lease: string; report: Report }): Promise<BlobInfo> {
  const blob = await s.writer.commit(s.kept);
  ctx.leases.add(o.lease, [blob.digest]);
  const id = layerId(d.digest);
  o.report({ status: "Download complete", progressDetail: {}, id });
  o.report({ status: "Extracting", progressDetail: { current: d.size, total: d.size }, id });
  return blob;
}

/** The blob's bytes as they come, counted for its progress bar; a byte beyond the descriptor's size fails it. */
async function* metered(source: Readable, d: Descriptor, tick: (n: number) => void): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > d.size) throw new InvalidArgumentError(`size mismatch for ${d.digest}: expected ${d.size} bytes, got more than ${d.size}`);
    tick(n);
    yield chunk;
  }
}
