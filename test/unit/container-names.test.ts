import { test } from "node:test";
import assert from "node:assert/strict";
import { generateName, nameInUse, normalizeName } from "../../src/container/names.js";
import { ConflictError, InvalidArgumentError } from "../../src/errors.js";

test("names are stored with a leading slash", () => {
  assert.equal(normalizeName("web"), "/web");
  assert.equal(normalizeName("/web"), "/web");
  assert.equal(normalizeName("a.b-c_d1"), "/a.b-c_d1");
});

test("invalid names are rejected with Docker's message", () => {
  for (const bad of ["a", "-web", "we b", "web/1", "", "_x"]) {
    assert.throws(
      () => normalizeName(bad),
      (err: unknown) =>
        err instanceof InvalidArgumentError && err.message === `Invalid container name (${bad}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
      bad,
    );
  }
});

test("generated names look like Docker's and avoid taken ones", () => {
  const taken = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const name = generateName((n) => taken.has(n));
    assert.match(name, /^\/[a-z]+_[a-z]+\d?$/);
    assert.ok(!taken.has(name));
    taken.add(name);
  }
});

test("a duplicate name is a conflict in Docker's words", () => {
  const id = "a".repeat(64);
  const err = nameInUse("/web", id);
  assert.ok(err instanceof ConflictError);
  assert.equal(
    err.message,
    `Conflict. The container name "/web" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
});
