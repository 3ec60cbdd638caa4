// GET /images/json: image summaries, newest first, with Docker's filters
// (dangling, label, reference, before, since).
import { InvalidArgumentError } from "../errors.js";
import { checkFilterKeys, type Filters } from "../oci/filters.js";
import { familiarMatch, familiarString, parseReference } from "../oci/reference.js";
import type { ImageSummary } from "../api/types/index.js";
import { readConfig, resolveImageId, type ImageContext } from "./context.js";

const FILTER_KEYS = ["dangling", "label", "reference", "before", "since"] as const;

export async function listImages(
  ctx: ImageContext,
  opts: { all?: boolean; filters?: Filters },
): Promise<ImageSummary[]> {
  const filters = opts.filters ?? new Map<string, string[]>();
  checkFilterKeys(filters, FILTER_KEYS);
  const dangling = boolFilter(filters, "dangling");
  const labels = filters.get("label") ?? [];
  const patterns = filters.get("reference");
  const before = await createdOfFilter(ctx, filters, "before");
  const since = await createdOfFilter(ctx, filters, "since");

  const out: ImageSummary[] = [];
  for (const row of ctx.records.allImages()) {
    const config = await readConfig(ctx, row.id);
    const created = createdSeconds(config.created);
    if (before !== undefined && created >= before) continue;
    if (since !== undefined && created <= since) continue;
    const imageLabels = config.config?.Labels ?? {};
    if (!labels.every((l) => matchLabel(imageLabels, l))) continue;

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
      Created: created,
      Size: row.size,
      SharedSize: -1,
      Labels: imageLabels,
      Containers: -1,
    });
  }
  return out.sort((a, b) => b.Created - a.Created || a.Id.localeCompare(b.Id));
}

export function createdSeconds(created: string | undefined): number {
  const ms = created ? Date.parse(created) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function boolFilter(filters: Filters, key: string): boolean | undefined {
  const values = filters.get(key);
  if (!values || values.length === 0) return undefined;
  const v = values[values.length - 1]!.toLowerCase();
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new InvalidArgumentError(`invalid filter '${key}=${values[values.length - 1]}'`);
}

async function createdOfFilter(ctx: ImageContext, filters: Filters, key: string): Promise<number | undefined> {
  const values = filters.get(key);
  if (!values || values.length === 0) return undefined;
  const id = resolveImageId(ctx, values[values.length - 1]!);
  return createdSeconds((await readConfig(ctx, id)).created);
}

function matchLabel(labels: Record<string, string>, filter: string): boolean {
  const i = filter.indexOf("=");
  if (i === -1) return Object.hasOwn(labels, filter);
  return labels[filter.slice(0, i)] === filter.slice(i + 1);
}
