// A step's result: the image config the build has reached so far. Its digest
// is what the classic builder prints as " ---> 3f2a…" and, for the last step
// of the target stage, the built image's ID.
import { chainIds, digestOf } from "../oci/digest.js";
import type { Digest, ImageConfig, ImageRuntimeConfig } from "../oci/types.js";

export interface StepResult {
  id: Digest;
  config: ImageConfig;
  /** The config as stored (its digest is `id`). */
  json: string;
  /** Set when the result is exactly an existing image (a FROM no step followed): the build names that image. */
  imageId?: Digest;
}

export function resultOf(config: ImageConfig): StepResult {
  const json = JSON.stringify(config);
  return { id: digestOf(json), config, json };
}

export function resultFromJson(json: string): StepResult {
  return { id: digestOf(json), config: JSON.parse(json) as ImageConfig, json };
}

/** The result's top layer, or undefined for an image without layers (scratch). */
export function topChain(result: StepResult): Digest | undefined {
  return chainIds(result.config.rootfs.diff_ids).at(-1);
}

/**
 * The next config: `change` edits a copy of the runtime config; a history
 * entry is appended; `diffId` adds a layer (else the step is empty_layer).
 */
export function nextConfig(
  parent: StepResult,
  step: { createdBy: string; diffId?: Digest; change?: (c: ImageRuntimeConfig) => void },
): ImageConfig {
  const runtime: ImageRuntimeConfig = structuredClone(parent.config.config ?? {});
  step.change?.(runtime);
  const created = new Date().toISOString();
  const history = [...(parent.config.history ?? [])];
  history.push(
    step.diffId !== undefined
      ? { created, created_by: step.createdBy }
      : { created, created_by: step.createdBy, empty_layer: true },
  );
  const { container: _c, container_config: _cc, ...rest } = parent.config;
  return {
    ...rest,
    created,
    config: runtime,
    rootfs: { type: "layers", diff_ids: step.diffId !== undefined ? [...parent.config.rootfs.diff_ids, step.diffId] : parent.config.rootfs.diff_ids },
    history,
  };
}
