// Containers outlive berthd: SIGKILL the daemon while a container runs, start it
// again, and the container is still running, loggable and stoppable; one that
// exited meanwhile shows its real exit code.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startDaemon, type Daemon } from "./harness.js";

describe("berthd restart", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  test("a running container survives berthd being SIGKILLed", async () => {
    await d.berth(["run", "-d", "--name", "survivor", "busybox", "sh", "-c", "echo before; sleep 2; echo after; sleep 300"]);
    await d.berth(["run", "-d", "--name", "quitter", "busybox", "sh", "-c", "sleep 1; exit 42"]);
    await d.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 2500));
    await d.restart();
    const st = await d.berth(["inspect", "--format", "{{.State.Status}}", "survivor"]);
    assert.equal(st.stdout.trim(), "running");
    const logs = await d.berth(["logs", "survivor"]);
    assert.equal(logs.stdout, "before\nafter\n");
    const q = await d.berth(["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "quitter"]);
    assert.equal(q.stdout.trim(), "exited 42");
    const ex = await d.berth(["exec", "survivor", "echo", "still here"]);
    assert.equal(ex.stdout, "still here\n");
    assert.equal((await d.berth(["stop", "-t", "1", "survivor"])).code, 0);
    const after = await d.berth(["inspect", "--format", "{{.State.Status}}", "survivor"]);
    assert.equal(after.stdout.trim(), "exited");
  });
});
