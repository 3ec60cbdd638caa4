// POST /build and POST /build/prune. A build answers with Docker's JSON
// message stream: "Step n/m : …" lines, the RUN output, an aux message with
// the image ID, and — when it fails after starting — a last message carrying
// the error (errorDetail.code is a failed RUN's exit code).
import type { Readable } from "node:stream";
import type { JSONMessage } from "../api/types/index.js";
import type { BuildOptions, BuildResources } from "../build/build-service.js";
import { parseJSONLines } from "./json-stream.js";
import { encodeFilters, type Filters } from "./query.js";
import { readAll, type QueryValue, type Transport } from "./transport.js";

/** BuildOptions as a client fills them in: everything optional, plus what only the edge knows. */
export interface BuildImageOptions extends Partial<Omit<BuildOptions, "resources">>, BuildResources {
  pull?: boolean;
  /** Remove intermediate containers after a successful build (Docker's default: true). */
  rm?: boolean;
  forceRm?: boolean;
  cacheFrom?: string[];
  /** Refused by berthd, as by dockerd outside experimental mode. */
  squash?: boolean;
}

export interface BuildPruneOptions {
  all?: boolean;
  keepStorage?: number;
  filters?: Filters;
}

export interface BuildPruneReport {
  CachesDeleted: string[];
  SpaceReclaimed: number;
}

export interface BuildApi {
  /**
   * Builds from a context tar (plain or compressed) or a bare Dockerfile, or
   * from a URL the daemon fetches ({ remote }). Resolves once the daemon
   * accepted the request; errors found before the build starts (bad
   * parameters, a Dockerfile that does not parse) reject here.
   */
  build(context: Readable | { remote: string }, opts?: BuildImageOptions): Promise<AsyncIterable<JSONMessage>>;
  prune(opts?: BuildPruneOptions): Promise<BuildPruneReport>;
}

/** The query the docker CLI sends for the same options (ImageBuildOptions). */
export function buildQuery(opts: BuildImageOptions, remote?: string): Record<string, QueryValue> {
  const json = (value: object | undefined): string | undefined => (value && Object.keys(value).length > 0 ? JSON.stringify(value) : undefined);
  // 0 means "not set" to dockerd as well; -1 (unlimited swap) must still go out.
  const set = (n: number | undefined): number | undefined => n || undefined;
  return {
    t: opts.tags,
    remote,
    dockerfile: opts.dockerfile || undefined,
    extrahosts: opts.extraHosts,
    q: opts.quiet,
    nocache: opts.noCache,
    cachefrom: opts.cacheFrom?.length ? JSON.stringify(opts.cacheFrom) : undefined,
    pull: opts.pull,
    // rm defaults to true on the daemon; only "don't" needs saying.
    rm: opts.rm === false ? "0" : undefined,
    forcerm: opts.forceRm,
    memory: set(opts.memory),
    memswap: set(opts.memorySwap),
    cpushares: set(opts.cpuShares),
    cpusetcpus: opts.cpusetCpus || undefined,
    cpuperiod: set(opts.cpuPeriod),
    cpuquota: set(opts.cpuQuota),
    shmsize: set(opts.shmSize),
    buildargs: json(opts.buildArgs),
    labels: json(opts.labels),
    networkmode: opts.network || undefined,
    platform: opts.platform || undefined,
    target: opts.target || undefined,
    squash: opts.squash,
    version: "1",
  };
}

export function buildApi(t: Transport): BuildApi {
  return {
    build: async (context, opts = {}) => {
      const remote = "remote" in context ? context.remote : undefined;
      const res = await t.request("/build", {
        method: "POST",
        query: buildQuery(opts, remote),
        body: remote === undefined ? context : undefined,
        headers: { "Content-Type": "application/x-tar" },
      });
      return parseJSONLines<JSONMessage>(res);
    },
    prune: async (opts = {}) =>
      JSON.parse(
        await readAll(
          await t.request("/build/prune", {
            method: "POST",
            query: { all: opts.all, "keep-storage": opts.keepStorage, filters: encodeFilters(opts.filters) },
          }),
        ),
      ) as BuildPruneReport,
  };
}
