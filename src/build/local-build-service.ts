// createBuildService: BuildService over the image service, the snapshotter,
// runc and the build cache table. Builds run concurrently; each has its own
// directory and lease (builder.ts).
import path from "node:path";
import { InvalidArgumentError } from "../errors.js";
import { checkFilterKeys, filterTimestamp, type Filters } from "../oci/filters.js";
import type { ImageService } from "../image/image-service.js";
import type { RuncOptions } from "../runtime/runc.js";
import type { Snapshotter } from "../snapshot/snapshotter.js";
import type { DB } from "../store/db.js";
import type { BuildCacheUsage, BuildService } from "./build-service.js";
import type { BuilderDeps } from "./build-run.js";
import { runBuild } from "./builder.js";
import { createCacheRecords, type CacheRow } from "./cache-records.js";
import { recoverBuilds } from "./recover.js";
import { CACHE_LEASE_PREFIX } from "./step.js";

export interface BuildServiceDeps {
  db: DB;
  images: ImageService;
  snapshotter: Snapshotter;
  runc: RuncOptions;
  dataRoot: string;
}

export function createBuildService(d: BuildServiceDeps): BuildService & { recover(): Promise<{ snapshots: string[] }> } {
  const deps: BuilderDeps = {
    images: d.images,
    snapshotter: d.snapshotter,
    cache: createCacheRecords(d.db),
    runc: d.runc,
    root: path.join(d.dataRoot, "build"),
  };
  const usageOf = (r: CacheRow): BuildCacheUsage => ({
    id: r.key.replace(/^sha256:/, "").slice(0, 25),
    description: r.description,
    size: r.size,
    createdAt: r.created,
    lastUsedAt: r.lastUsed,
    usageCount: r.usageCount,
    inUse: false,
    // A layer an image also uses stays when the cache goes: shared, not reclaimable (as BuildKit reports it).
    shared: r.chainId !== undefined && r.size > 0 && d.images.build.imageUses(r.chainId),
    type: "regular",
  });

  return {
    build: (body, opts, io) => runBuild(deps, body, opts, io),
    async usage() {
      return deps.cache.all().map(usageOf);
    },
    async prune(opts) {
      const rows = deps.cache.all();
      const doomed = selectForPrune(rows, opts);
      for (const r of doomed) {
        deps.cache.delete(r.key);
        deps.images.build.deleteLease(`${CACHE_LEASE_PREFIX}${r.key}`);
      }
      const reclaimed = doomed.length > 0 ? await deps.images.build.collect() : 0;
      return { cachesDeleted: doomed.map((r) => usageOf(r).id), spaceReclaimed: reclaimed };
    },
    recover: () => recoverBuilds(deps),
  };
}

function selectForPrune(rows: CacheRow[], opts: { all?: boolean; keepStorage?: number; filters?: Filters }): CacheRow[] {
  const filters = opts.filters ?? new Map<string, string[]>();
  checkFilterKeys(filters, ["until", "id", "parent", "type", "description", "inuse", "shared", "private"]);
  let candidates = rows;
  const until = filters.get("until");
  if (until?.length) {
    const limit = Math.min(...until.map((u) => filterTimestamp(u, Date.now())));
    candidates = candidates.filter((r) => Date.parse(r.lastUsed) < limit);
  }
  const ids = filters.get("id");
  if (ids?.length) candidates = candidates.filter((r) => ids.some((id) => r.key.replace(/^sha256:/, "").startsWith(id)));
  const descriptions = filters.get("description");
  if (descriptions?.length) candidates = candidates.filter((r) => descriptions.some((d) => r.description.includes(d)));
  const types = filters.get("type");
  if (types?.length && !types.includes("regular")) candidates = [];
  if (opts.keepStorage !== undefined && opts.keepStorage < 0) throw new InvalidArgumentError("keep-storage must not be negative");
  if (opts.keepStorage !== undefined && opts.keepStorage > 0) {
    // Keep the most recently used entries that fit in keep-storage.
    const byRecent = [...candidates].sort((a, b) => (a.lastUsed < b.lastUsed ? 1 : -1));
    let kept = 0;
    const keep = new Set<string>();
    for (const r of byRecent) {
      if (kept + r.size > opts.keepStorage) break;
      kept += r.size;
      keep.add(r.key);
    }
    candidates = candidates.filter((r) => !keep.has(r.key));
  }
  return candidates;
}
