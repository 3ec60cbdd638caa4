import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type DB } from "../../src/store/db.js";
import { createRecords, initialState, type ContainerRecord, type Records } from "../../src/container/records.js";
import { InvalidArgumentError, NotFoundError } from "../../src/errors.js";
import { listRecords } from "../../src/container/list-records.js";

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

// ps's parsed records (list-records.ts), on a table of their own.
test("listRecords reads as records.list() after every kind of write, and re-reads only the records written", () => {
  const listDb = openDatabase(join(dir, "list.db"));
  const store = createRecords(listDb);
  const [idA, idB, idC] = ["a", "b", "c"].map((c) => c.repeat(64)) as [string, string, string];
  store.insert(rec(idA, "/alpha", "2024-01-01T00:00:00.000Z"));
  store.insert(rec(idB, "/beta", "2024-01-02T00:00:00.000Z"));
  let previous = listRecords(store);
  assert.deepEqual(previous, store.list());

  const writes: [string, () => void][] = [
    ["state", () => store.updateState(idA, { ...initialState(), status: "running", pid: 7 })],
    ["rename", () => store.rename(idA, "/renamed")],
    ["rootfs mounts", () => store.setRootfsMounts(idA, [{ type: "bind", source: "/x", options: ["rbind"] }])],
    ["networks", () => store.setNetworks(idA, [{ id: "n1", name: "net", aliases: ["x"] }])],
    ["host config", () => store.setHostConfig(idA, { NetworkMode: "net", Memory: 1 << 20 })],
  ];
  for (const [what, write] of writes) {
    write();
    const now = listRecords(store);
    assert.deepEqual(now, store.list(), what);
    assert.notEqual(now[1], previous[1], `${what}: the record written is read again`);
    assert.equal(now[0], previous[0], `${what}: the other is kept`);
    previous = now;
  }

  store.insert(rec(idC, "/gamma", "2024-01-03T00:00:00.000Z"));
  store.delete(idB);
  assert.deepEqual(listRecords(store), store.list());
  assert.deepEqual(listRecords(store).map((r) => r.name), ["/gamma", "/renamed"]);
  // Another store on the same table starts from the table, not from the first one's parsed records.
  assert.deepEqual(listRecords(createRecords(listDb)), store.list());
  listDb.close();
});
