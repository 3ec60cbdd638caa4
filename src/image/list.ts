// GET /images/json: image summaries, newest first, with Docker's filters
// (dangling, label, label!, reference, before, since, until).
import { InvalidArgumentError } from "../errors.js";
import { checkFilterKeys, filterTimestamp, type Filters, boolFilter, labelMatches } from "../oci/filters.js";
import { familiarMatch, familiarString, parseReference } from "../oci/reference.js";
import type { ImageSummary } from "../api/types/index.js";
import { readConfig, resolveImageId, type ImageContext } from "./context.js";

const FILTER_KEYS = ["dangling", "label", "label!", "reference", "before", "since", "until"] as const;

export async function listImages(
  ctx: ImageContext,
  opts: { all?: boolean; filters?: Filters },
): Promise<ImageSummary[]> {
  const filters = opts.filters ?? new Map<string, string[]>();
  checkFilterKeys(filters, FILTER_KEYS);
  const dangling = boolFilter(filters, "dangling");
  const labels = filters.get("label") ?? [];
  const notLabels = filters.get("label!") ?? [];
  const patterns = filters.get("reference");
  // Compared in milliseconds, not the seconds the summary shows, as dockerd compares times.
  const before = await createdOfFilter(ctx, filters, "before");
  const since = await createdOfFilter(ctx, filters, "since");
  const untilValues = filters.get("until") ?? [];
  if (untilValues.length > 1) throw new InvalidArgumentError("more than one until filter specified");
  const until = untilValues[0] === undefined ? undefined : filterTimestamp(untilValues[0], Date.now());

  const out: ImageSummary[] = [];
  for (const row of ctx.records.allImages()) {
    const config = await readConfig(ctx, row.id);
    const createdMs = createdMillis(config.created);
    if (before !== undefined && createdMs >= before) continue;
    if (since !== undefined && createdMs <= since) continue;
    if (until !== undefined && createdMs > until) continue;
    const imageLabels = config.config?.Labels ?? {};
    if (!labels.every((l) => labelMatches(imageLabels, l))) continue;
    // label! drops an image that matches all of its terms (moby's MatchKVList).
    if (notLabels.length > 0 && notLabels.every((l) => labelMatches(imageLabels, l))) continue;

    const refs = ctx.records.refsOf(row.id);
    const tags: string[] = [];
    const digests: string[] = [];
    for (const { ref: stored } of refs) {
      const ref = parseReference(stored);
      // With a reference filter only the matching names are shown, as docker does.
      if (patterns && !patterns.some((p) => familiarMatch(p, ref))) continue;
      (ref.digest !== undefined ? digests : tags).push(familiarString(ref));
    }
    if (tags.length === 0 && digests.length === 0) {
      if (patterns) continue;
      if (dangling === false) continue;
    } else if (dangling === true && tags.length > 0) continue;

    out.push({
      Id: row.id,
      ParentId: "",
      RepoTags: tags,
      RepoDigests: digests,
      Created: Math.floor(createdMs / 1000),
      Size: row.size,
      SharedSize: -1,
      Labels: imageLabels,
      Containers: -1,
    });
  }
  return out.sort((a, b) => b.Created - a.Created || a.Id.localeCompare(b.Id));
}

export function createdSeconds(created: string | undefined): number {
  return Math.floor(createdMillis(created) / 1000);
}

function createdMillis(created: string | undefined): number {
  const ms = created ? Date.parse(created) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}


async function createdOfFilter(ctx: ImageContext, filters: Filters, key: string): Promise<number | undefined> {
  const values = filters.get(key);
  if (!values || values.length === 0) return undefined;
  const id = resolveImageId(ctx, values[values.length - 1]!);
  return createdMillis((await readConfig(ctx, id)).created);
}

