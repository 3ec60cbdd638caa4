// /volumes endpoints: create, list, inspect, remove, prune.
import type { Volume, VolumeCreateBody } from "../api/types/index.js";
import { encodeFilters, seg, type Filters } from "./query.js";
import { readAll, type Transport } from "./transport.js";

export interface VolumePruneReport {
  VolumesDeleted: string[] | null;
  SpaceReclaimed: number;
}

export interface VolumesApi {
  /** POST /volumes/create: the new volume, or the existing one of that name. */
  create(body?: VolumeCreateBody): Promise<Volume>;
  list(opts?: { filters?: Filters }): Promise<{ Volumes: Volume[] | null; Warnings: string[] | null }>;
  inspect(name: string): Promise<Volume>;
  /** `force` ignores a volume that does not exist. */
  remove(name: string, opts?: { force?: boolean }): Promise<void>;
  /** Unused anonymous volumes, or every unused one with the filter all=true. */
  prune(opts?: { filters?: Filters }): Promise<VolumePruneReport>;
}

export function volumesApi(t: Transport): VolumesApi {
  const json = async <T>(path: string, opts: Parameters<Transport["request"]>[1] = {}): Promise<T> =>
    JSON.parse(await readAll(await t.request(path, opts))) as T;
  return {
    create: (body = {}) => json("/volumes/create", { method: "POST", body }),
    list: (opts = {}) => json("/volumes", { query: { filters: encodeFilters(opts.filters) } }),
    inspect: (name) => json(`/volumes/${seg(name)}`),
    remove: async (name, opts = {}) => {
      await readAll(await t.request(`/volumes/${seg(name)}`, { method: "DELETE", query: { force: opts.force } }));
    },
    prune: (opts = {}) => json("/volumes/prune", { method: "POST", query: { filters: encodeFilters(opts.filters) } }),
  };
}
