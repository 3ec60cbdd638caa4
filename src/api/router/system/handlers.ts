// System endpoints: ping, version, info, disk usage, the event stream and registry login.
import type { RequestContext } from "../../router.js";
import type { DiskUsageBackend, DiskUsageType, SystemBackend } from "./backend.js";
import { InvalidArgumentError } from "../../../errors.js";
import { writeJson } from "../../respond.js";
import { compareVersions, withApiVersions } from "../../versions.js";
import { timeParam } from "../../query.js";
import { parseFilters } from "../../../oci/filters.js";
import { eventFilter } from "./event-filter.js";
import { readJsonObject } from "../../body.js";
import { authConfigOf, toCredentials } from "../../registry-auth.js";

const USAGE_TYPES: readonly DiskUsageType[] = ["container", "image", "volume", "build-cache"];

/** `type=` (repeatable, API ≥ 1.42) picks what to compute; without it, everything. */
function usageTypes(query: URLSearchParams, version: string): Set<DiskUsageType> {
  const asked = query.getAll("type");
  if (asked.length === 0 || compareVersions(version, "1.42") < 0) return new Set(USAGE_TYPES);
  for (const t of asked) if (!(USAGE_TYPES as readonly string[]).includes(t)) throw new InvalidArgumentError(`unknown object type: ${t}`);
  return new Set(asked as DiskUsageType[]);
}

export function systemHandlers(backend: SystemBackend, usage: DiskUsageBackend) {
  return {
    async ping({ req, res }: RequestContext): Promise<void> {
      res.setHeader("Builder-Version", "1");
      res.setHeader("Cache-Control", "no-cache, no-store, must-revalidate");
      res.setHeader("Pragma", "no-cache");
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      if (req.method === "HEAD") {
        res.writeHead(200, { "Content-Length": "0" }).end();
        return;
      }
      res.writeHead(200, { "Content-Length": "2" }).end("OK");
    },

    async version({ res }: RequestContext): Promise<void> {
      writeJson(res, 200, withApiVersions(backend.version()));
    },

    async info({ res }: RequestContext): Promise<void> {
      writeJson(res, 200, await backend.info());
    },

    /** The body is an AuthConfig; dockerd answers {"IdentityToken": "", "Status": "Login Succeeded"}. */
    async auth(ctx: RequestContext): Promise<void> {
      const config = authConfigOf(await readJsonObject(ctx));
      const { Status, IdentityToken = "" } = await backend.auth({ ...toCredentials(config), serveraddress: config.serveraddress });
      writeJson(ctx.res, 200, { IdentityToken, Status });
    },

    async dataUsage({ res, query, version }: RequestContext): Promise<void> {
      writeJson(res, 200, await usage.diskUsage({ types: usageTypes(query, version) }));
    },

    /**
     * One JSON object per line, each written as it happens. With `until` the
     * stream ends at that time (at once when it lies in the past, after the
     * buffered events); without, when the client leaves.
     */
    async events({ res, query, signal }: RequestContext): Promise<void> {
      const since = timeParam(query, "since");
      const until = timeParam(query, "until");
      const include = eventFilter(parseFilters(query.get("filters")));
      res.writeHead(200, { "Content-Type": "application/json" });
      res.flushHeaders();

      await new Promise<void>((resolve) => {
        let ended = false;
        let unsubscribe: (() => void) | undefined;
        let timer: NodeJS.Timeout | undefined;
        const end = (): void => {
          if (ended) return;
          ended = true;
          unsubscribe?.();
          clearTimeout(timer);
          signal.removeEventListener("abort", end);
          resolve();
        };
        const untilNanos = until === undefined ? undefined : until * 1e9;
        // Past events are only replayed when asked for: with since, or with until (from the start).
        const replayFrom = since ?? (until !== undefined ? 0 : undefined);
        unsubscribe = backend.subscribe((e) => {
          if (ended) return;
          if (untilNanos !== undefined && (e.timeNano ?? 0) > untilNanos) return end();
          if (include(e)) res.write(JSON.stringify(e) + "\n");
        }, replayFrom);
        if (ended) unsubscribe();
        signal.addEventListener("abort", end);
        if (until !== undefined) timer = setTimeout(end, Math.max(0, until * 1000 - Date.now()));
      });
      res.end();
    },
  };
}
