// The healthcheck state machine and settings (container/health.ts), the
// --health-* and runtime flags of run/create, ulimit and log-config checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyResult,
  checkHealthcheck,
  goDuration,
  initialHealth,
  mergeHealthcheck,
  nextDelay,
  probeArgs,
  probeSettings,
  type HealthConfig,
  type HealthResult,
} from "../../src/container/health.js";
import { mergeConfig } from "../../src/container/config.js";
import type { ContainerCreateBody } from "../../src/api/types/index.js";
import { checkUlimits, rlimitsOf } from "../../src/container/ulimits.js";
import { logSettings } from "../../src/container/log-config.js";
import { goDurationNanos, healthcheckOf } from "../../src/cli/commands/health-flags.js";
import { deviceFlag, restartPolicy, runtimeHostConfig } from "../../src/cli/commands/runtime-flags.js";
import { hostHardLimit } from "../../src/runtime/rlimits.js";

const result = (ExitCode: number): HealthResult => ({ Start: "s", End: "e", ExitCode, Output: "" });
const settings = probeSettings({ Interval: 1e9, Retries: 2, StartPeriod: 5e9 });

test("probe args: CMD, CMD-SHELL with the container's shell, NONE and empty", () => {
  assert.deepEqual(probeArgs({ Test: ["CMD", "true", "x"] }), ["true", "x"]);
  assert.deepEqual(probeArgs({ Test: ["CMD-SHELL", "exit 1"] }), ["/bin/sh", "-c", "exit 1"]);
  assert.deepEqual(probeArgs({ Test: ["CMD-SHELL", "x"] }, ["/bin/bash", "-xc"]), ["/bin/bash", "-xc", "x"]);
  assert.equal(probeArgs({ Test: ["NONE"] }), undefined);
  assert.equal(probeArgs(undefined), undefined);
});

test("defaults as dockerd: 30s interval and timeout, 3 retries, 5s start interval", () => {
  assert.deepEqual(probeSettings({}), { intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, startIntervalMs: 5_000, retries: 3 });
});

test("state machine: healthy on success, unhealthy after `retries` failures, streak reset", () => {
  let s = initialHealth();
  s = applyResult(s, result(0), { settings, sinceStartMs: 6000 });
  assert.deepEqual([s.Status, s.FailingStreak], ["healthy", 0]);
  s = applyResult(s, result(1), { settings, sinceStartMs: 7000 });
  assert.deepEqual([s.Status, s.FailingStreak], ["healthy", 1]);
  s = applyResult(s, result(1), { settings, sinceStartMs: 8000 });
  assert.deepEqual([s.Status, s.FailingStreak], ["unhealthy", 2]);
  s = applyResult(s, result(0), { settings, sinceStartMs: 9000 });
  assert.deepEqual([s.Status, s.FailingStreak], ["healthy", 0]);
});

test("failures inside the start period do not count while starting", () => {
  let s = initialHealth();
  for (let i = 0; i < 4; i++) s = applyResult(s, result(1), { settings, sinceStartMs: 1000 * i });
  assert.deepEqual([s.Status, s.FailingStreak, s.Log.length], ["starting", 0, 4]);
  s = applyResult(s, result(1), { settings, sinceStartMs: 6000 });
  assert.deepEqual([s.Status, s.FailingStreak], ["starting", 1]);
});

test("the log keeps the last five results; a new run starts over but keeps the log", () => {
  let s = initialHealth();
  for (let i = 0; i < 7; i++) s = applyResult(s, result(i), { settings, sinceStartMs: 10_000 });
  assert.deepEqual(s.Log.map((r) => r.ExitCode), [2, 3, 4, 5, 6]);
  const again = initialHealth(s);
  assert.deepEqual([again.Status, again.FailingStreak, again.Log.length], ["starting", 0, 5]);
});

