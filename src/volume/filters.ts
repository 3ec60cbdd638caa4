// The filters of GET /volumes and POST /volumes/prune, as dockerd reads them.
import { checkFilterKeys, type Filters, nameMatches, labelMatches, boolFilter } from "../oci/filters.js";
import type { VolumeRecord } from "./records.js";

export interface VolumeFacts {
  rec: VolumeRecord;
  refCount: number;
}

/** GET /volumes filters: dangling, driver, label, name. */
export function listMatcher(filters: Filters): (v: VolumeFacts) => boolean {
  checkFilterKeys(filters, ["dangling", "driver", "label", "name"]);
  const dangling = boolFilter(filters, "dangling");
  const drivers = filters.get("driver") ?? [];
  const names = filters.get("name") ?? [];
  const labels = filters.get("label") ?? [];
  return ({ rec, refCount }) =>
    (dangling === undefined || dangling === (refCount === 0)) &&
    (drivers.length === 0 || drivers.includes(rec.driver)) &&
    (names.length === 0 || names.some((n) => nameMatches(rec.name, n))) &&
    labels.every((l) => labelMatches(rec.labels, l));
}

/** POST /volumes/prune filters: label, label!, and all (API ≥ 1.42: named volumes too). */
export function pruneMatcher(filters: Filters): (v: VolumeFacts) => boolean {
  checkFilterKeys(filters, ["label", "label!", "all"]);
  const all = boolFilter(filters, "all") ?? false;
  const labels = filters.get("label") ?? [];
  const notLabels = filters.get("label!") ?? [];
  return ({ rec, refCount }) =>
    refCount === 0 &&
    (all || rec.anonymous) &&
    labels.every((l) => labelMatches(rec.labels, l)) &&
    !notLabels.some((l) => labelMatches(rec.labels, l));
}



