// Volume endpoints: parse the request, call the volume service, write the
// answer; failures get their status from the error kinds (api/errors.ts).
import { InvalidArgumentError } from "../../../errors.js";
import { parseFilters } from "../../../oci/filters.js";
import { goTypeName, readJsonObject } from "../../body.js";
import { boolParam } from "../../query.js";
import { writeJson, writeNoContent } from "../../respond.js";
import type { RequestContext } from "../../router.js";
import { versionAtLeast } from "../../versions.js";
import type { VolumeCreateOptions } from "../../../volume/volume-service.js";
import type { VolumesBackend } from "./backend.js";

export function volumeHandlers(backend: VolumesBackend) {
  return {
    async list({ res, query }: RequestContext): Promise<void> {
      const { Volumes, Warnings } = await backend.list(parseFilters(query.get("filters")));
      // Go's nil slice: null when there is nothing to warn about.
      writeJson(res, 200, { Volumes, Warnings: Warnings.length > 0 ? Warnings : null });
    },

    async create(ctx: RequestContext): Promise<void> {
      const body = (await readJsonObject(ctx, { optional: true })) ?? {};
      const volume = await backend.create(createOptions(body));
      writeJson(ctx.res, 201, volume);
    },

    async inspect({ res, params }: RequestContext): Promise<void> {
      writeJson(res, 200, await backend.inspect(params.name!));
    },

    async remove({ res, params, query }: RequestContext): Promise<void> {
      await backend.remove(params.name!, { force: boolParam(query, "force") });
      writeNoContent(res);
    },

    async prune({ res, query, version }: RequestContext): Promise<void> {
      const filters = parseFilters(query.get("filters"));
      // Before API 1.42 prune took every unused volume; since, only anonymous ones unless all=true.
      if (!versionAtLeast(version, "1.42") && !filters.has("all")) filters.set("all", ["true"]);
      const report = await backend.prune(filters);
      writeJson(res, 200, { VolumesDeleted: report.VolumesDeleted.length > 0 ? report.VolumesDeleted : null, SpaceReclaimed: report.SpaceReclaimed });
    },
  };
}

/** POST /volumes/create's body, type-checked as Go's decoder would. */
function createOptions(body: Record<string, unknown>): VolumeCreateOptions {
  const wrongType = (field: string, value: unknown, goType: string) =>
    new InvalidArgumentError(`json: cannot unmarshal ${goTypeName(value)} into Go struct field CreateOptions.${field} of type ${goType}`);
  const text = (field: string): string | undefined => {
    const value = body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw wrongType(field, value, "string");
    return value;
  };
  const map = (field: string): Record<string, string> | undefined => {
    const value = body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "object" || Array.isArray(value)) throw wrongType(field, value, "map[string]string");
    for (const v of Object.values(value)) if (typeof v !== "string") throw wrongType(field, v, "string");
    return value as Record<string, string>;
  };
  const [name, driver, labels, options] = [text("Name"), text("Driver"), map("Labels"), map("DriverOpts")];
  return {
    ...(name !== undefined ? { name } : {}),
    ...(driver !== undefined ? { driver } : {}),
    ...(labels ? { labels } : {}),
    ...(options ? { options } : {}),
  };
}
