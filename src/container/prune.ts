// POST /containers/prune: removes every container that is not running (nor
// paused, nor restarting) and passes the filters — until, label, label! — as
// dockerd does: one removal failing (say, a busy mount) is logged and the rest
// go on. The space reclaimed is what each writable layer held.
import { InvalidArgumentError, NotFoundError, ConflictError } from "../errors.js";
import { checkFilterKeys, filterTimestamp, labelMatches, type Filters } from "../oci/filters.js";
import { pathsOf, type Context } from "./context.js";
import type { ContainerRecord } from "./records.js";
import { removeContainer } from "./remove.js";
import { dirSize, driverData } from "./size.js";
import { isActive } from "./state.js";

export interface ContainerPruneReport {
  ContainersDeleted: string[];
  SpaceReclaimed: number;
}

const FILTER_KEYS = ["until", "label", "label!"] as const;

export async function pruneContainers(ctx: Context, filters: Filters): Promise<ContainerPruneReport> {
  const keep = pruneFilter(filters, Date.now());
  const report: ContainerPruneReport = { ContainersDeleted: [], SpaceReclaimed: 0 };
  for (const rec of ctx.records.list()) {
    if (isActive(rec.state.status) || rec.state.status === "removing" || !keep(rec)) continue;
    const writable = driverData(rec.rootfsMounts, pathsOf(ctx, rec.id).rootfs).writable;
    const size = writable ? await dirSize(writable) : 0;
    try {
      await removeContainer(ctx, rec.id, {});
    } catch (err) {
      // Started, or removed, by someone else since the list was read: theirs to decide.
      if (err instanceof NotFoundError || err instanceof ConflictError) continue;
      ctx.log?.("warn", "container prune: could not remove", { id: rec.id, error: String(err) });
      continue;
    }
    report.ContainersDeleted.push(rec.id);
    report.SpaceReclaimed += size;
  }
  ctx.events.publish("container", "prune", "", { reclaimed: String(report.SpaceReclaimed) });
  return report;
}

/** The filters as one predicate; throws dockerd's errors for unknown keys and bad values. */
export function pruneFilter(filters: Filters, nowMs: number): (rec: ContainerRecord) => boolean {
  checkFilterKeys(filters, FILTER_KEYS);
  const untilValues = filters.get("until") ?? [];
  if (untilValues.length > 1) throw new InvalidArgumentError("more than one until filter specified");
  const until = untilValues[0] === undefined ? undefined : filterTimestamp(untilValues[0], nowMs);
  const labels = filters.get("label") ?? [];
  const notLabels = filters.get("label!") ?? [];
  return (rec) => {
    if (until !== undefined && Date.parse(rec.created) > until) return false;
    const own = rec.config.Labels ?? {};
    if (!labels.every((l) => labelMatches(own, l))) return false;
    // label!: a container matching all of them stays (moby's MatchKVList).
    if (notLabels.length > 0 && notLabels.every((l) => labelMatches(own, l))) return false;
    return true;
  };
}
