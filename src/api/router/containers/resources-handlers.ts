// GET /containers/{id}/stats, POST /containers/{id}/update and POST
// /containers/prune: parse, call the container service, write dockerd's
// answer. Stats stream as one JSON document a line, flushed as each is taken.
import { InvalidArgumentError } from "../../../errors.js";
import { parseFilters } from "../../../oci/filters.js";
import type { ContainerUpdateBody } from "../../../container/update.js";
import { readJsonObject } from "../../body.js";
import { checkFields, type FieldKind } from "../../fields.js";
import { boolParam } from "../../query.js";
import { writeJson, send } from "../../respond.js";
import type { RequestContext } from "../../router.js";
import type { ContainersBackend } from "./backend.js";

const UPDATE_FIELDS: Record<string, FieldKind> = {
  Memory: "number",
  MemorySwap: "number",
  MemoryReservation: "number",
  CpuShares: "number",
  CpuQuota: "number",
  CpuPeriod: "number",
  NanoCpus: "number",
  CpusetCpus: "string",
  CpusetMems: "string",
  PidsLimit: "number",
  BlkioWeight: "number",
  RestartPolicy: "object",
};


export function resourceHandlers(backend: Pick<ContainersBackend, "stats" | "update" | "prune">) {
  return {
    async stats({ res, params, query, signal }: RequestContext): Promise<void> {
      const stream = boolParam(query, "stream", true);
      const oneShot = boolParam(query, "one-shot");
      if (stream && oneShot) throw new InvalidArgumentError("cannot have stream=true and one-shot=true");
      const samples = await backend.stats(params.id, { stream, oneShot, signal });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.flushHeaders();
      for await (const sample of samples) {
        if (!(await send(res, JSON.stringify(sample) + "\n", signal))) break;
      }
      res.end();
    },

    async update(ctx: RequestContext): Promise<void> {
      const body = checkFields((await readJsonObject(ctx)) ?? {}, UPDATE_FIELDS, "UpdateConfig");
      writeJson(ctx.res, 200, await backend.update(ctx.params.id, body as ContainerUpdateBody));
    },

    /** dockerd writes null, not [], when nothing was deleted. */
    async prune({ res, query }: RequestContext): Promise<void> {
      const report = await backend.prune(parseFilters(query.get("filters")));
      writeJson(res, 200, { ContainersDeleted: report.ContainersDeleted.length > 0 ? report.ContainersDeleted : null, SpaceReclaimed: report.SpaceReclaimed });
    },
  };
}
