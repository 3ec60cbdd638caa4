// The real docker CLI against a private berthd. Skipped, loudly, where no
// docker client is installed; berth never needs one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { startDaemon, type Daemon, type Result } from "./harness.js";

const dockerPath = spawnSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).stdout.trim();
if (!dockerPath) console.warn("SKIPPING docker CLI tests: no docker client installed (apt-get install docker.io)");

describe("docker CLI against berthd", { skip: !dockerPath && "no docker client installed" }, () => {
  let d: Daemon;
  const docker = (args: string[], input?: string): Promise<Result> =>
    new Promise((resolve, reject) => {
      const child = spawn(dockerPath, args, {
        env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: d.dataRoot + "/docker-cli" },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c) => (stdout += c));
      child.stderr.on("data", (c) => (stderr += c));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input);
    });

  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  test("version shows both client and berthd", async () => {
    const r = await docker(["version", "--format", "{{.Server.APIVersion}}"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "1.45");
  });

  test("run, with exit codes, stdin and stderr", async () => {
    const r = await docker(["run", "--rm", "busybox", "sh", "-c", "echo hi; echo oops >&2; exit 4"]);
    assert.equal(r.code, 4);
    assert.equal(r.stdout, "hi\n");
    assert.equal(r.stderr, "oops\n");
    const i = await docker(["run", "--rm", "-i", "busybox", "cat"], "from stdin\n");
    assert.equal(i.stdout, "from stdin\n");
    const bad = await docker(["run", "--rm", "busybox", "no-such-command"]);
    assert.equal(bad.code, 127);
  });

  test("run -d, ps, logs, exec, stop, rm", async () => {
    const id = (await docker(["run", "-d", "--name", "dk", "busybox", "sh", "-c", "echo started; sleep 300"])).stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const ps = await docker(["ps", "--format", "{{.Names}}"]);
    assert.match(ps.stdout, /^dk$/m);
    for (let i = 0; i < 50 && !(await docker(["logs", "dk"])).stdout.includes("started"); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await docker(["logs", "dk"])).stdout, "started\n");
    assert.equal((await docker(["exec", "dk", "echo", "in exec"])).stdout, "in exec\n");
    assert.equal((await docker(["stop", "-t", "1", "dk"])).code, 0);
    assert.equal((await docker(["inspect", "--format", "{{.State.Status}}", "dk"])).stdout.trim(), "exited");
    assert.equal((await docker(["rm", "dk"])).code, 0);
  });

  test("images, tag, rmi, history", async () => {
    assert.match((await docker(["images", "--format", "{{.Repository}}:{{.Tag}}"])).stdout, /^busybox:latest$/m);
    assert.equal((await docker(["tag", "busybox", "bb:dk"])).code, 0);
    assert.equal((await docker(["rmi", "bb:dk"])).stdout, "Untagged: bb:dk\n");
    assert.equal((await docker(["history", "-q", "busybox"])).code, 0);
  });
});
