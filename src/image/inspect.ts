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
    Os: c.os,
    Size: rec.size,
    GraphDriver: { Name: ctx.snapshotter.name, Data: {} },
    RootFS: { Type: "layers", Layers: [...(c.rootfs?.diff_ids ?? [])] },
    Metadata: { LastTagTime: lastTag ?? ZERO_TIME },
  };
  if (c.variant) out.Variant = c.variant;
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

/** The OCI config as the API's ContainerConfig-shaped image config (nulls dropped, defaults filled). */
export function toDockerConfig(c: ImageRuntimeConfig | undefined): ImageConfigDocker {
  const out: ImageConfigDocker = {
    Hostname: "",
    Domainname: "",
    User: c?.User ?? "",
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Image: "",
    WorkingDir: c?.WorkingDir ?? "",
  };
  if (!c) return out;
  if (c.ExposedPorts) out.ExposedPorts = c.ExposedPorts;
  if (c.Env) out.Env = c.Env;
  if (c.Cmd) out.Cmd = c.Cmd;
  if (c.Healthcheck) out.Healthcheck = c.Healthcheck;
  if (c.ArgsEscaped !== undefined) out.ArgsEscaped = c.ArgsEscaped;
  if (c.Volumes) out.Volumes = c.Volumes;
  if (c.Entrypoint) out.Entrypoint = c.Entrypoint;
  if (c.OnBuild) out.OnBuild = c.OnBuild;
  if (c.Labels) out.Labels = c.Labels;
  if (c.StopSignal) out.StopSignal = c.StopSignal;
  if (c.Shell) out.Shell = c.Shell;
  return out;
}
