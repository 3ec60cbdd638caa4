// `docker import`: a rootfs tarball (plain or gzip) becomes a one-layer image,
// its config built from --change instructions. Also `commitLayer`, which puts
// one layer (or none) on top of a parent image for commit and build.
import type { Readable } from "node:stream";
import { InvalidArgumentError } from "../errors.js";
import { familiarName, parseNormalizedNamed, withDefaultTag } from "../oci/reference.js";
import type { Digest, ImageConfig } from "../oci/types.js";
import { applyChanges } from "./changes.js";
import { refKey, resolveImageId, storeImage, type ImageContext } from "./context.js";
import type { ImportOptions } from "./image-service.js";
import type { LayerRow } from "./records.js";
import { unpackLayer } from "./unpack.js";

const GO_ARCH: Partial<Record<NodeJS.Architecture, string>> = {
  x64: "amd64",
  arm64: "arm64",
  arm: "arm",
  ia32: "386",
  ppc64: "ppc64le",
  s390x: "s390x",
  riscv64: "riscv64",
};

/** The host platform in OCI (Go) names. */
export function hostPlatform(): { os: string; architecture: string } {
  return { os: "linux", architecture: GO_ARCH[process.arch] ?? process.arch };
}

/** Returns the image ID and the blob the tarball was stored as (unused when the layer was already there). */
export async function importImage(
  ctx: ImageContext,
  source: Readable,
  opts: ImportOptions,
): Promise<{ id: Digest; blob: Digest }> {
  const ref = opts.reference ? tagReference(opts.reference, "cannot import digest reference") : undefined;
  const runtimeConfig = applyChanges({}, opts.changes ?? []);
  const platform = parsePlatform(opts.platform);
  const created = new Date().toISOString();
  const comment = opts.message || `Imported from ${opts.source ?? "-"}`;
  return ctx.lock.shared(async () => {
    const blob = await ctx.content.ingest(source);
    const layer = await unpackLayer(ctx, blob, {});
    const config: ImageConfig = {
      architecture: platform.architecture,
      ...(platform.variant ? { variant: platform.variant } : {}),
      comment,
      config: runtimeConfig,
      created,
      history: [{ created, comment }],
      os: platform.os,
      rootfs: { type: "layers", diff_ids: [layer.diffId] },
    };
    const { id } = await storeImage(ctx, {
      configBytes: Buffer.from(JSON.stringify(config)),
      layers: [layer],
      refs: ref ? [ref] : [],
    });
    return { id, blob: blob.digest };
  });
}

/**
 * A new image: the parent's layers, plus `layer` (an uncompressed tar) when
 * given. `config.rootfs` is filled in here; history is the caller's to write.
 */
export async function commitLayer(
  ctx: ImageContext,
  parentId: string | undefined,
  layer: Readable | undefined,
  config: ImageConfig,
): Promise<Digest> {
  return ctx.lock.shared(async () => {
    const parentLayers: LayerRow[] = [];
    if (parentId !== undefined) {
      parentLayers.push(...ctx.records.layersOf(resolveImageId(ctx, parentId)));
    }
    const layers = [...parentLayers];
    if (layer) {
      const blob = await ctx.content.ingest(layer);
      layers.push(await unpackLayer(ctx, blob, { parent: parentLayers[parentLayers.length - 1]?.chainId }));
    }
    const full: ImageConfig = { ...config, rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) } };
    const { id } = await storeImage(ctx, { configBytes: Buffer.from(JSON.stringify(full)), layers, refs: [] });
    return id;
  });
}

/** Parses a name to tag an image with: ":latest" added; digests refused. */
export function tagReference(name: string, digestMessage: string): string {
  const ref = parseNormalizedNamed(name);
  if (ref.digest !== undefined) throw new InvalidArgumentError(digestMessage);
  if (familiarName(ref) === "sha256") {
    throw new InvalidArgumentError("refusing to create an ambiguous tag using digest algorithm as name");
  }
  return refKey(withDefaultTag(ref));
}

function parsePlatform(spec: string | undefined): { os: string; architecture: string; variant?: string } {
  const host = hostPlatform();
  if (!spec) return host;
  const parts = spec.toLowerCase().split("/");
  if (parts.length > 3 || parts.some((p) => p === "")) {
    throw new InvalidArgumentError(`"${spec}": unknown operating system or architecture: invalid argument`);
  }
  const [os, architecture = host.architecture, variant] = parts as [string, string?, string?];
  return variant ? { os, architecture, variant } : { os, architecture };
}
