// What every image operation shares: the stores, the lock, and the lookups
// from a user's "name, ID or digest" to an image.
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import type { ContentStore } from "../content/store.js";
import { digestHex, digestOf } from "../oci/digest.js";
import {
  familiarString,
  looksLikeImageId,
  parseAnyReference,
  parseReference,
  referenceString,
  withDefaultTag,
  type AnyReference,
  type Reference,
} from "../oci/reference.js";
import type { Digest, ImageConfig } from "../oci/types.js";
import type { Snapshotter } from "../snapshot/snapshotter.js";
import type { ImageRecord } from "./image-service.js";
import type { ImageRecords, LayerRow } from "./records.js";
import type { RwLock } from "./rw-lock.js";
import type { ApplyLayer } from "./unpack.js";

export interface ImageContext {
  records: ImageRecords;
  content: ContentStore;
  snapshotter: Snapshotter;
  applyLayer: ApplyLayer;
  lock: RwLock;
}

/** The key a reference is stored under: "repo:tag", or "repo@digest" when pinned. */
export function refKey(ref: Reference): string {
  return ref.digest !== undefined
    ? referenceString({ domain: ref.domain, path: ref.path, digest: ref.digest })
    : referenceString(withDefaultTag(ref));
}

/** Stored refs split the way the API shows them. */
export function displayRefs(refs: readonly string[]): { tags: string[]; digests: string[] } {
  const tags: string[] = [];
  const digests: string[] = [];
  for (const r of refs) {
    const ref = parseReference(r);
    (ref.digest !== undefined ? digests : tags).push(familiarString(ref));
  }
  return { tags, digests };
}

/** Docker's lookup order: image ID digest, then name, then ID prefix. */
export function resolveImageId(ctx: ImageContext, refOrId: string): Digest {
  let parsed: AnyReference | undefined;
  let parseError: unknown;
  try {
    parsed = parseAnyReference(refOrId);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    parseError = err;
  }
  if (parsed?.kind === "id") {
    if (ctx.records.getImage(parsed.id)) return parsed.id;
    throw new NotFoundError(`No such image: ${refOrId}`);
  }
  if (parsed?.kind === "named") {
    const row = ctx.records.getRef(refKey(parsed.ref));
    if (row) return row.imageId;
  }
  if (looksLikeImageId(refOrId)) {
    const ids = ctx.records.idsWithPrefix(digestHex(refOrId));
    if (ids.length === 1) return ids[0]!;
    if (ids.length > 1) throw new InvalidArgumentError(`multiple IDs found with provided prefix: ${refOrId}`);
  }
  if (parseError) throw parseError;
  const shown = parsed?.kind === "named" ? familiarString(withDefaultTag(parsed.ref)) : refOrId;
  throw new NotFoundError(`No such image: ${shown}`);
}

export async function readConfig(ctx: ImageContext, id: Digest): Promise<ImageConfig> {
  return JSON.parse((await ctx.content.readBytes(id)).toString("utf8")) as ImageConfig;
}

export async function loadRecord(ctx: ImageContext, id: Digest): Promise<ImageRecord> {
  const row = ctx.records.getImage(id);
  if (!row) throw new NotFoundError(`No such image: ${id}`);
  const config = await readConfig(ctx, id);
  return {
    id,
    config,
    refs: ctx.records.refsOf(id).map((r) => r.ref),
    chainIds: ctx.records.layersOf(id).map((l) => l.chainId),
    created: config.created ?? row.created ?? row.added,
    size: row.size,
  };
}

/**
 * The last step of load, import and commit: the config blob is stored, then
 * image, layers and refs appear together in one transaction.
 */
export async function storeImage(
  ctx: ImageContext,
  opts: { configBytes: Buffer; layers: LayerRow[]; refs: string[]; manifestDigest?: Digest },
): Promise<{ id: Digest; moved: { ref: string; previous: Digest }[] }> {
  const config = JSON.parse(opts.configBytes.toString("utf8")) as ImageConfig;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== opts.layers.length || diffIds.some((d, i) => d !== opts.layers[i]!.diffId)) {
    throw new InvalidArgumentError("image config's rootfs.diff_ids do not match its layers");
  }
  const { digest: id } = await ctx.content.ingest(opts.configBytes, { digest: digestOf(opts.configBytes) });
  const row = {
    id,
    size: opts.layers.reduce((n, l) => n + l.size, 0),
    added: new Date().toISOString(),
    ...(config.created !== undefined ? { created: config.created } : {}),
    ...(opts.manifestDigest !== undefined ? { manifestDigest: opts.manifestDigest } : {}),
  };
  const moved = ctx.records.saveImage(row, opts.layers, opts.refs);
  return { id, moved };
}
