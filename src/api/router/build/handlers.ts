// POST /build streams the request body (the context tar, or nothing with
// remote=) into the build service and its progress back as Docker's JSON
// message stream; POST /build/prune drops cache entries.
import type { Readable } from "node:stream";
import { InvalidArgumentError } from "../../../errors.js";
import { parseFilters } from "../../../oci/filters.js";
import type { RequestContext } from "../../router.js";
import type { JSONMessage } from "../../types/index.js";
import { openJsonStream } from "../../json-stream.js";
import { boolParam } from "../../query.js";
import { writeJson } from "../../respond.js";
import type { BuildBackend } from "./backend.js";
import { parseBuildQuery } from "./build-query.js";
import { openRemoteContext } from "./remote.js";

export function buildHandlers(backend: BuildBackend) {
  return {
    /**
     * With q=1 dockerd holds the progress back and sends only the image ID;
     * when the build fails it sends what it held, then the error, so the
     * user still sees which step broke.
     */
    async build({ body, res, query, signal }: RequestContext): Promise<void> {
      const { options, remote } = parseBuildQuery(query);
      const out = openJsonStream(res);
      const held: JSONMessage[] = [];
      const onMessage = (m: JSONMessage): void => {
        if (options.quiet) held.push(m);
        else out.write(m);
      };
      try {
        let context: Readable = body;
        if (remote) {
          // The body is not the context then; read it off so the connection stays usable.
          body.resume();
          context = await openRemoteContext(remote, { onMessage, signal });
        }
        const result = await backend.build(context, options, { onMessage, signal });
        if (options.quiet) out.write({ stream: `${result.imageId}\n` });
      } catch (err) {
        for (const m of held) out.write(m);
        // In-band once the stream has started (with a failed RUN's exit code), a real status before.
        out.fail(err);
      }
      out.end();
    },

    async prune({ res, query }: RequestContext): Promise<void> {
      const raw = query.get("keep-storage") || "0";
      if (!/^[+-]?\d+$/.test(raw)) {
        throw new InvalidArgumentError(`keep-storage is in bytes and expects an integer, got ${raw}: strconv.Atoi: parsing "${raw}": invalid syntax`);
      }
      const keepStorage = Number(raw);
      const filters = parseFilters(query.get("filters"));
      // 0 (the CLI's default) means no size budget, as in BuildKit's pruner.
      const report = await backend.prune(keepStorage > 0 ? { all: boolParam(query, "all"), keepStorage, filters } : { all: boolParam(query, "all"), filters });
      writeJson(res, 200, { CachesDeleted: report.cachesDeleted, SpaceReclaimed: report.spaceReclaimed });
    },
  };
}
