// The config of a committed image, as dockerd's commit makes it: the request's
// config (or none) with the --change instructions applied, then completed from
// the container's config (daemon/commit.go merge), and a history entry naming
// the container's command.
import type { ContainerConfig } from "../../api/types/index.js";
import { applyChanges } from "../../image/changes.js";
import type { HistoryEntry, ImageConfig, ImageRuntimeConfig } from "../../oci/types.js";
import type { ContainerRecord } from "../records.js";

const RUNTIME_FIELDS = [
  "User",
  "ExposedPorts",
  "Env",
  "Entrypoint",
  "Cmd",
  "Volumes",
  "WorkingDir",
  "Labels",
  "StopSignal",
  "Healthcheck",
  "ArgsEscaped",
  "OnBuild",
  "Shell",
] as const;

/** The fields of a container config an image config holds. */
export function runtimeConfig(c: ContainerConfig): ImageRuntimeConfig {
  const out: Record<string, unknown> = {};
  for (const key of RUNTIME_FIELDS) if (c[key] !== undefined) out[key] = structuredClone(c[key]);
  return out as ImageRuntimeConfig;
}

/** dockerd's merge: what the user's config leaves out comes from the container's. */
export function mergeConfig(user: ImageRuntimeConfig, ctr: ImageRuntimeConfig): ImageRuntimeConfig {
  const out: ImageRuntimeConfig = { ...user };
  if (!out.User) out.User = ctr.User;
  out.ExposedPorts = { ...ctr.ExposedPorts, ...out.ExposedPorts };
  const keyOf = (e: string): string => e.split("=", 1)[0]!;
  const userKeys = new Set((out.Env ?? []).map(keyOf));
  out.Env = [...(out.Env ?? []), ...(ctr.Env ?? []).filter((e) => !userKeys.has(keyOf(e)))];
  out.Labels = { ...ctr.Labels, ...out.Labels };
  if (!out.Entrypoint?.length) {
    if (!out.Cmd?.length) out.Cmd = ctr.Cmd;
    if (out.Entrypoint === undefined) out.Entrypoint = ctr.Entrypoint;
  }
  if (ctr.Healthcheck) out.Healthcheck = { ...ctr.Healthcheck, ...out.Healthcheck };
  if (!out.WorkingDir) out.WorkingDir = ctr.WorkingDir;
  out.Volumes = { ...ctr.Volumes, ...out.Volumes };
  if (!out.StopSignal) out.StopSignal = ctr.StopSignal;
  return dropEmpty(out);
}

function dropEmpty(c: ImageRuntimeConfig): ImageRuntimeConfig {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(c)) {
    if (value === undefined || value === "") continue;
    if (Array.isArray(value) ? value.length === 0 : typeof value === "object" && value !== null && Object.keys(value).length === 0) {
      if (key !== "Labels") continue;
    }
    out[key] = value;
  }
  return out as ImageRuntimeConfig;
}

export interface CommitMeta {
  author?: string;
  comment?: string;
  changes: string[];
  config?: ContainerConfig;
  /** Whether the container's changes make a layer (an unchanged container adds a history entry only). */
  emptyLayer: boolean;
}

/** The new image's config; rootfs is filled in by the image service. */
export function commitImageConfig(rec: ContainerRecord, parent: ImageConfig, meta: CommitMeta): ImageConfig {
  const created = new Date().toISOString();
  const ctr = runtimeConfig(rec.config);
  const user = applyChanges(meta.config ? runtimeConfig(meta.config) : {}, meta.changes);
  const entry: HistoryEntry = {
    created,
    ...(meta.author ? { author: meta.author } : {}),
    created_by: [rec.path, ...rec.args].join(" "),
    ...(meta.comment ? { comment: meta.comment } : {}),
    ...(meta.emptyLayer ? { empty_layer: true } : {}),
  };
  return {
    architecture: parent.architecture,
    os: parent.os,
    ...(parent.variant ? { variant: parent.variant } : {}),
    ...(meta.author ? { author: meta.author } : {}),
    ...(meta.comment ? { comment: meta.comment } : {}),
    config: mergeConfig(user, ctr),
    container: rec.id,
    container_config: ctr,
    created,
    history: [...(parent.history ?? []), entry],
    rootfs: { type: "layers", diff_ids: [] },
  };
}
