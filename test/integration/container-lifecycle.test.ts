// Container lifecycle as Docker words it: start -a (also of an exited
// container), stop with the image's StopSignal then SIGKILL, kill -s,
// restart, rm -f, rename, and what a failed start leaves behind.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { busyboxTar, startDaemon, type Daemon } from "./harness.js";
import { createClient, type Client } from "../../src/client/client.js";

describe("container lifecycle", () => {
  let d: Daemon;
  let client: Client;
  before(async () => {
    d = await startDaemon();
    client = createClient({ host: d.host });
    const usr1 = await d.berth(["import", "--change", "STOPSIGNAL SIGUSR1", "--change", 'CMD ["sh"]', "-", "usr1:latest"], {
      input: await busyboxTar(),
    });
    assert.equal(usr1.code, 0, usr1.stderr);
  });
  after(async () => {
    client?.close();
    await d?.destroy();
  });

  const inspect = async (name: string, format: string) => (await d.berth(["inspect", "--format", format, name])).stdout.trim();
  const waitForLog = async (name: string, text: string) => {
    for (let i = 0; i < 100; i++) {
      if ((await d.berth(["logs", name])).stdout.includes(text)) return;
      await sleep(50);
    }
    assert.fail(`${name} never logged ${text}`);
  };

  test("create then start -a runs attached and exits with the code; start -a again reruns it", async () => {
    const created = await d.berth(["create", "--name", "twice", "busybox", "sh", "-c", "echo out; echo err >&2; exit 4"]);
    assert.equal(created.code, 0);
    assert.match(created.stdout, /^[0-9a-f]{64}\n$/);
    for (let run = 0; run < 2; run++) {
      const r = await d.berth(["start", "-a", "twice"]);
      assert.equal(r.code, 4);
      assert.equal(r.stdout, "out\n");
      assert.equal(r.stderr, "err\n");
    }
    assert.equal(await inspect("twice", "{{.State.Status}} {{.State.ExitCode}}"), "exited 4");
  });

  test("start -i feeds stdin to an -i container", async () => {
    await d.berth(["create", "-i", "--name", "upper", "busybox", "tr", "a-z", "A-Z"]);
    const r = await d.berth(["start", "-ai", "upper"], { input: "quiet\n" });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "QUIET\n");
  });

  test("stop sends the image's StopSignal and records the exit code", async () => {
    await d.berth(["run", "-d", "--name", "usr1", "usr1", "sh", "-c", "trap 'echo got USR1; exit 5' USR1; echo ready; while true; do sleep 0.1; done"]);
    assert.equal(await inspect("usr1", "{{.Config.StopSignal}}"), "SIGUSR1");
    await waitForLog("usr1", "ready");
    const stop = await d.berth(["stop", "usr1"]);
    assert.equal(stop.code, 0);
    assert.equal(stop.stdout, "usr1\n");
    assert.equal(await inspect("usr1", "{{.State.Status}} {{.State.ExitCode}}"), "exited 5");
    assert.match((await d.berth(["logs", "usr1"])).stdout, /got USR1/);
  });

  test("stop -t: a process that ignores the stop signal is SIGKILLed (137)", async () => {
    await d.berth(["run", "-d", "--name", "stubborn", "usr1", "sh", "-c", "trap 'echo ignoring' USR1; echo ready; while true; do sleep 0.1; done"]);
    await waitForLog("stubborn", "ready");
    const stop = await d.berth(["stop", "-t", "1", "stubborn"]);
    assert.equal(stop.code, 0);
    assert.equal(await inspect("stubborn", "{{.State.Status}} {{.State.ExitCode}}"), "exited 137");
    assert.match((await d.berth(["logs", "stubborn"])).stdout, /ignoring/);
    // Stopping a stopped container is no error (Docker's 304).
    assert.deepEqual(await d.berth(["stop", "stubborn"]), { code: 0, stdout: "stubborn\n", stderr: "" });
  });

  test("kill -s delivers a signal; kill defaults to SIGKILL; errors carry Docker's prefix", async () => {
    await d.berth(["run", "-d", "--name", "target", "busybox", "sh", "-c", "trap 'echo got USR2' USR2; echo ready; while true; do sleep 0.1; done"]);
    await waitForLog("target", "ready");
    assert.deepEqual(await d.berth(["kill", "-s", "USR2", "target"]), { code: 0, stdout: "target\n", stderr: "" });
    await waitForLog("target", "got USR2");
    assert.equal(await inspect("target", "{{.State.Running}}"), "true");
    const bad = await d.berth(["kill", "-s", "NOSIG", "target"]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, "Error response from daemon: Invalid signal: NOSIG\n");
    assert.equal((await d.berth(["kill", "target"])).code, 0);
    assert.equal(await inspect("target", "{{.State.Status}} {{.State.ExitCode}}"), "exited 137");
    const id = await inspect("target", "{{.Id}}");
    const again = await d.berth(["kill", "target"]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `Error response from daemon: Cannot kill container: target: Container ${id} is not running\n`);
    const missing = await d.berth(["kill", "ghost"]);
    assert.equal(missing.stderr, "Error response from daemon: Cannot kill container: ghost: No such container: ghost\n");
  });

  test("restart runs a stopped or running container again", async () => {
    await d.berth(["run", "-d", "--name", "again", "busybox", "sleep", "300"]);
    const first = await inspect("again", "{{.State.StartedAt}}");
    assert.deepEqual(await d.berth(["restart", "-t", "0", "again"]), { code: 0, stdout: "again\n", stderr: "" });
    assert.equal(await inspect("again", "{{.State.Status}}"), "running");
    assert.notEqual(await inspect("again", "{{.State.StartedAt}}"), first);
    await d.berth(["kill", "again"]);
    assert.equal((await d.berth(["restart", "again"])).code, 0);
    assert.equal(await inspect("again", "{{.State.Status}}"), "running");
    const missing = await d.berth(["restart", "-t", "0", "again", "ghost"]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, "again\n");
    assert.equal(missing.stderr, "Error response from daemon: No such container: ghost\n");
  });

  test("rm refuses a running container; rm -f removes it; -f ignores a missing one", async () => {
    const id = (await d.berth(["run", "-d", "--name", "doomed", "busybox", "sleep", "300"])).stdout.trim();
    const rm = await d.berth(["rm", "-v", "doomed"]);
    assert.equal(rm.code, 1);
    assert.equal(
      rm.stderr,
      `Error response from daemon: You cannot remove a running container ${id}. Stop the container before attempting removal or force remove\n`,
    );
    const forced = await d.berth(["rm", "-f", "doomed", "ghost"]);
    assert.equal(forced.code, 0);
    assert.equal(forced.stdout, "doomed\n");
    assert.equal(forced.stderr, "Error response from daemon: No such container: ghost\n");
    const plain = await d.berth(["rm", "ghost"]);
    assert.equal(plain.code, 1);
  });

  test("rename: Docker's checks and wording", async () => {
    await d.berth(["create", "--name", "old", "busybox", "true"]);
    await d.berth(["create", "--name", "taken", "busybox", "true"]);
    const same = await d.berth(["rename", "old", "old"]);
    assert.equal(same.code, 1);
    assert.equal(
      same.stderr,
      "Error response from daemon: Renaming a container with the same name as its current name\nError: failed to rename container named old\n",
    );
    const clash = await d.berth(["rename", "old", "taken"]);
    assert.match(clash.stderr, /^Error response from daemon: Error when allocating new name: Conflict\. The container name "\/taken" is already in use/);
    const empty = await d.berth(["rename", "old", " "]);
    assert.deepEqual(empty, { code: 1, stdout: "", stderr: "Error: Neither old nor new names may be empty\n" });
    assert.deepEqual(await d.berth(["rename", "old", "new"]), { code: 0, stdout: "", stderr: "" });
    assert.equal(await inspect("new", "{{.Name}}"), "/new");
  });

  test("a failed start leaves the container created, with the exit code and error, and FinishedAt unset", async () => {
    await d.berth(["create", "--name", "broken", "busybox", "no-such-binary"]);
    const start = await d.berth(["start", "broken"]);
    assert.equal(start.code, 1);
    assert.match(start.stderr, /^Error response from daemon: .*exec: "no-such-binary": executable file not found in \$PATH: unknown\n/);
    assert.match(start.stderr, /\nError: failed to start containers: broken\n$/);
    assert.equal(await inspect("broken", "{{.State.Status}} {{.State.ExitCode}} {{.State.FinishedAt}}"), "created 127 0001-01-01T00:00:00Z");
    assert.match(await inspect("broken", "{{.State.Error}}"), /executable file not found/);
    // wait on a stopped container reports the recorded error, as Docker does.
    const waited = await client.containers.wait("broken");
    assert.equal(waited.StatusCode, 127);
    assert.match(waited.Error?.Message ?? "", /executable file not found/);
  });

  test("waiting through a failed start of an --rm container: the exit code, no error", async () => {
    const { Id } = await client.containers.create({ Image: "busybox", Cmd: ["no-such-binary"], HostConfig: { AutoRemove: true } });
    const removed = await client.containers.watchExit(Id, { condition: "removed" });
    await assert.rejects(client.containers.start(Id), /executable file not found/);
    assert.deepEqual(await removed.result, { StatusCode: 127 });
    const run = await d.berth(["run", "--rm", "busybox", "no-such-binary"]);
    assert.equal(run.code, 127);
    assert.doesNotMatch(run.stderr, /waiting/i);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
