// The pieces under the server, as tables: route matching, version
// negotiation, query booleans.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRouter, type Handler } from "../../src/api/router.js";
import { compareVersions, negotiateVersion } from "../../src/api/versions.js";
import { boolParam } from "../../src/api/query.js";

describe("router", () => {
  const named = (name: string): Handler => Object.assign(async () => {}, { label: name });
  const router = createRouter([
    { method: "GET", path: "/images/json", handler: named("list") },
    { method: "GET", path: "/images/{name*}/json", handler: named("inspect") },
    { method: "DELETE", path: "/images/{name*}", handler: named("remove") },
    { method: "GET", path: "/containers/{id}/json", handler: named("cinspect") },
  ]);
  const rows: [string, string, string | undefined, Record<string, string>?][] = [
    ["GET", "/images/json", "list", {}],
    ["GET", "/images/busybox/json", "inspect", { name: "busybox" }],
    ["GET", "/images/localhost:5000/foo/bar/json", "inspect", { name: "localhost:5000/foo/bar" }],
    ["GET", "/images/json/json", "inspect", { name: "json" }],
    ["GET", "/images/a%2Fb%40sha256:1/json", "inspect", { name: "a/b@sha256:1" }],
    ["DELETE", "/images/reg:5000/x:1", "remove", { name: "reg:5000/x:1" }],
    ["GET", "/containers/abc/json", "cinspect", { id: "abc" }],
    ["GET", "/containers/a/b/json", undefined],
    ["POST", "/images/json", undefined],
    ["GET", "/images//json", undefined],
  ];
  for (const [method, path, label, params] of rows) {
    test(`${method} ${path} → ${label ?? "no match"}`, () => {
      const hit = router.match(method, path);
      assert.equal((hit?.handler as { label?: string } | undefined)?.label, label);
      if (params) assert.deepEqual(hit?.params, params);
    });
  }

  test("a malformed escape is a 400-kind error", () => {
    assert.throws(() => router.match("GET", "/containers/%zz/json"), { name: "InvalidArgumentError" });
  });
});

describe("versions", () => {
  const rows: [string, string, string | RegExp][] = [
    ["/_ping", "1.45", "/_ping"],
    ["/v1.45/_ping", "1.45", "/_ping"],
    ["/v1.24/containers/json", "1.24", "/containers/json"],
    ["/v1.9/_ping", "", /client version 1\.9 is too old/],
    ["/v1.100/_ping", "", /client version 1\.100 is too new. Maximum supported API version is 1\.45/],
    ["/v2/_ping", "", /too new/],
    ["/version", "1.45", "/version"],
  ];
  for (const [path, version, expected] of rows) {
    test(`${path}`, () => {
      if (typeof expected === "string") assert.deepEqual(negotiateVersion(path), { version, path: expected });
      else assert.throws(() => negotiateVersion(path), expected);
    });
  }

  test("versions compare numerically", () => {
    assert.equal(compareVersions("1.9", "1.10"), -1);
    assert.equal(compareVersions("1.45", "1.45"), 0);
    assert.equal(compareVersions("1.45.0", "1.45"), 0);
  });
});

describe("query booleans as dockerd parses them", () => {
  const rows: [string, boolean][] = [
    ["x=1", true],
    ["x=true", true],
    ["x=True", true],
    ["x=yes", true],
    ["x=0", false],
    ["x=false", false],
    ["x=", false],
    ["x=no", false],
    ["x=none", false],
    ["", false],
  ];
  for (const [query, expected] of rows) {
    test(`?${query} → ${expected}`, () => {
      assert.equal(boolParam(new URLSearchParams(query), "x"), expected);
    });
  }
});
