// `events` reports a container's life in order, with Docker's attributes, and
// honours --since/--until and filters.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startDaemon, type Daemon } from "./harness.js";

describe("events", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  test("a container's life, filtered by container and event", async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    assert.equal((await d.berth(["run", "--rm", "--name", "evt", "busybox", "sh", "-c", "exit 3"])).code, 3);
    await d.berth(["run", "--rm", "--name", "other", "busybox", "true"]);
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const all = await d.berth(["events", "--since", String(since), "--until", until, "--filter", "container=evt", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}"]);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(all.stdout.trim().split("\n"), [
      "container create evt",
      "container attach evt",
      "container start evt",
      "container die evt",
      "container destroy evt",
    ]);
    const dies = await d.berth(["events", "--since", String(since), "--until", until, "--filter", "event=die", "--format", "{{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}"]);
    assert.deepEqual(dies.stdout.trim().split("\n"), ["evt 3", "other 0"]);
  });

  test("image events for tag and untag", async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await d.berth(["tag", "busybox", "evtag:1"]);
    await d.berth(["rmi", "evtag:1"]);
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const r = await d.berth(["events", "--since", String(since), "--until", until, "--filter", "type=image", "--filter", "event=tag", "--filter", "event=untag", "--format", "{{.Action}} {{.Actor.Attributes.name}}"]);
    const id = (await d.berth(["image", "inspect", "--format", "{{.Id}}", "busybox"])).stdout.trim();
    assert.deepEqual(r.stdout.trim().split("\n"), ["tag evtag:1", `untag ${id}`]);
  });
});
