import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type DB } from "../../src/store/db.js";
import { createRecords, initialState, type ContainerRecord, type Records } from "../../src/container/records.js";
import { listRecords } from "../../src/container/list-records.js";

let dir: string;
let db: DB;
let records: Records;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "berth-list-records-"));
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
    path: "true",
    args: [],
    config: { Image: "busybox", Cmd: ["true"], Labels: { a: "1" } },
    hostConfig: { NetworkMode: "none" },
    rootfsMounts: [],
    networks: [],
    state: initialState(),
  };
}

const idA = "a".repeat(64);
const idB = "b".repeat(64);
const idC = "c".repeat(64);

test("listRecords reads as records.list() after every kind of write, and re-reads only the records written", () => {
  records.insert(rec(idA, "/alpha", "2024-01-01T00:00:00.000Z"));
  records.insert(rec(idB, "/beta", "2024-01-02T00:00:00.000Z"));
  let previous = listRecords(records);
  assert.deepEqual(previous, records.list());

  const writes: [string, () => void][] = [
    ["state", () => records.updateState(idA, { ...initialState(), status: "running", pid: 7 })],
    ["rename", () => records.rename(idA, "/renamed")],
    ["rootfs mounts", () => records.setRootfsMounts(idA, [{ type: "bind", source: "/x", options: ["rbind"] }])],
    ["networks", () => records.setNetworks(idA, [{ id: "n1", name: "net", aliases: ["x"] }])],
    ["host config", () => records.setHostConfig(idA, { NetworkMode: "net", Memory: 1 << 20 })],
  ];
  for (const [what, write] of writes) {
    write();
    const now = listRecords(records);
    assert.deepEqual(now, records.list(), what);
    assert.notEqual(now[1], previous[1], `${what}: the record written is read again`);
    assert.equal(now[0], previous[0], `${what}: the other is kept`);
    previous = now;
  }

  records.insert(rec(idC, "/gamma", "2024-01-03T00:00:00.000Z"));
  records.delete(idB);
  assert.deepEqual(listRecords(records), records.list());
  assert.deepEqual(listRecords(records).map((r) => r.name), ["/gamma", "/renamed"]);
});

test("a records store of its own starts from the table", () => {
  assert.deepEqual(listRecords(createRecords(db)), records.list());
});
