// The container filesystem endpoints: archive (HEAD stat, GET a tar, PUT a
// tar), changes, export and commit. Parse → call → write, as handlers.ts.
import { pipeline } from "node:stream/promises";
import type { ContainerConfig } from "../../../api/types/index.js";
import { InvalidArgumentError, NotFoundError } from "../../../errors.js";
import type { PathStat } from "../../../container/fs/container-fs-service.js";
import { readJsonObject } from "../../body.js";
import { boolParam } from "../../query.js";
import { writeJson } from "../../respond.js";
import type { RequestContext } from "../../router.js";
import type { ContainersBackend } from "./backend.js";

const STAT_HEADER = "X-Docker-Container-Path-Stat";

function pathParam(query: URLSearchParams): string {
  const path = query.get("path");
  if (!path) throw new InvalidArgumentError("bad parameter: path cannot be empty");
  return path;
}

const statHeader = (stat: PathStat): string => Buffer.from(JSON.stringify(stat)).toString("base64");

export function containerFsHandlers(backend: ContainersBackend) {
  /** Sends a tar; a failure after the 200 can only cut the connection. */
  async function sendTar({ res, signal }: RequestContext, tar: NodeJS.ReadableStream, headers: Record<string, string> = {}): Promise<void> {
    res.writeHead(200, { "Content-Type": "application/x-tar", ...headers });
    try {
      await pipeline(tar, res);
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  return {
    async statArchive({ res, params, query }: RequestContext): Promise<void> {
      const stat = await backend.statPath(params.id, pathParam(query));
      res.writeHead(200, { [STAT_HEADER]: statHeader(stat) });
      res.end();
    },

    async getArchive(ctx: RequestContext): Promise<void> {
      const { stat, tar } = await backend.getArchive(ctx.params.id, pathParam(ctx.query));
      await sendTar(ctx, tar, { [STAT_HEADER]: statHeader(stat) });
    },

    async putArchive({ res, params, query, body }: RequestContext): Promise<void> {
      await backend.putArchive(params.id, pathParam(query), body, {
        noOverwriteDirNonDir: boolParam(query, "noOverwriteDirNonDir"),
        copyUIDGID: boolParam(query, "copyUIDGID"),
      });
      res.writeHead(200);
      res.end();
    },

    async changes({ res, params }: RequestContext): Promise<void> {
      writeJson(res, 200, await backend.changes(params.id));
    },

    async export(ctx: RequestContext): Promise<void> {
      await sendTar(ctx, await backend.export(ctx.params.id));
    },

    async commit(ctx: RequestContext): Promise<void> {
      const { res, query } = ctx;
      const container = query.get("container") ?? "";
      if (container === "") throw new NotFoundError("No such container: ");
      const config = (await readJsonObject(ctx, { optional: true })) as ContainerConfig | undefined;
      const { id } = await backend.commit(container, {
        repo: query.get("repo") || undefined,
        tag: query.get("tag") || undefined,
        comment: query.get("comment") || undefined,
        author: query.get("author") || undefined,
        // Absent means yes, as the API reference says.
        pause: boolParam(query, "pause", true),
        changes: query.getAll("changes").filter((c) => c !== ""),
        config,
      });
      writeJson(res, 201, { Id: id });
    },
  };
}