test("next probe: start interval while starting in the start period, else the interval", () => {
  const st = probeSettings({ Interval: 10e9, StartInterval: 1e9, StartPeriod: 5e9 });
  assert.equal(nextDelay(initialHealth(), { settings: st, sinceStartMs: 1000 }), 1000);
  assert.equal(nextDelay(initialHealth(), { settings: st, sinceStartMs: 6000 }), 10_000);
  assert.equal(nextDelay({ ...initialHealth(), Status: "healthy" }, { settings: st, sinceStartMs: 1000 }), 10_000);
});

test("create checks and image merge, in dockerd's words", () => {
  assert.throws(() => checkHealthcheck({ Interval: 1000 }), /^InvalidArgumentError: Interval in Healthcheck cannot be less than 1ms$/);
  assert.throws(() => checkHealthcheck({ Timeout: -1 }), /Timeout in Healthcheck cannot be less than 1ms/);
  assert.throws(() => checkHealthcheck({ Retries: -1 }), /Retries in Healthcheck cannot be negative/);
  checkHealthcheck({ Interval: 0, Timeout: 1e6 });
  assert.deepEqual(mergeHealthcheck({ Interval: 2e9 }, { Test: ["CMD", "x"], Interval: 1e9, Retries: 4 }), { Test: ["CMD", "x"], Interval: 2e9, Retries: 4 });
  assert.deepEqual(mergeHealthcheck(undefined, { Test: ["NONE"] }), { Test: ["NONE"] });
});

test("unset Healthcheck fields are left out, as dockerd omits them (docker-py sends null)", () => {
  const fromDockerPy = { Test: ["CMD", "true"], Interval: null, Timeout: 0, Retries: null, StartPeriod: null } as unknown as HealthConfig;
  assert.deepEqual(mergeHealthcheck(fromDockerPy, undefined), { Test: ["CMD", "true"] });
  assert.deepEqual(mergeHealthcheck(fromDockerPy, { Test: ["CMD", "x"], Retries: 4 }), { Test: ["CMD", "true"], Retries: 4 });
  assert.deepEqual(mergeHealthcheck({ Test: [], Interval: null } as unknown as HealthConfig, undefined), {});
  const config = mergeConfig({ Image: "busybox", Healthcheck: fromDockerPy }, undefined);
  assert.deepEqual(config.Healthcheck, { Test: ["CMD", "true"] });
  const noCheck = mergeConfig({ Image: "busybox", Healthcheck: null } as unknown as ContainerCreateBody, undefined);
  assert.equal("Healthcheck" in noCheck, false);
});

test("Go durations, both ways", () => {
  assert.equal(goDuration(200), "200ms");
  assert.equal(goDuration(30_000), "30s");
  assert.equal(goDuration(90_000), "1m30s");
  assert.equal(goDuration(1500), "1.5s");
  assert.equal(goDurationNanos("1m30s"), 90e9);
  assert.equal(goDurationNanos("200ms"), 200e6);
  assert.equal(goDurationNanos("0"), 0);
  assert.throws(() => goDurationNanos("abc"), /time: invalid duration "abc"/);
  assert.throws(() => goDurationNanos("5"), /time: missing unit in duration "5"/);
});

test("--health-* flags: omitempty fields, --no-healthcheck and its conflict", () => {
  assert.deepEqual(healthcheckOf({ healthCmd: "true", healthInterval: 1e9 }), { Test: ["CMD-SHELL", "true"], Interval: 1e9 });
  assert.deepEqual(healthcheckOf({ healthcheck: false }), { Test: ["NONE"] });
  assert.equal(healthcheckOf({}), undefined);
  assert.throws(() => healthcheckOf({ healthcheck: false, healthRetries: 1 }), /--no-healthcheck conflicts with --health-\* options/);
  assert.throws(() => healthcheckOf({ healthTimeout: -1 }), /--health-timeout cannot be negative/);
});

