// daemon/system-df.ts: GET /system/df's body assembled from the services'
// lists — containers counted per image, sizes kept, the build cache in the
// API's shape, and only the kinds asked for.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DiskUsageType } from "../../src/api/router/system/backend.js";
import { systemDf, type SystemDfDeps } from "../../src/daemon/system-df.js";

const calls: string[] = [];
const deps: SystemDfDeps = {
  images: {
    async list(opts) {
      calls.push(`images all=${opts.all}`);
      return [
        { Id: "sha256:aa", RepoTags: ["app:1"], RepoDigests: [], ParentId: "", Created: 1, Size: 1000, SharedSize: -1, Labels: {}, Containers: -1 },
        { Id: "sha256:bb", RepoTags: [], RepoDigests: [], ParentId: "", Created: 2, Size: 500, SharedSize: -1, Labels: {}, Containers: -1 },
      ];
    },
  },
  containers: {
    async list(opts) {
      calls.push(`containers all=${opts.all} size=${opts.size}`);
      return [
        { Id: "c1", ImageID: "sha256:aa", State: "running", SizeRw: 10 },
        { Id: "c2", ImageID: "sha256:aa", State: "exited", SizeRw: 20 },
      ];
    },
  },
  build: {
    async usage() {
      calls.push("build-cache");
      return [
        { id: "k1", description: "[2/3] RUN make", size: 4096, createdAt: "2024-01-01T00:00:00Z", lastUsedAt: "2024-01-02T00:00:00Z", usageCount: 3, inUse: false, shared: false, type: "regular" as const },
      ];
    },
  },
};

const all = new Set<DiskUsageType>(["container", "image", "volume", "build-cache"]);

describe("systemDf", () => {
  test("assembles every kind", async () => {
    calls.length = 0;
    const du = await systemDf(deps, { types: all });
    assert.deepEqual(calls.sort(), ["build-cache", "containers all=true size=true", "images all=true"]);
    assert.equal(du.LayersSize, 1500);
    assert.deepEqual(du.Images?.map((i) => [i.Id, i.Containers]), [["sha256:aa", 2], ["sha256:bb", 0]]);
    assert.deepEqual(du.Containers?.map((c) => c.Id), ["c1", "c2"]);
    assert.deepEqual(du.Volumes, []);
    assert.deepEqual(du.BuildCache, [
      { ID: "k1", Parents: [], Type: "regular", Description: "[2/3] RUN make", InUse: false, Shared: false, Size: 4096, CreatedAt: "2024-01-01T00:00:00Z", LastUsedAt: "2024-01-02T00:00:00Z", UsageCount: 3 },
    ]);
  });

  test("computes only what was asked for", async () => {
    calls.length = 0;
    const du = await systemDf(deps, { types: new Set<DiskUsageType>(["build-cache"]) });
    assert.deepEqual(calls, ["build-cache"]);
    assert.deepEqual(Object.keys(du), ["BuildCache"]);
  });

  test("images still count their containers without the container list in the answer", async () => {
    const du = await systemDf(deps, { types: new Set<DiskUsageType>(["image"]) });
    assert.equal(du.Images?.[0].Containers, 2);
    assert.equal(du.Containers, undefined);
  });
});
