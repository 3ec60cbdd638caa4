// The /volumes endpoints at the HTTP edge, as table rows of request → status
// → body, against a small in-memory volume backend.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConflictError, NotFoundError } from "../../src/errors.js";
import type { Filters } from "../../src/oci/filters.js";
import type { VolumesBackend } from "../../src/api/backends.js";
import { createApiServer, type ApiServer } from "../../src/api/server.js";
import type { Volume } from "../../src/api/types/index.js";
import type { VolumeCreateOptions } from "../../src/volume/volume-service.js";
import { httpRequest, startHarness, type Harness } from "./api-harness.js";

function volume(name: string, labels: Record<string, string> | null = null): Volume {
  return { CreatedAt: "2024-01-02T03:04:05Z", Driver: "local", Labels: labels as Record<string, string>, Mountpoint: `/v/${name}/_data`, Name: name, Options: null as unknown as Record<string, string>, Scope: "local" };
}

interface Seen {
  created?: VolumeCreateOptions;
  listFilters?: Filters;
  pruneFilters?: Filters;
  removed?: { name: string; force?: boolean };
}

function volumesFake(seen: Seen): VolumesBackend {
  return {
    async create(opts) {
      seen.created = opts;
      return volume(opts.name ?? "f".repeat(64), opts.labels ?? null);
    },
    async list(filters) {
      seen.listFilters = filters;
      return { Volumes: [volume("data")], Warnings: [] };
    },
    async inspect(name) {
      if (name !== "data") throw new NotFoundError(`get ${name}: no such volume`);
      return volume("data");
    },
    async remove(name, opts) {
      seen.removed = { name, ...opts };
      if (name === "busy") throw new ConflictError("remove busy: volume is in use - [c1]");
      if (name !== "data" && !opts.force) throw new NotFoundError(`get ${name}: no such volume`);
    },
    async prune(filters) {
      seen.pruneFilters = filters;
      return filters.get("all")?.[0] === "true" ? { VolumesDeleted: ["data"], SpaceReclaimed: 42 } : { VolumesDeleted: [], SpaceReclaimed: 0 };
    },
  };
}

describe("/volumes API", () => {
  let h: Harness;
  let server: ApiServer;
  let socket: string;
  const seen: Seen = {};
  const request = (method: string, path: string, body?: unknown) =>
    httpRequest(socket, method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });

  before(async () => {
    h = await startHarness();
    socket = join(h.dir, "volumes.sock");
    server = createApiServer({ ...h.backends, volumes: volumesFake(seen) });
    await server.listen(`unix://${socket}`);
  });
  after(async () => {
    await server.close();
    await h.close();
  });

  const rows: [string, string, unknown, number, unknown][] = [
    ["GET", "/volumes", undefined, 200, { Volumes: [volume("data")], Warnings: null }],
    ["GET", "/v1.41/volumes/data", undefined, 200, volume("data")],
    ["GET", "/volumes/nope", undefined, 404, { message: "get nope: no such volume" }],
    ["POST", "/volumes/create", { Name: "web", Labels: { a: "b" } }, 201, volume("web", { a: "b" })],
    ["POST", "/volumes/create", { Name: 5 }, 400, { message: "json: cannot unmarshal number into Go struct field CreateOptions.Name of type string" }],
    ["POST", "/volumes/create", { DriverOpts: { size: 1 } }, 400, { message: "json: cannot unmarshal number into Go struct field CreateOptions.DriverOpts of type string" }],
    ["DELETE", "/volumes/data", undefined, 204, undefined],
    ["DELETE", "/volumes/busy", undefined, 409, { message: "remove busy: volume is in use - [c1]" }],
    ["DELETE", "/volumes/gone", undefined, 404, { message: "get gone: no such volume" }],
    ["DELETE", "/volumes/gone?force=1", undefined, 204, undefined],
    ["POST", "/volumes/prune", undefined, 200, { VolumesDeleted: null, SpaceReclaimed: 0 }],
    ["POST", `/volumes/prune?filters=${encodeURIComponent('{"all":["true"]}')}`, undefined, 200, { VolumesDeleted: ["data"], SpaceReclaimed: 42 }],
    // Before API 1.42 prune took every unused volume, named ones too.
    ["POST", "/v1.41/volumes/prune", undefined, 200, { VolumesDeleted: ["data"], SpaceReclaimed: 42 }],
  ];
  for (const [method, path, body, status, want] of rows) {
    it(`${method} ${path} ${body === undefined ? "" : JSON.stringify(body)} → ${status}`, async () => {
      const res = await request(method, path, body);
      assert.equal(res.status, status, res.text);
      if (want === undefined) assert.equal(res.text, "");
      else assert.deepEqual(JSON.parse(res.text), want);
    });
  }

  it("hands the create body and the filters to the backend", async () => {
    await request("POST", "/volumes/create", { Name: "t", Driver: "local", DriverOpts: { type: "tmpfs", device: "tmpfs" } });
    assert.deepEqual(seen.created, { name: "t", driver: "local", options: { type: "tmpfs", device: "tmpfs" } });
    await request("POST", "/volumes/create");
    assert.deepEqual(seen.created, {});
    await request("GET", `/volumes?filters=${encodeURIComponent('{"dangling":["true"],"label":["a=b"]}')}`);
    assert.deepEqual([...(seen.listFilters ?? [])], [["dangling", ["true"]], ["label", ["a=b"]]]);
    await request("DELETE", "/volumes/data?force=true");
    assert.deepEqual(seen.removed, { name: "data", force: true });
  });
});
