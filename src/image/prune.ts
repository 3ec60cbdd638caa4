// POST /images/prune with moby's rules: by default only dangling images (no
// tag; digest-only names count as dangling), with dangling=false every image
// no container uses; until and label/label! narrow the choice. Each image goes
// through rmi without force, name by name, so what rmi would refuse stays. The
// space reclaimed is the unpacked size of the layers that went with them.
import { ConflictError, NotFoundError } from "../errors.js";
import { boolFilter, checkFilterKeys, filterTimestamp, labelMatches, type Filters } from "../oci/filters.js";
import { digestHex } from "../oci/digest.js";
import { parseReference } from "../oci/reference.js";
import type { Digest } from "../oci/types.js";
import type { ImageDeleteItem } from "../api/types/index.js";
import type { DB } from "../store/db.js";
import { readConfig, type ImageContext } from "./context.js";
import { removeImage, type RemoveOptions } from "./remove.js";

export interface ImagePruneReport {
  ImagesDeleted: ImageDeleteItem[];
  SpaceReclaimed: number;
}

export interface PruneOptions {
  usedBy: RemoveOptions["usedBy"];
  /** Told of each image's removal items, for events. */
  onRemoved?: (imageId: Digest, items: ImageDeleteItem[]) => void;
}

const FILTER_KEYS = ["dangling", "label", "label!", "until"] as const;

/** Call under the image lock, exclusively: it removes images and collects their layers. */
export async function pruneImages(ctx: ImageContext, db: DB, filters: Filters, opts: PruneOptions): Promise<ImagePruneReport> {
  checkFilterKeys(filters, FILTER_KEYS);
  const danglingOnly = boolFilter(filters, "dangling") ?? true;
  const untilValues = filters.get("until") ?? [];
  const until = untilValues.length > 0 ? filterTimestamp(untilValues[untilValues.length - 1]!, Date.now()) : undefined;
  const labels = filters.get("label") ?? [];
  const notLabels = filters.get("label!") ?? [];
  const layerSizes = new Map(ctx.records.allLayers().map((l) => [l.chainId as string, l.size]));

  const report: ImagePruneReport = { ImagesDeleted: [], SpaceReclaimed: 0 };
  for (const image of ctx.records.allImages()) {
    if (opts.usedBy(image.id).length > 0) continue;
    const config = await readConfig(ctx, image.id);
    const created = Date.parse(config.created ?? "");
    if (until !== undefined && created > until) continue;
    const own = config.config?.Labels ?? {};
    if (!labels.every((l) => labelMatches(own, l))) continue;
    if (notLabels.length > 0 && notLabels.every((l) => labelMatches(own, l))) continue;

    const refs = ctx.records.refsOf(image.id).map((r) => r.ref);
    const tagged = refs.some((r) => parseReference(r).digest === undefined);
    if (danglingOnly && tagged) continue;
    const items: ImageDeleteItem[] = [];
    // Name by name, as dockerd: the last one removed takes the image with it.
    for (const name of refs.length > 0 ? refs : [digestHex(image.id)]) {
      try {
        items.push(...(await removeImage(ctx, db, name, { usedBy: opts.usedBy })));
      } catch (err) {
        if (!(err instanceof ConflictError) && !(err instanceof NotFoundError)) throw err;
      }
    }
    if (items.length === 0) continue;
    opts.onRemoved?.(image.id, items);
    report.ImagesDeleted.push(...items);
    for (const item of items) if (item.Deleted) report.SpaceReclaimed += layerSizes.get(item.Deleted) ?? 0;
  }
  return report;
}
