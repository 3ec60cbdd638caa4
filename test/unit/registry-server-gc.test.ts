// Garbage collection of the registry's storage: unreferenced blobs go,
// referenced ones stay, untagged manifests go only when asked, and GC refuses
// to run while a server serves the root (serve.lock).
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { garbageCollect } from "../../src/registry/server/gc.js";
import { blobPath } from "../../src/registry/server/storage/layout.js";
import { OCI_INDEX, OCI_MANIFEST, pushBlob, pushImage, startRegistry, type TestRegistry } from "./registry-server-harness.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

async function freshRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "berth-rs-gc-"));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  return root;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, (err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? false : Promise.reject(err)));
}

async function populate(root: string): Promise<{ kept: Awaited<ReturnType<typeof pushImage>>; untagged: Awaited<ReturnType<typeof pushImage>>; child: Awaited<ReturnType<typeof pushImage>>; orphan: string }> {
  const reg: TestRegistry = await startRegistry({ root, allowDelete: true });
  try {
    const kept = await pushImage(reg, "app", "v1", { layer: "kept layer" });
    const untagged = await pushImage(reg, "app", "v2", { layer: "untagged layer" });
    await reg.req("DELETE", "/v2/app/manifests/v2");
    const child = await pushImage(reg, "multi", "child", { layer: "child layer" });
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: child.digest, size: Buffer.byteLength(child.bytes) }] });
    await reg.req("PUT", "/v2/multi/manifests/idx", { body: index, headers: { "Content-Type": OCI_INDEX } });
    await reg.req("DELETE", "/v2/multi/manifests/child");
    const orphan = await pushBlob(reg, "app", "uploaded, never referenced");
    return { kept, untagged, child, orphan };
  } finally {
    await reg.close();
  }
}

test("removes unreferenced blobs and keeps every referenced one (untagged revisions are still references)", async () => {
  const root = await freshRoot();
  const { kept, untagged, child, orphan } = await populate(root);
  const dry = await garbageCollect({ root, dryRun: true });
  assert.deepEqual(dry.blobsDeleted, [orphan]);
  assert.ok(await exists(blobPath(root, orphan)), "dry run deletes nothing");
  const report = await garbageCollect({ root });
  assert.deepEqual(report.blobsDeleted, [orphan]);
  assert.equal(await exists(blobPath(root, orphan)), false);
  for (const d of [kept.digest, kept.config, kept.layer, untagged.digest, untagged.layer, child.digest, child.layer]) {
    assert.ok(await exists(blobPath(root, d)), d);
  }
  // The repository no longer claims the collected blob.
  const reg = await startRegistry({ root });
  cleanup.push(() => reg.close());
  assert.equal((await reg.req("HEAD", `/v2/app/blobs/${orphan}`)).status, 404);
  assert.equal((await reg.req("GET", "/v2/app/manifests/v1")).status, 200);
});

test("--delete-untagged drops manifests no tag reaches, keeping index children", async () => {
  const root = await freshRoot();
  const { kept, untagged, child } = await populate(root);
  const report = await garbageCollect({ root, deleteUntagged: true });
  assert.deepEqual(report.manifestsDeleted, [{ repository: "app", digest: untagged.digest }]);
  assert.equal(await exists(blobPath(root, untagged.layer)), false);
  assert.equal(await exists(blobPath(root, untagged.digest)), false);
  assert.ok(await exists(blobPath(root, kept.layer)));
  assert.ok(await exists(blobPath(root, child.layer)));
  assert.ok(await exists(blobPath(root, child.digest)));
});

test("refuses to run while a server holds the root, and a server refuses to start during GC", async () => {
  const root = await freshRoot();
  const reg = await startRegistry({ root });
  const digest = await pushBlob(reg, "busy", "mid-push layer");
  await assert.rejects(garbageCollect({ root }), /registry server \(pid \d+\) is running/);
  assert.ok(await exists(blobPath(root, digest)), "nothing swept while the server runs");
  await assert.rejects(startRegistry({ root }), /already serves/);
  await reg.close();
  const report = await garbageCollect({ root });
  assert.deepEqual(report.blobsDeleted, [digest]);
});
