// Builds: a Dockerfile and its context become an image.
//
// Lifecycle of one build (builder.ts):
//   1. The context tar streams in and is spooled to disk once, each file
//      hashed on the way (context/); the Dockerfile is read from it and parsed
//      (dockerfile/).
//   2. The stages the target needs are planned; independent stages run
//      concurrently, each step in order on the previous step's result.
//   3. Each step first looks up the cache (cache-records.ts): the key is the
//      parent result, the instruction after expansion, the build args in scope
//      and, for COPY/ADD, the checksum of the copied files. A hit reuses the
//      stored result; a miss runs the step — RUN in a runc container on a
//      snapshot of the parent, COPY/ADD as a layer tar made straight from the
//      context, metadata steps as config changes only — and records it.
//   4. The last step's result of the target stage becomes an image, tagged
//      with every -t. Progress travels as Docker's classic JSON messages
//      ("Step 1/7 : FROM …", " ---> Using cache", " ---> 3f2a…").
//   5. Cancelling (the client went away) kills the running step's container
//      and removes its snapshot; cache entries are roots for garbage
//      collection until `builder prune` drops them.
import type { Readable } from "node:stream";
import type { JSONMessage } from "../api/types/index.js";
import type { Filters } from "../oci/filters.js";

export interface BuildResources {
  memory?: number;
  memorySwap?: number;
  cpuShares?: number;
  cpusetCpus?: string;
  cpuPeriod?: number;
  cpuQuota?: number;
  shmSize?: number;
}

export interface BuildOptions {
  /** Path of the Dockerfile inside the context; "Dockerfile" when empty. */
  dockerfile: string;
  /** Names to tag the result with ("repo[:tag]"). */
  tags: string[];
  /** --build-arg; a null value means "take it from the environment", which the CLI already resolved. */
  buildArgs: Record<string, string | null>;
  /** --label: added to the final image's labels. */
  labels: Record<string, string>;
  target?: string;
  noCache: boolean;
  /** -q: only the final image ID is shown (the API edge holds the build's messages back, and shows them if it fails). */
  quiet: boolean;
  /** RUN steps' network: "default" and "bridge" mean berth's default network. */
  network: string;
  platform?: string;
  /** --add-host entries "name:ip" for RUN steps' /etc/hosts. */
  extraHosts: string[];
  resources: BuildResources;
}

export interface BuildResult {
  /** "sha256:…" */
  imageId: string;
}

/** One entry of `system df`'s build cache and of `builder prune`'s report. */
export interface BuildCacheUsage {
  id: string;
  /** Short description: the instruction, as "Step n/m" shows it. */
  description: string;
  /** Bytes only this entry keeps alive (its layer, when no image uses it). */
  size: number;
  createdAt: string;
  lastUsedAt: string;
  usageCount: number;
  inUse: boolean;
  shared: boolean;
  type: "regular";
}

export interface BuildService {
  /**
   * Runs a build. `context` is the request body (tar, optionally compressed,
   * or a bare Dockerfile); messages go to `onMessage` as they happen; when
   * `signal` aborts, the running step is stopped and everything it made is
   * removed before the promise rejects.
   */
  build(
    context: Readable,
    opts: BuildOptions,
    io: { onMessage: (m: JSONMessage) => void; signal: AbortSignal },
  ): Promise<BuildResult>;
  /** Drops cache entries (all, or those matching filters / beyond keepStorage), then collects what they alone kept. */
  prune(opts: { all?: boolean; keepStorage?: number; filters?: Filters }): Promise<{ cachesDeleted: string[]; spaceReclaimed: number }>;
  usage(): Promise<BuildCacheUsage[]>;
}
