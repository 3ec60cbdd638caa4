// Image commands through a private berthd: import with --change, images and
// filters, tag, history, rmi semantics (untag vs delete, 409 when in use).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { busyboxTar, startDaemon, type Daemon } from "./harness.js";

describe("images", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  test("images lists busybox with its tag and a 12-char ID", async () => {
    const r = await d.berth(["images"]);
    assert.equal(r.code, 0);
    const [header, row] = r.stdout.split("\n");
    assert.match(header!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    assert.match(row!, /^busybox\s+latest\s+[0-9a-f]{12}\s+/);
    const q = await d.berth(["images", "-q"]);
    assert.match(q.stdout, /^[0-9a-f]{12}\n$/);
  });

  test("import applies --change and the result runs", async () => {
    const r = await d.berth(
      ["import", "-c", "ENV GREETING=hi", "-c", "WORKDIR /etc", "-c", 'CMD ["sh", "-c", "echo $GREETING $(pwd)"]', "-", "custom:1"],
      { input: await busyboxTar() },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    const run = await d.berth(["run", "--rm", "custom:1"]);
    assert.equal(run.stdout, "hi /etc\n");
    const cfg = await d.berth(["image", "inspect", "--format", "{{.Config.WorkingDir}} {{json .Config.Cmd}}", "custom:1"]);
    assert.equal(cfg.stdout.trim(), '/etc ["sh","-c","echo $GREETING $(pwd)"]');
    await d.berth(["rmi", "custom:1"]);
  });

  test("tag, filter by reference, and rmi untags before deleting", async () => {
    assert.equal((await d.berth(["tag", "busybox", "example.com:5000/team/bb:v1"])).code, 0);
    const f = await d.berth(["images", "--filter", "reference=example.com:5000/team/*", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert.equal(f.stdout, "example.com:5000/team/bb:v1\n");
    const rmi = await d.berth(["rmi", "example.com:5000/team/bb:v1"]);
    assert.equal(rmi.stdout, "Untagged: example.com:5000/team/bb:v1\n");
    const still = await d.berth(["image", "inspect", "busybox"]);
    assert.equal(still.code, 0);
  });

  test("rmi of an image a container uses is a conflict", async () => {
    await d.berth(["tag", "busybox", "inuse:1"]);
    await d.berth(["create", "--name", "user-of-inuse", "inuse:1", "true"]);
    const id = (await d.berth(["image", "inspect", "--format", "{{.Id}}", "inuse:1"])).stdout.trim();
    const r = await d.berth(["rmi", id]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /conflict: unable to delete [0-9a-f]{12} \(must be forced\)/);
    await d.berth(["rm", "user-of-inuse"]);
    await d.berth(["rmi", "inuse:1"]);
  });

  test("history shows the import step", async () => {
    const r = await d.berth(["history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", "busybox"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Imported from -/);
  });

  test("unknown images and bad references give Docker's errors", async () => {
    const r = await d.berth(["image", "inspect", "nope:missing"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No such image: nope:missing/);
    const bad = await d.berth(["tag", "busybox", "Bad/Name"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid reference format/);
  });
});
