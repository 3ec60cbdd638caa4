// The local volume service against a real SQLite file and directories under a
// temp dir: records, references, filters, Docker's error words, prune, usage.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type DB } from "../../src/store/db.js";
import { createVolumeService } from "../../src/volume/local-volume-service.js";
import { ANONYMOUS_LABEL, type VolumeService } from "../../src/volume/volume-service.js";

const filters = (f: Record<string, string[]> = {}) => new Map(Object.entries(f));

describe("local volume service", () => {
  let dir: string;
  let db: DB;
  let volumes: VolumeService;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "berth-volumes-"));
    db = openDatabase(join(dir, "berth.db"));
    volumes = createVolumeService({ db, root: join(dir, "volumes") });
  });
  after(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a named volume with its directory, and returns it again for the same name", async () => {
    const v = await volumes.create({ name: "data", labels: { team: "a" } });
    assert.deepEqual(Object.keys(v), ["CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options", "Scope"]);
    assert.equal(v.Mountpoint, join(dir, "volumes", "data", "_data"));
    assert.equal(v.Scope, "local");
    assert.equal(v.Options, null);
    assert.match(v.CreatedAt ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(existsSync(v.Mountpoint));
    const again = await volumes.create({ name: "data", labels: { other: "b" } });
    assert.deepEqual(again, v);
  });

  it("names an anonymous volume with 64 hex digits and labels it as dockerd does", async () => {
    const v = await volumes.create({});
    assert.match(v.Name, /^[0-9a-f]{64}$/);
    assert.deepEqual(v.Labels, { [ANONYMOUS_LABEL]: "" });
    assert.equal(volumes.isAnonymous(v.Name), true);
    assert.equal(volumes.isAnonymous("data"), false);
    await volumes.remove(v.Name, {});
  });

  it("refuses bad names, options and drivers in dockerd's words", async () => {
    await assert.rejects(volumes.create({ name: "a/b" }), {
      name: "InvalidArgumentError",
      message: `create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    });
    await assert.rejects(volumes.create({ name: "x" }), { message: "create x: volume name is too short, names should be at least two alphanumeric characters" });
    await assert.rejects(volumes.create({ name: "opt", options: { color: "red" } }), { message: `create opt: invalid option: "color"` });
    await assert.rejects(volumes.create({ name: "opt", options: { type: "tmpfs" } }), { message: `create opt: missing required option: "device"` });
    await assert.rejects(volumes.create({ name: "opt", driver: "nfs" }), { name: "NotFoundError", message: `error looking up volume plugin nfs: plugin "nfs" not found` });
  });

  it("inspects, and says dockerd's words for a missing volume", async () => {
    assert.equal((await volumes.inspect("data")).Name, "data");
    await assert.rejects(volumes.inspect("nope"), { name: "NotFoundError", message: "get nope: no such volume" });
  });

  it("refuses to remove a volume in use, naming its users", async () => {
    await volumes.create({ name: "used", reference: "c2" });
    volumes.reference("used", "c1");
    await assert.rejects(volumes.remove("used", {}), { name: "ConflictError", message: "remove used: volume is in use - [c1, c2]" });
    volumes.release("used", "c1");
    volumes.release("used", "c2");
    await volumes.remove("used", {});
    assert.ok(!existsSync(join(dir, "volumes", "used")));
    await assert.rejects(volumes.remove("used", {}), { name: "NotFoundError", message: "get used: no such volume" });
    await volumes.remove("used", { force: true });
  });

  it("lists with dangling, driver, label and name filters", async () => {
    await volumes.create({ name: "web-data", labels: { app: "web" }, reference: "c9" });
    const names = async (f: Record<string, string[]>) => (await volumes.list(filters(f))).Volumes.map((v) => v.Name).sort();
    assert.deepEqual(await names({}), ["data", "web-data"]);
    assert.deepEqual(await names({ dangling: ["true"] }), ["data"]);
    assert.deepEqual(await names({ dangling: ["0"] }), ["web-data"]);
    assert.deepEqual(await names({ label: ["app"] }), ["web-data"]);
    assert.deepEqual(await names({ label: ["app=db"] }), []);
    assert.deepEqual(await names({ name: ["web"] }), ["web-data"]);
    assert.deepEqual(await names({ driver: ["local"] }), ["data", "web-data"]);
    await assert.rejects(volumes.list(filters({ dangling: ["maybe"] })), { message: "invalid filter 'dangling=[maybe]'" });
    await assert.rejects(volumes.list(filters({ color: ["red"] })), { message: "invalid filter 'color'" });
    volumes.release("web-data", "c9");
  });

  it("prunes unused anonymous volumes, or every unused one with all=true, and counts the bytes", async () => {
    const anon = await volumes.create({});
    const kept = await volumes.create({ reference: "c3" });
    await writeFile(join(anon.Mountpoint, "f"), "12345");
    const first = await volumes.prune(filters());
    assert.deepEqual(first, { VolumesDeleted: [anon.Name], SpaceReclaimed: 5 });
    await volumes.create({ name: "keepme", labels: { keep: "yes" } });
    const second = await volumes.prune(filters({ all: ["true"], "label!": ["keep=yes"] }));
    assert.deepEqual(second.VolumesDeleted.sort(), ["data", "web-data"]);
    assert.deepEqual((await volumes.list(filters())).Volumes.map((v) => v.Name).sort(), ["keepme", kept.Name].sort());
    await assert.rejects(volumes.prune(filters({ dangling: ["true"] })), { message: "invalid filter 'dangling'" });
  });

  it("reports sizes and reference counts for system df", async () => {
    await writeFile(join((await volumes.inspect("keepme")).Mountpoint, "f"), "abc");
    const usage = await volumes.usage();
    const byName = new Map(usage.map((v) => [v.Name, v.UsageData]));
    assert.deepEqual(byName.get("keepme"), { Size: 3, RefCount: 0 });
    assert.equal([...byName.values()].filter((u) => u?.RefCount === 1).length, 1);
  });
});
