// `logs` beyond the basics in containers.test.ts: stdout and stderr apart
// with --tail and -t, --since/--until against the log's own timestamps, -f
// until the container exits, a TTY's single stream, and bad time values.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startDaemon, type Daemon } from "./harness.js";

describe("container logs", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    // Two bursts a little apart, so --since/--until have a boundary to cut at.
    const r = await d.berth(["run", "--name", "talker", "busybox", "sh", "-c", "echo a1; echo e1 >&2; sleep 1.2; echo a2; echo e2 >&2; printf partial"]);
    assert.equal(r.code, 0);
  });
  after(async () => {
    await d?.destroy();
  });

  const timestamped = async () => {
    const r = await d.berth(["logs", "-t", "talker"]);
    const lines = [...r.stdout.split("\n"), ...r.stderr.split("\n")].filter(Boolean);
    return new Map(lines.map((l) => [l.slice(l.indexOf(" ") + 1), l.slice(0, l.indexOf(" "))]));
  };

  test("stdout and stderr stay apart; a last line without newline is kept as is", async () => {
    const r = await d.berth(["logs", "talker"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "a1\na2\npartial");
    assert.equal(r.stderr, "e1\ne2\n");
  });

  test("--tail counts lines across both streams", async () => {
    const two = await d.berth(["logs", "--tail", "2", "talker"]);
    assert.equal(two.stdout, "partial");
    assert.equal(two.stderr, "e2\n");
    assert.deepEqual(await d.berth(["logs", "-n", "0", "talker"]), { code: 0, stdout: "", stderr: "" });
    const all = await d.berth(["logs", "--tail", "all", "talker"]);
    assert.equal(all.stdout, "a1\na2\npartial");
  });

  test("-t puts RFC 3339 nano timestamps in front of every line", async () => {
    const stamps = await timestamped();
    assert.deepEqual([...stamps.keys()].sort(), ["a1", "a2", "e1", "e2", "partial"]);
    for (const t of stamps.values()) assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z$/);
  });

  test("--since and --until cut at the log's timestamps", async () => {
    const stamps = await timestamped();
    const secondBurst = stamps.get("a2")!;
    const since = await d.berth(["logs", "--since", secondBurst, "talker"]);
    assert.equal(since.stdout, "a2\npartial");
    assert.equal(since.stderr, "e2\n");
    const until = await d.berth(["logs", "--until", stamps.get("e1")!, "talker"]);
    assert.equal(until.stdout, "a1\n");
    assert.equal(until.stderr, "e1\n");
    // A Unix timestamp and a duration are accepted too.
    const unix = String(Math.floor(Date.parse(secondBurst) / 1000) + 1);
    assert.equal((await d.berth(["logs", "--since", unix, "talker"])).stdout, "");
    assert.equal((await d.berth(["logs", "--since", "10m", "talker"])).stdout, "a1\na2\npartial");
  });

  test("bad --since/--until values are named like the docker CLI names them", async () => {
    const bogus = await d.berth(["logs", "--since", "bogus", "talker"]);
    assert.deepEqual(bogus, { code: 1, stdout: "", stderr: 'invalid value for "since": failed to parse value as time or duration: "bogus"\n' });
    const month = await d.berth(["logs", "--until", "2024-13-01", "talker"]);
    assert.equal(month.stderr, 'invalid value for "until": parsing time "2024-13-01": month out of range\n');
    const missing = await d.berth(["logs", "ghost"]);
    assert.deepEqual(missing, { code: 1, stdout: "", stderr: "Error response from daemon: No such container: ghost\n" });
  });

  test("-f follows until the container exits", async () => {
    await d.berth(["run", "-d", "--name", "ticker", "busybox", "sh", "-c", "for i in 1 2 3; do echo t$i; echo x$i >&2; sleep 0.3; done"]);
    const r = await d.berth(["logs", "-f", "ticker"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "t1\nt2\nt3\n");
    assert.equal(r.stderr, "x1\nx2\nx3\n");
    const tail = await d.berth(["logs", "-f", "--tail", "1", "ticker"]);
    assert.equal(tail.stdout + tail.stderr, "x3\n");
  });

  test("with a TTY there is one stream, on stdout", async () => {
    assert.equal((await d.berth(["run", "-t", "--name", "tty", "busybox", "sh", "-c", "echo out; echo err >&2"])).code, 0);
    const r = await d.berth(["logs", "tty"]);
    assert.equal(r.stdout, "out\r\nerr\r\n");
    assert.equal(r.stderr, "");
  });
});
