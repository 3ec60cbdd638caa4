import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../src/errors.js";
import { checkFilterKeys, filterTimestamp, parseFilters } from "../../src/oci/filters.js";

describe("filters", () => {
  it("parses both JSON forms Docker clients send", () => {
    assert.deepEqual([...parseFilters('{"label":["a=b","c"],"dangling":["true"]}')], [
      ["label", ["a=b", "c"]],
      ["dangling", ["true"]],
    ]);
    assert.deepEqual([...parseFilters('{"reference":{"busybox":true,"x":false}}')], [["reference", ["busybox"]]]);
    assert.equal(parseFilters(undefined).size, 0);
    assert.throws(() => parseFilters("[1]"), /invalid filter: \[1\]/);
    assert.throws(() => checkFilterKeys(parseFilters('{"until":["1h"]}'), ["label"]), /invalid filter 'until'/);
  });

  it("reads until/since values as Docker's GetTimestamp does", () => {
    const now = Date.parse("2024-05-01T12:00:00Z");
    assert.equal(filterTimestamp("1h", now), now - 3600_000);
    assert.equal(filterTimestamp("1m30s", now), now - 90_000);
    assert.equal(filterTimestamp("2024-04-30T10:00:00Z", now), Date.parse("2024-04-30T10:00:00Z"));
    assert.equal(filterTimestamp("2024-04-30T10:00:00.5+02:00", now), Date.parse("2024-04-30T08:00:00.5Z"));
    assert.equal(filterTimestamp("1714564800", now), 1714564800_000);
    assert.equal(filterTimestamp("1714564800.25", now), 1714564800_250);
    assert.equal(filterTimestamp("0", now), 0);
    assert.throws(() => filterTimestamp("yesterday", now), (e: unknown) => {
      return e instanceof InvalidArgumentError && e.message === 'failed to parse value as time or duration: "yesterday"';
    });
  });
});
