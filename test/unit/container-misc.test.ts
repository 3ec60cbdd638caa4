// Pure pieces of the container service: detach keys, ps status text, top's
// ps parsing, runc start errors in Docker's words, restart-policy decisions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createDetachScanner, parseDetachKeys } from "../../src/container/detach-keys.js";
import { humanDuration, statusText } from "../../src/container/status-text.js";
import { parsePs } from "../../src/container/top.js";
import { startFailure } from "../../src/container/start-error.js";
import { restartDelay, shouldRestart } from "../../src/container/restart-policy.js";
import { initialState, type ContainerRecord } from "../../src/container/records.js";
import { InvalidArgumentError, SystemError } from "../../src/errors.js";

test("detach keys in Docker's notation", () => {
  assert.deepEqual([...parseDetachKeys("ctrl-p,ctrl-q")], [16, 17]);
  assert.deepEqual([...parseDetachKeys("a,ctrl-@,ctrl-[,ctrl-_")], [97, 0, 27, 31]);
  assert.throws(() => parseDetachKeys("ctrl-1"), InvalidArgumentError);
  assert.throws(() => parseDetachKeys("abc"), InvalidArgumentError);
});

test("the detach scanner holds back a partial sequence and releases it on a mismatch", () => {
  const s = createDetachScanner(Buffer.from([16, 17]));
  assert.deepEqual(s.push(Buffer.from("ab")), { forward: Buffer.from("ab"), detach: false });
  assert.deepEqual(s.push(Buffer.from([16])), { forward: Buffer.alloc(0), detach: false });
  assert.deepEqual(s.push(Buffer.from("x")), { forward: Buffer.from([16, 120]), detach: false });
  assert.deepEqual(s.push(Buffer.from([104, 16, 16])), { forward: Buffer.from([104, 16]), detach: false });
  assert.deepEqual(s.push(Buffer.from([17, 99])), { forward: Buffer.alloc(0), detach: true });
});

test("human durations as go-units words them", () => {
  const s = 1000;
  const h = 3600 * s;
  const rows: [number, string][] = [
    [500, "Less than a second"],
    [1 * s, "1 second"],
    [42 * s, "42 seconds"],
    [61 * s, "About a minute"],
    [5 * 60 * s, "5 minutes"],
    [59 * 60 * s, "59 minutes"],
    [60 * 60 * s, "About an hour"],
    [3 * h, "3 hours"],
    [47 * h, "47 hours"],
    [3 * 24 * h, "3 days"],
    [20 * 24 * h, "2 weeks"],
    [90 * 24 * h, "3 months"],
    [800 * 24 * h, "2 years"],
  ];
  for (const [ms, text] of rows) assert.equal(humanDuration(ms), text, String(ms));
});

test("ps status column", () => {
  const now = Date.parse("2024-01-01T01:00:00Z");
  const base = initialState();
  assert.equal(statusText(base, now), "Created");
  assert.equal(statusText({ ...base, status: "running", startedAt: "2024-01-01T00:55:00Z" }, now), "Up 5 minutes");
  assert.equal(statusText({ ...base, status: "paused", startedAt: "2024-01-01T00:59:30Z" }, now), "Up 30 seconds (Paused)");
  assert.equal(statusText({ ...base, status: "exited", exitCode: 3, finishedAt: "2024-01-01T00:00:00Z" }, now), "Exited (3) About an hour ago");
  assert.equal(statusText({ ...base, status: "removing" }, now), "Removal In Progress");
  assert.equal(statusText({ ...base, status: "dead" }, now), "Dead");
});

test("top keeps the container's rows of ps and joins the last column", () => {
  const out = [
    "UID          PID    PPID  C STIME TTY          TIME CMD",
    "root           1       0  0 10:00 ?        00:00:01 /sbin/init",
    "root        4242    4200  0 10:01 ?        00:00:00 sleep 300",
    "nobody      4243    4242  0 10:01 ?        00:00:00 sh -c echo hi there",
    "",
  ].join("\n");
  const top = parsePs(out, new Set([4242, 4243]));
  assert.deepEqual(top.Titles, ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]);
  assert.deepEqual(top.Processes, [
    ["root", "4242", "4200", "0", "10:01", "?", "00:00:00", "sleep 300"],
    ["nobody", "4243", "4242", "0", "10:01", "?", "00:00:00", "sh -c echo hi there"],
  ]);
  assert.throws(() => parsePs("USER COMMAND\nroot x\n", new Set([1])), /Couldn't find PID field in ps output/);
});

test("runc start failures in Docker's words, with the exit code the container records", () => {
  const notFound = startFailure(
    new Error('runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH'),
  );
  assert.equal(notFound.exitCode, 127);
  assert.ok(notFound.error instanceof InvalidArgumentError);
  assert.equal(
    notFound.error.message,
    'failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown',
  );
  const denied = startFailure(new Error('unable to start container process: exec: "/etc": permission denied'));
  assert.equal(denied.exitCode, 126);
  const other = startFailure(new Error("conmon failed: something odd"));
  assert.equal(other.exitCode, 128);
  assert.ok(other.error instanceof SystemError);
  const exec = startFailure(new Error('unable to start container process: exec: "nope": executable file not found in $PATH'), "exec");
  assert.equal(
    exec.error.message,
    'OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown',
  );
});

function record(policy: string, max: number, state: Partial<ContainerRecord["state"]>): ContainerRecord {
  return {
    id: "x",
    name: "/x",
    imageId: "sha256:0",
    imageRef: "busybox",
    created: "2024-01-01T00:00:00Z",
    path: "true",
    args: [],
    config: {},
    hostConfig: { RestartPolicy: { Name: policy as "always", MaximumRetryCount: max } },
    rootfsMounts: [],
    state: { ...initialState(), status: "exited", ...state },
  };
}

test("restart policies decide on the exit", () => {
  assert.equal(shouldRestart(record("no", 0, { exitCode: 1 }), false), false);
  assert.equal(shouldRestart(record("always", 0, { exitCode: 0 }), false), true);
  assert.equal(shouldRestart(record("always", 0, { exitCode: 0 }), true), false);
  assert.equal(shouldRestart(record("unless-stopped", 0, { exitCode: 0 }), false), true);
  assert.equal(shouldRestart(record("on-failure", 0, { exitCode: 0 }), false), false);
  assert.equal(shouldRestart(record("on-failure", 2, { exitCode: 1, restartCount: 1 }), false), true);
  assert.equal(shouldRestart(record("on-failure", 2, { exitCode: 1, restartCount: 2 }), false), false);
  assert.equal(shouldRestart(record("always", 0, { status: "running" }), false), false);
});

test("the restart delay doubles for quick failures and starts over after a healthy run", () => {
  const quick = { startedAt: "2024-01-01T00:00:00Z", finishedAt: "2024-01-01T00:00:01Z" };
  assert.equal(restartDelay(record("always", 0, { ...quick, restartCount: 0 })), 100);
  assert.equal(restartDelay(record("always", 0, { ...quick, restartCount: 3 })), 800);
  assert.equal(restartDelay(record("always", 0, { ...quick, restartCount: 20 })), 60_000);
  assert.equal(restartDelay(record("always", 0, { startedAt: "2024-01-01T00:00:00Z", finishedAt: "2024-01-01T00:01:00Z", restartCount: 9 })), 100);
});
