// One step with the cache in front of it. The key is the parent result, the
// instruction after expansion, and whatever else decides the outcome (build
// args for RUN, file checksums for COPY/ADD); a hit reuses the stored result
// if its layer is still there, a miss runs the step and stores the result.
import { SystemError } from "../errors.js";
import { sha256Hex, shortId } from "../oci/digest.js";
import type { Digest, ImageConfig } from "../oci/types.js";
import type { BuildRun, StageState } from "./build-run.js";
import { resultFromJson, resultOf, topChain, type StepResult } from "./step-result.js";

/** A RUN whose command failed: the build stops with its exit code (the docker CLI exits with it). */
export class StepFailedError extends SystemError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const CACHE_LEASE_PREFIX = "build-cache:";

export interface StepSpec {
  /** Everything besides the parent that decides the result. */
  cacheInput: string;
  /** Shown by `system df -v` and `builder prune`. */
  description: string;
  /** Runs the step on a miss: the new config, and the bytes its layer added. */
  execute(): Promise<{ config: ImageConfig; size?: number }>;
}

export async function cachedStep(run: BuildRun, state: StageState, spec: StepSpec): Promise<StepResult> {
  if (run.signal.aborted) throw run.signal.reason ?? new Error("build cancelled");
  const { cache, images } = run.deps;
  const key = `sha256:${sha256Hex(`${state.result.id}\n${spec.cacheInput}`)}`;
  if (!run.opts.noCache) {
    const hit = cache.get(key);
    if (hit && (hit.chainId === undefined || images.build.hasLayer(hit.chainId))) {
      cache.touch(key);
      run.emit(" ---> Using cache\n");
      return finish(run, resultFromJson(hit.config));
    }
  }
  const { config, size = 0 } = await spec.execute();
  const result = resultOf(config);
  const chainId: Digest | undefined = topChain(result);
  const now = new Date().toISOString();
  const added = config.rootfs.diff_ids.length > state.result.config.rootfs.diff_ids.length;
  cache.put({
    key,
    parent: state.result.id,
    config: result.json,
    ...(chainId !== undefined ? { chainId } : {}),
    description: spec.description,
    size: added ? size : 0,
    created: now,
    lastUsed: now,
    usageCount: 0,
  });
  if (chainId !== undefined) images.build.lease(`${CACHE_LEASE_PREFIX}${key}`, [chainId]);
  return finish(run, result);
}

function finish(run: BuildRun, result: StepResult): StepResult {
  run.emit(` ---> ${shortId(result.id)}\n`);
  return result;
}
