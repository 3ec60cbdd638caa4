import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSignal } from "../../src/container/signals.js";
import { InvalidArgumentError } from "../../src/errors.js";

test("signal names with or without SIG, any case, and numbers", () => {
  const cases: [string | number, number][] = [
    ["SIGTERM", 15],
    ["TERM", 15],
    ["term", 15],
    ["SIGKILL", 9],
    ["KILL", 9],
    ["9", 9],
    [9, 9],
    ["SIGHUP", 1],
    ["SIGUSR1", 10],
    ["USR2", 12],
    ["SIGWINCH", 28],
    ["SIGRTMIN", 34],
    ["RTMIN+3", 37],
    ["SIGRTMAX", 64],
    ["SIGRTMAX-2", 62],
    ["64", 64],
  ];
  for (const [raw, n] of cases) assert.equal(parseSignal(raw), n, String(raw));
});

test("unknown signals are a bad parameter", () => {
  for (const bad of ["SIGFOO", "0", "65", "-1", "", "RTMIN+40", "1.5"]) {
    assert.throws(() => parseSignal(bad), (err: unknown) => err instanceof InvalidArgumentError && err.message === `Invalid signal: ${bad}`, bad);
  }
});
