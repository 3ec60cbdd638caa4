// Every error kind has a status, and the mapping is Docker's.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  BerthError,
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  NotModifiedError,
  SystemError,
  UnauthorizedError,
  UnavailableError,
} from "../../src/errors.js";
import { statusByKind, statusOf } from "../../src/api/errors.js";

describe("api error mapping", () => {
  const rows: [BerthError | Error, number][] = [
    [new InvalidArgumentError("x"), 400],
    [new UnauthorizedError("x"), 401],
    [new ForbiddenError("x"), 403],
    [new NotFoundError("x"), 404],
    [new ConflictError("x"), 409],
    [new NotModifiedError("x"), 304],
    [new NotImplementedError("x"), 501],
    [new UnavailableError("x"), 503],
    [new SystemError("x"), 500],
    [new Error("plain"), 500],
    [new TypeError("bug"), 500],
  ];
  for (const [err, status] of rows) {
    test(`${err.constructor.name} → ${status}`, () => {
      assert.equal(statusOf(err), status);
    });
  }

  test("every ErrorKind has a row", () => {
    const kinds = rows.filter(([e]) => e instanceof BerthError).map(([e]) => (e as BerthError).kind);
    assert.deepEqual(new Set(Object.keys(statusByKind)), new Set(kinds));
    for (const kind of kinds) assert.equal(typeof statusByKind[kind], "number");
  });
});
