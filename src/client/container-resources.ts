// /containers endpoints about resources: stats (a stream of samples, or one),
// update (live limits) and prune.
import type { ImageDeleteItem } from "../api/types/index.js";
import type { ContainerStatsResponse } from "../container/stats-types.js";
import type { ContainerUpdateBody } from "../container/update.js";
import { parseJSONLines } from "./json-stream.js";
import { encodeFilters, seg, type Filters } from "./query.js";
import { readAll, type Transport } from "./transport.js";

export type { ContainerStatsResponse, ContainerUpdateBody };

export interface ContainerPruneReport {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

export interface ImagePruneReport {
  ImagesDeleted: ImageDeleteItem[] | null;
  SpaceReclaimed: number;
}

export interface ContainerResourcesApi {
  /**
   * Samples of the container's usage: with `stream`, one a second until the
   * container is removed or the iteration stops (which drops the connection);
   * without, a single one (after a second, for CPU %, unless `oneShot`).
   */
  stats(id: string, opts?: { stream?: boolean; oneShot?: boolean }): Promise<AsyncIterable<ContainerStatsResponse>>;
  update(id: string, body: ContainerUpdateBody): Promise<{ Warnings: string[] | null }>;
  /** Stopped containers that pass the filters (until, label, label!). */
  prune(opts?: { filters?: Filters }): Promise<ContainerPruneReport>;
}

export interface ImagePruneApi {
  /** Dangling images, or with the filter dangling=false every unused one. */
  prune(opts?: { filters?: Filters }): Promise<ImagePruneReport>;
}

export function containerResourcesApi(t: Transport): ContainerResourcesApi {
  return {
    stats: async (id, opts = {}) => {
      const stream = opts.stream ?? true;
      const res = await t.request(`/containers/${seg(id)}/stats`, { query: { stream: stream ? "1" : "0", "one-shot": opts.oneShot } });
      return closingOnReturn(parseJSONLines<ContainerStatsResponse>(res), () => res.destroy());
    },
    update: async (id, body) =>
      JSON.parse(await readAll(await t.request(`/containers/${seg(id)}/update`, { method: "POST", body }))) as { Warnings: string[] | null },
    prune: async (opts = {}) =>
      JSON.parse(
        await readAll(await t.request("/containers/prune", { method: "POST", query: { filters: encodeFilters(opts.filters) } })),
      ) as ContainerPruneReport,
  };
}

export function imagePruneApi(t: Transport): ImagePruneApi {
  return {
    prune: async (opts = {}) =>
      JSON.parse(await readAll(await t.request("/images/prune", { method: "POST", query: { filters: encodeFilters(opts.filters) } }))) as ImagePruneReport,
  };
}

/** A stream the caller stops reading must not keep its connection (and the daemon's sampling) going. */
async function* closingOnReturn<T>(source: AsyncGenerator<T>, close: () => void): AsyncGenerator<T> {
  try {
    yield* source;
  } finally {
    close();
  }
}
