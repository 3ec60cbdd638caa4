// GET /images/{name}/json and /images/{name}/history.
import type { ImageConfigDocker, ImageHistoryItem, ImageInspect } from "../api/types/index.js";
import type { ImageRuntimeConfig } from "../oci/types.js";
import { displayRefs, loadRecord, resolveImageId, type ImageContext } from "./context.js";
import { createdSeconds } from "./list.js";

// What docker shows as LastTagTime for an image that was never tagged.
const ZERO_TIME = "0001-01-01T00:00:00Z";

export async function inspectImage(ctx: ImageContext, refOrId: string): Promise<ImageInspect> {
  const rec = await loadRecord(ctx, resolveImageId(ctx, refOrId));
  const { tags, digests } = displayRefs(rec.refs);
  const refRows = ctx.records.refsOf(rec.id);
  const lastTag = refRows.map((r) => r.added).sort().pop();
  const c = rec.config;
  const out: ImageInspect = {
    Id: rec.id,
    RepoTags: tags,
    RepoDigests: digests,
    Parent: "",
    Comment: c.comment ?? "",
    Created: rec.created,
    DockerVersion: c.docker_version ?? "",
    Author: c.author ?? "",
    Config: toDockerConfig(c.config),
    Architecture: c.architecture,
    ...(c.variant ? { Variant: c.variant } : {}),
    Os: c.os,
    Size: rec.size,
    GraphDriver: { Name: ctx.snapshotter.name, Data: {} },
    RootFS: { Type: "layers", Layers: [...(c.rootfs?.diff_ids ?? [])] },
    Metadata: { LastTagTime: lastTag ?? ZERO_TIME },
  };
  return out;
}

/** The config's history, newest first; only the top entry carries the image ID and tags. */
export async function imageHistory(ctx: ImageContext, refOrId: string): Promise<ImageHistoryItem[]> {
  const rec = await loadRecord(ctx, resolveImageId(ctx, refOrId));
  const layers = ctx.records.layersOf(rec.id);
  const out: ImageHistoryItem[] = [];
  let layerIndex = 0;
  for (const h of rec.config.history ?? []) {
    let size = 0;
    if (!h.empty_layer) {
      size = layers[layerIndex]?.size ?? 0;
      layerIndex++;
    }
    out.unshift({
      Id: "<missing>",
      Created: createdSeconds(h.created),
      CreatedBy: h.created_by ?? "",
      Tags: [],
      Size: size,
      Comment: h.comment ?? "",
    });
  }
  if (out.length > 0) {
    out[0]!.Id = rec.id;
    out[0]!.Tags = displayRefs(rec.refs).tags;
  }
  return out;
}

/**
 * dockerd's container.Config fields in the order it marshals them: [name,
 * zero value, omitempty]. Image inspect shows an image's config this way, so
 * unset fields read as null (`{{json .Config.Env}}` prints null, as with docker).
 */
const CONFIG_FIELDS: [string, unknown, boolean][] = [
  ["Hostname", "", false],
  ["Domainname", "", false],
  ["User", "", false],
  ["AttachStdin", false, false],
  ["AttachStdout", false, false],
  ["AttachStderr", false, false],
  ["ExposedPorts", null, true],
  ["Tty", false, false],
  ["OpenStdin", false, false],
  ["StdinOnce", false, false],
  ["Env", null, false],
  ["Cmd", null, false],
  ["Healthcheck", null, true],
  ["ArgsEscaped", false, true],
  ["Image", "", false],
  ["Volumes", null, false],
  ["WorkingDir", "", false],
  ["Entrypoint", null, false],
  ["NetworkDisabled", false, true],
  ["MacAddress", "", true],
  ["OnBuild", null, false],
  ["Labels", null, false],
  ["StopSignal", "", true],
  ["StopTimeout", null, true],
  ["Shell", null, true],
];

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === "" || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === "object" && Object.keys(v).length === 0;
}

/** The image's runtime config as dockerd shows it: its fields, in its order, unset ones as zero values. */
export function toDockerConfig(c: ImageRuntimeConfig | undefined): ImageConfigDocker {
  // Configs written by Docker carry container.Config fields the OCI type does not name (Image, Hostname…).
  const raw = (c ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, zero, omitEmpty] of CONFIG_FIELDS) {
    const value = raw[name];
    if (omitEmpty) {
      if (!isEmpty(value)) out[name] = value;
    } else out[name] = value ?? zero;
  }
  return out as ImageConfigDocker;
}
