// `attach` to a running container — its output, its stdin, its exit code —
// and, under a real terminal (util-linux `script` gives the CLI one), the
// ctrl-p ctrl-q detach of attach, exec -it and run -it, which leaves the
// container running with its stdin still open for the next client.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { berthBin, startDaemon, type Daemon } from "./harness.js";

const DETACH = "\x10\x11";

/** A berth command run in a pseudo-terminal, with what it printed so far. */
interface Terminal {
  proc: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp): Promise<void>;
  type(text: string): void;
  exit: Promise<number>;
}

describe("container attach", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.destroy();
  });

  const inTerminal = (args: string[]): Terminal => {
    const command = [process.execPath, berthBin, "-H", d.host, ...args].map((a) => `'${a}'`).join(" ");
    const proc = spawn("script", ["-qec", command, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    proc.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    const exit = new Promise<number>((resolve) => proc.on("close", (code) => resolve(code ?? -1)));
    return {
      proc,
      output: () => out,
      async waitFor(pattern) {
        for (let i = 0; i < 200 && !pattern.test(out); i++) await sleep(50);
        assert.match(out, pattern);
      },
      type: (text) => proc.stdin!.write(text),
      exit,
    };
  };

  const status = async (name: string) => (await d.berth(["inspect", "--format", "{{.State.Status}}", name])).stdout.trim();

  test("attach streams a running container's stdout and stderr apart and exits with its code", async () => {
    await d.berth(["run", "-d", "--name", "ticker", "busybox", "sh", "-c", "sleep 1; for i in 1 2; do echo out$i; echo err$i >&2; sleep 0.2; done; exit 4"]);
    const r = await d.berth(["attach", "ticker"]);
    assert.equal(r.code, 4);
    assert.equal(r.stdout, "out1\nout2\n");
    assert.equal(r.stderr, "err1\nerr2\n");
  });

  test("attach passes stdin to an -i container", async () => {
    await d.berth(["run", "-d", "-i", "--name", "reader", "busybox", "sh", "-c", "read line; echo got $line"]);
    const r = await d.berth(["attach", "reader"], { input: "hello\n" });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "got hello\n");
  });

  test("attach refuses a stopped container, as the docker CLI does", async () => {
    await d.berth(["create", "--name", "idle", "busybox", "true"]);
    assert.deepEqual(await d.berth(["attach", "idle"]), { code: 1, stdout: "", stderr: "You cannot attach to a stopped container, start it first\n" });
  });

  test("under a TTY: type into attach, detach with ctrl-p ctrl-q, the container runs on", async () => {
    await d.berth(["run", "-dit", "--name", "shell", "busybox", "sh"]);
    const t = inTerminal(["attach", "shell"]);
    await sleep(300);
    t.type("echo hi $((1+2))\r");
    await t.waitFor(/hi 3\r\n/);
    // Raw output: the container's TTY already wrote \r\n, the local terminal adds nothing.
    assert.doesNotMatch(t.output(), /\r\r\n/);
    t.type(DETACH);
    assert.equal(await t.exit, 1);
    assert.match(t.output(), /read escape sequence\r\n$/);
    assert.equal(await status("shell"), "running");
  });

  test("exec -it detaches the same way; the exec keeps running", async () => {
    const t = inTerminal(["exec", "-it", "shell", "sh"]);
    await sleep(300);
    t.type("echo from exec\r");
    await t.waitFor(/from exec\r\n/);
    t.type(DETACH);
    assert.equal(await t.exit, 1);
    assert.match(t.output(), /read escape sequence\r\n$/);
  });

  test("run -it then detach exits 0; stdin stays open, so a later attach can type", async () => {
    const run = inTerminal(["run", "-it", "--name", "interactive", "busybox", "sh"]);
    await run.waitFor(/# /);
    run.type("echo first\r");
    await run.waitFor(/first\r\n/);
    run.type(DETACH);
    assert.equal(await run.exit, 0);
    assert.doesNotMatch(run.output(), /escape sequence/);
    assert.equal(await status("interactive"), "running");

    const again = inTerminal(["start", "-ai", "interactive"]);
    await sleep(300);
    again.type("echo second\r");
    await again.waitFor(/second\r\n/);
    again.type("exit 6\r");
    assert.equal(await again.exit, 6);
    assert.equal(await status("interactive"), "exited");
  });

  test("--detach-keys picks another sequence", async () => {
    const t = inTerminal(["attach", "--detach-keys", "ctrl-x", "shell"]);
    await sleep(300);
    t.type("echo custom\r");
    await t.waitFor(/custom\r\n/);
    t.type("\x18");
    assert.equal(await t.exit, 1);
    assert.equal(await status("shell"), "running");
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
