// The filters of GET /volumes and POST /volumes/prune, as dockerd reads them.
import { InvalidArgumentError } from "../errors.js";
import { checkFilterKeys, type Filters } from "../oci/filters.js";
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

function boolFilter(filters: Filters, key: string): boolean | undefined {
  const values = filters.get(key);
  if (!values || values.length === 0) return undefined;
  const value = values[values.length - 1]!.toLowerCase();
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new InvalidArgumentError(`invalid filter '${key}=[${values.join(" ")}]'`);
}

function nameMatches(name: string, pattern: string): boolean {
  try {
    return new RegExp(pattern).test(name);
  } catch (err) {
    // Not a valid regular expression: match it as text.
    if (!(err instanceof SyntaxError)) throw err;
    return name.includes(pattern);
  }
}

function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf("=");
  if (eq < 0) return Object.hasOwn(labels, filter);
  const key = filter.slice(0, eq);
  return Object.hasOwn(labels, key) && labels[key] === filter.slice(eq + 1);
}