test("runtime flags: restart policy, devices, modes", () => {
  assert.deepEqual(restartPolicy("on-failure:3"), { Name: "on-failure", MaximumRetryCount: 3 });
  assert.deepEqual(restartPolicy("always"), { Name: "always", MaximumRetryCount: 0 });
  assert.throws(() => restartPolicy("always:3"), /maximum retry count can only be used with 'on-failure'/);
  assert.deepEqual(deviceFlag("/dev/fuse"), { PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm" });
  assert.deepEqual(deviceFlag("/dev/fuse:r"), { PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "r" });
  assert.deepEqual(deviceFlag("/dev/fuse:/dev/f:rw"), { PathOnHost: "/dev/fuse", PathInContainer: "/dev/f", CgroupPermissions: "rw" });
  assert.throws(() => deviceFlag("/dev/fuse:/dev/f:rx"), /invalid device mode: rx/);
  assert.throws(() => runtimeHostConfig({ restart: "always" }, { autoRemove: true }), /conflicting options: cannot specify both --restart and --rm/);
  assert.throws(() => runtimeHostConfig({ userns: "remap" }, { autoRemove: false }), /--userns: invalid USER mode/);
  assert.deepEqual(runtimeHostConfig({ logDriver: "local", logOpt: ["max-size=1m"] }, { autoRemove: false }).LogConfig, {
    Type: "local",
    Config: { "max-size": "1m" },
  });
});

test("ulimits: names, soft ≤ hard, the daemon's own hard limit; -1 is unlimited", () => {
  const limit = (name: string) => (name === "nofile" ? 20_000 : undefined);
  checkUlimits([{ Name: "nofile", Soft: 1024, Hard: 20_000 }], limit);
  assert.throws(() => checkUlimits([{ Name: "nofile", Soft: 1024, Hard: 20_001 }], limit), /ulimit nofile: hard limit 20001 is above the daemon's own hard limit 20000/);
  assert.throws(() => checkUlimits([{ Name: "nofile", Soft: 1, Hard: -1 }], limit), /hard limit unlimited is above/);
  assert.throws(() => checkUlimits([{ Name: "foo", Soft: 1, Hard: 1 }], limit), /invalid ulimit type: foo/);
  assert.throws(() => checkUlimits([{ Name: "nproc", Soft: 3, Hard: 2 }], limit), /soft limit must be less than or equal to hard limit: 3 > 2/);
  assert.deepEqual(rlimitsOf([{ Name: "nofile", Soft: 10, Hard: 20 }]), [{ type: "RLIMIT_NOFILE", soft: 10, hard: 20 }]);
});

test("hostHardLimit reads /proc/self/limits, and is no limit with CAP_SYS_RESOURCE", () => {
  const limits = "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\n";
  const read = (caps: string) => (p: string) => (p.endsWith("status") ? `Name:\tx\nCapEff:\t${caps}\n` : limits);
  assert.equal(hostHardLimit("nofile", read("0000000000000000")), 20_000);
  assert.equal(hostHardLimit("nofile", read("000001ffffffffff")), undefined);
});

test("log config: drivers, options and sizes in dockerd's words", () => {
  assert.deepEqual(logSettings({ Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } }), { none: false, maxSize: 10 * 1024 * 1024, maxFile: 3 });
  assert.deepEqual(logSettings({ Type: "local" as never, Config: {} }), { none: false, maxSize: 20 * 1024 * 1024, maxFile: 5 });
  assert.deepEqual(logSettings({ Type: "none" as never, Config: { "max-file": "3" } }), { none: true, maxFile: 1 });
  assert.throws(() => logSettings({ Type: "nosuch" as never }), /error looking up logging plugin nosuch: plugin "nosuch" not found/);
  assert.throws(() => logSettings({ Type: "json-file", Config: { foo: "1" } }), /unknown log opt 'foo' for json-file log driver/);
  assert.throws(() => logSettings({ Type: "json-file", Config: { "max-size": "abc" } }), /invalid size: 'abc'/);
});
