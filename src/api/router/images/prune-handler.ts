// POST /images/prune: the image service removes what the filters select,
// refusing (by skipping) images that containers use.
import { parseFilters } from "../../../oci/filters.js";
import { writeJson } from "../../respond.js";
import type { RequestContext } from "../../router.js";
import type { ImagesBackend } from "./backend.js";

export function imagePruneHandler(backend: Pick<ImagesBackend, "prune" | "usedBy">) {
  return async ({ res, query }: RequestContext): Promise<void> => {
    const report = await backend.prune(parseFilters(query.get("filters")), { usedBy: (id) => backend.usedBy(id) });
    // dockerd writes null, not [], when nothing was deleted.
    writeJson(res, 200, { ImagesDeleted: report.ImagesDeleted.length > 0 ? report.ImagesDeleted : null, SpaceReclaimed: report.SpaceReclaimed });
  };
}
