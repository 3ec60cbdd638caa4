// A container's filesystem over the API: docker cp's archive endpoints, diff
// (changes), export and commit.
import type { Readable } from "node:stream";
import type { ContainerConfig } from "../api/types/index.js";
import type { FilesystemChange, PathStat } from "../container/fs/container-fs-service.js";
import { seg } from "./query.js";
import { readAll, type Transport } from "./transport.js";

export type { FilesystemChange, PathStat };

export interface CommitRequest {
  container: string;
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Default true: the container is frozen while its changes are read. */
  pause?: boolean;
  changes?: string[];
  config?: ContainerConfig;
}

export interface ContainerFsApi {
  /** HEAD /containers/{id}/archive: what is at `path`. */
  statPath(id: string, path: string): Promise<PathStat>;
  /** GET /containers/{id}/archive: a tar of `path` and its stat. */
  getArchive(id: string, path: string): Promise<{ stat: PathStat; tar: Readable }>;
  /** PUT /containers/{id}/archive: extracts `tar` into the directory `path`. */
  putArchive(id: string, path: string, tar: Readable, opts?: { noOverwriteDirNonDir?: boolean; copyUIDGID?: boolean }): Promise<void>;
  changes(id: string): Promise<FilesystemChange[]>;
  export(id: string): Promise<Readable>;
  commit(req: CommitRequest): Promise<{ Id: string }>;
}

function decodeStat(header: string | string[] | undefined): PathStat {
  const raw = Array.isArray(header) ? header[0] : header;
  return JSON.parse(Buffer.from(raw ?? "", "base64").toString("utf8") || "{}") as PathStat;
}

export function containerFsApi(t: Transport): ContainerFsApi {
  const archive = (id: string): string => `/containers/${seg(id)}/archive`;
  return {
    async statPath(id, path) {
      const res = await t.request(archive(id), { method: "HEAD", query: { path } });
      res.resume();
      return decodeStat(res.headers["x-docker-container-path-stat"]);
    },
    async getArchive(id, path) {
      const res = await t.request(archive(id), { query: { path } });
      return { stat: decodeStat(res.headers["x-docker-container-path-stat"]), tar: res };
    },
    async putArchive(id, path, tar, opts = {}) {
      const res = await t.request(archive(id), {
        method: "PUT",
        query: { path, noOverwriteDirNonDir: opts.noOverwriteDirNonDir, copyUIDGID: opts.copyUIDGID },
        body: tar,
        headers: { "Content-Type": "application/x-tar" },
      });
      await readAll(res);
    },
    async changes(id) {
      const res = await t.request(`/containers/${seg(id)}/changes`);
      return (JSON.parse(await readAll(res)) as FilesystemChange[] | null) ?? [];
    },
    export: (id) => t.request(`/containers/${seg(id)}/export`),
    async commit(req) {
      const { config, ...query } = req;
      const res = await t.request("/commit", {
        method: "POST",
        query: { ...query, pause: req.pause === false ? "false" : undefined, changes: req.changes },
        body: config ?? {},
      });
      return JSON.parse(await readAll(res)) as { Id: string };
    },
  };
}
