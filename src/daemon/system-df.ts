// GET /system/df: what the data root holds, from the services that own it —
// images with how many containers use each, containers with their sizes,
// volumes with their sizes and reference counts, and the build cache.
// Only the lists asked for are worked out, as in dockerd.
import type { DiskUsageType, SystemDataUsage } from "../api/router/system/backend.js";
import type { definitions } from "../api/types/engine.js";
import type { BuildService, BuildCacheUsage } from "../build/build-service.js";
import type { ContainerService } from "../container/container-service.js";
import type { ImageService } from "../image/image-service.js";
import type { VolumeService } from "../volume/volume-service.js";

export interface SystemDfDeps {
  images: Pick<ImageService, "list">;
  containers: Pick<ContainerService, "list">;
  build: Pick<BuildService, "usage">;
  /** Left out by callers that hold no volumes (API tests): the list is then empty. */
  volumes?: Pick<VolumeService, "usage">;
}

type BuildCache = definitions["BuildCache"];

function cacheRecord(entry: BuildCacheUsage): BuildCache {
  return {
    ID: entry.id,
    Parents: [],
    Type: entry.type,
    Description: entry.description,
    InUse: entry.inUse,
    Shared: entry.shared,
    Size: entry.size,
    CreatedAt: entry.createdAt,
    LastUsedAt: entry.lastUsedAt,
    UsageCount: entry.usageCount,
  };
}

export async function systemDf(deps: SystemDfDeps, opts: { types: ReadonlySet<DiskUsageType> }): Promise<SystemDataUsage> {
  const { types } = opts;
  const wantImages = types.has("image");
  // Images report how many containers use them, so they need the container list too.
  const [images, containers, cache, volumes] = await Promise.all([
    wantImages ? deps.images.list({ all: true }) : undefined,
    wantImages || types.has("container") ? deps.containers.list({ all: true, size: true }) : undefined,
    types.has("build-cache") ? deps.build.usage() : undefined,
    types.has("volume") ? (deps.volumes?.usage() ?? []) : undefined,
  ]);
  const out: SystemDataUsage = {};
  if (images) {
    const users = new Map<string, number>();
    for (const c of containers ?? []) if (c.ImageID) users.set(c.ImageID, (users.get(c.ImageID) ?? 0) + 1);
    // Image sizes added up: a layer shared by two images counts twice, until
    // the image service can report each layer once.
    out.LayersSize = images.reduce((sum, i) => sum + (i.Size ?? 0), 0);
    out.Images = images.map((i) => ({ ...i, Containers: users.get(i.Id) ?? 0 }));
  }
  if (containers && types.has("container")) out.Containers = containers;
  if (volumes) out.Volumes = volumes;
  if (cache) out.BuildCache = cache.map(cacheRecord);
  return out;
}
