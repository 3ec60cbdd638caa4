// `exec` beyond containers.test.ts: the process environment Docker builds
// (TERM follows the exec's TTY; -e NAME unsets), -u with Docker's groups,
// -w, -d, exit codes of execs that cannot start, and exec inspect.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startDaemon, type Daemon } from "./harness.js";
import { createClient, type Client } from "../../src/client/client.js";

describe("container exec", () => {
  let d: Daemon;
  let client: Client;
  before(async () => {
    d = await startDaemon();
    client = createClient({ host: d.host });
    const r = await d.berth(["run", "-d", "--name", "box", "-e", "FROM_RUN=1", "-e", "GONE=x", "busybox", "sleep", "300"]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    client?.close();
    await d?.destroy();
  });

  test("the environment: PATH, HOSTNAME, the container's, the exec's; a bare NAME unsets", async () => {
    const host = (await d.berth(["inspect", "--format", "{{.Config.Hostname}}", "box"])).stdout.trim();
    const r = await d.berth(["exec", "-e", "EXTRA=2", "-e", "GONE", "box", "env"], { env: { GONE: "" } });
    assert.equal(r.code, 0);
    const env = r.stdout.split("\n").filter(Boolean);
    assert.deepEqual(env, [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      `HOSTNAME=${host}`,
      "FROM_RUN=1",
      "GONE=",
      "EXTRA=2",
      "HOME=/root",
    ]);
    // A bare name (what `-e NAME` sends when the client has no NAME) removes the variable.
    const { Id } = await client.exec.create("box", { Cmd: ["env"], Env: ["FROM_RUN"], AttachStdout: true, AttachStderr: true });
    const stream = await client.exec.start(Id, { tty: false });
    let out = "";
    for await (const chunk of stream.output) out += chunk.data.toString();
    assert.doesNotMatch(out, /FROM_RUN/);
    assert.match(out, /^GONE=x$/m);
  });

  test("-t gives the exec a terminal and TERM=xterm; without it, no TERM", async () => {
    const tty = await d.berth(["exec", "-t", "box", "sh", "-c", 'test -t 1 && echo "tty $TERM"']);
    assert.equal(tty.stdout, "tty xterm\r\n");
    const plain = await d.berth(["exec", "box", "sh", "-c", 'echo "term=${TERM:-none}"']);
    assert.equal(plain.stdout, "term=none\n");
  });

  test("-u and -w; the primary group is a supplementary group too, as in Docker", async () => {
    assert.equal((await d.berth(["exec", "box", "id"])).stdout, "uid=0(root) gid=0(root) groups=0(root),10(wheel)\n");
    const nobody = await d.berth(["exec", "-u", "nobody", "-w", "/tmp", "box", "sh", "-c", "id; pwd"]);
    assert.equal(nobody.stdout, "uid=65534(nobody) gid=65534(nobody) groups=65534(nobody)\n/tmp\n");
    const numeric = await d.berth(["exec", "-u", "1234:5678", "box", "id"]);
    assert.equal(numeric.stdout, "uid=1234 gid=5678 groups=5678\n");
  });

  test("-d returns at once and the command runs on", async () => {
    const r = await d.berth(["exec", "-d", "box", "sh", "-c", "sleep 0.3; echo done > /tmp/marker"]);
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    for (let i = 0; i < 50; i++) {
      if ((await d.berth(["exec", "box", "cat", "/tmp/marker"])).stdout === "done\n") return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail("the detached exec never wrote its marker");
  });

  test("an exec that cannot start: 127 not found, 126 not executable or no such user", async () => {
    const missing = await d.berth(["exec", "box", "no-such-cmd"]);
    assert.equal(missing.code, 127);
    assert.match(missing.stdout + missing.stderr, /OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-cmd": executable file not found in \$PATH: unknown/);
    assert.equal((await d.berth(["exec", "box", "/etc"])).code, 126);
    const user = await d.berth(["exec", "-u", "ghost", "box", "true"]);
    assert.equal(user.code, 126);
    assert.match(user.stdout + user.stderr, /unable to find user ghost: no matching entries in passwd file/);
  });

  test("exec inspect records the exit code and the exec is listed on the container", async () => {
    const { Id } = await client.exec.create("box", { Cmd: ["sh", "-c", "exit 9"], AttachStdout: true, AttachStderr: true });
    const stream = await client.exec.start(Id, { tty: false });
    for await (const _ of stream.output) void _;
    const info = await client.exec.inspect(Id);
    assert.equal(info.ExitCode, 9);
    assert.equal(info.Running, false);
    const ids = JSON.parse((await d.berth(["inspect", "--format", "{{json .ExecIDs}}", "box"])).stdout) as string[];
    assert.ok(ids.includes(Id));
  });

  test("exec into a stopped or missing container", async () => {
    await d.berth(["create", "--name", "idle", "busybox", "true"]);
    const id = (await d.berth(["inspect", "--format", "{{.Id}}", "idle"])).stdout.trim();
    assert.deepEqual(await d.berth(["exec", "idle", "true"]), {
      code: 1,
      stdout: "",
      stderr: `Error response from daemon: Container ${id} is not running\n`,
    });
    const missing = await d.berth(["exec", "ghost", "true"]);
    assert.equal(missing.stderr, "Error response from daemon: No such container: ghost\n");
    const bad = await d.berth(["exec", "-e", "=x", "box", "true"]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /^invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x\n/);
  });
});
