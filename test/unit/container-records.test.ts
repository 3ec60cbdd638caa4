import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type DB } from "../../src/store/db.js";
import { createRecords, initialState, type ContainerRecord, type Records } from "../../src/container/records.js";
import { InvalidArgumentError, NotFoundError } from "../../src/errors.js";

let dir: string;
let db: DB;
let records: Records;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "berth-records-"));
  db = openDatabase(join(dir, "berth.db"));
  records = createRecords(db);
});
after(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

function rec(id: string, name: string, created: string): ContainerRecord {
  return {
    id,
    name,
    imageId: "sha256:img",
    imageRef: "busybox",
    created,
    path: "sh",
    args: ["-c", "true"],
    config: { Image: "busybox", Cmd: ["sh", "-c", "true"], Labels: { a: "1" } },
    hostConfig: { NetworkMode: "default" },
    rootfsMounts: [{ type: "overlay", source: "overlay", options: ["lowerdir=/l", "upperdir=/u", "workdir=/w"] }],
    state: initialState(),
  };
}

const idA = "ab" + "0".repeat(62);
const idB = "ac" + "1".repeat(62);

test("insert and read back by ID, name, /name and unique prefix", () => {
  records.insert(rec(idA, "/alpha", "2024-01-01T00:00:00.000Z"));
  records.insert(rec(idB, "/beta", "2024-01-02T00:00:00.000Z"));
  assert.deepEqual(records.get(idA), rec(idA, "/alpha", "2024-01-01T00:00:00.000Z"));
  assert.equal(records.get("alpha").id, idA);
  assert.equal(records.get("/beta").id, idB);
  assert.equal(records.get("ab").id, idA);
  assert.throws(() => records.get("a"), (e: unknown) => e instanceof InvalidArgumentError && /Multiple IDs found with provided prefix: a/.test(e.message));
  assert.throws(() => records.get("gamma"), (e: unknown) => e instanceof NotFoundError && e.message === "No such container: gamma");
});

test("list is newest first; state, name and mounts updates persist", () => {
  assert.deepEqual(records.list().map((r) => r.name), ["/beta", "/alpha"]);
  records.updateState(idA, { ...initialState(), status: "running", pid: 42 });
  records.rename(idA, "/renamed");
  records.setRootfsMounts(idA, [{ type: "bind", source: "/x", options: ["rbind"] }]);
  const got = records.get("renamed");
  assert.equal(got.state.status, "running");
  assert.equal(got.state.pid, 42);
  assert.deepEqual(got.rootfsMounts, [{ type: "bind", source: "/x", options: ["rbind"] }]);
  assert.deepEqual(records.usingImage("sha256:img").sort((x, y) => x.id.localeCompare(y.id)), [
    { id: idA, status: "running" },
    { id: idB, status: "created" },
  ]);
  records.delete(idA);
  assert.equal(records.find(idA), undefined);
});
