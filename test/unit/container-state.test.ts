import { test } from "node:test";
import assert from "node:assert/strict";
import { canTransition, isActive, transition } from "../../src/container/state.js";
import type { ContainerStatus } from "../../src/container/state.js";
import { ConflictError } from "../../src/errors.js";
import { createLocks } from "../../src/container/lock.js";

const legal: [ContainerStatus, ContainerStatus][] = [
  ["created", "running"],
  ["created", "exited"],
  ["created", "removing"],
  ["running", "paused"],
  ["running", "exited"],
  ["running", "restarting"],
  ["running", "removing"],
  ["paused", "running"],
  ["paused", "exited"],
  ["restarting", "running"],
  ["exited", "running"],
  ["exited", "removing"],
  ["removing", "dead"],
  ["dead", "removing"],
];
const illegal: [ContainerStatus, ContainerStatus][] = [
  ["created", "paused"],
  ["exited", "paused"],
  ["removing", "running"],
  ["dead", "running"],
  ["paused", "restarting"],
  ["removing", "exited"],
];

test("legal transitions return the new status", () => {
  for (const [from, to] of legal) assert.equal(transition(from, to), to, `${from} → ${to}`);
});

test("illegal transitions throw a conflict", () => {
  for (const [from, to] of illegal) {
    assert.equal(canTransition(from, to), false, `${from} → ${to}`);
    assert.throws(() => transition(from, to), (err: unknown) => err instanceof ConflictError && err.kind === "conflict");
  }
});

test("active statuses are the ones with a task", () => {
  assert.deepEqual(
    (["created", "running", "paused", "restarting", "removing", "exited", "dead"] as const).filter(isActive),
    ["running", "paused", "restarting"],
  );
});

test("the lock runs one operation per container at a time, in order", async () => {
  const locks = createLocks();
  const log: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const first = locks.withLock("a", async () => {
    log.push("a1 start");
    await gate;
    log.push("a1 end");
  });
  const second = locks.withLock("a", async () => {
    log.push("a2");
  });
  const other = locks.withLock("b", async () => {
    log.push("b");
  });
  await other;
  assert.deepEqual(log, ["a1 start", "b"]);
  release();
  await Promise.all([first, second]);
  assert.deepEqual(log, ["a1 start", "b", "a1 end", "a2"]);
  await assert.rejects(locks.withLock("a", async () => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(await locks.withLock("a", async () => 7), 7);
});
