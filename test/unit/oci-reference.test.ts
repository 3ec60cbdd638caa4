import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../src/errors.js";
import {
  familiarMatch,
  familiarString,
  looksLikeImageId,
  parseAnyReference,
  parseDockerRef,
  parseNormalizedNamed,
  referenceString,
  repositoryName,
} from "../../src/oci/reference.js";

const D = `sha256:${"a".repeat(64)}`;

// input → normalised (with :latest where docker adds it) and familiar form
const valid: [string, string, string][] = [
  ["busybox", "docker.io/library/busybox:latest", "busybox:latest"],
  ["busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"],
  ["library/busybox", "docker.io/library/busybox:latest", "busybox:latest"],
  ["docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"],
  ["index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest"],
  ["user/app", "docker.io/user/app:latest", "user/app:latest"],
  ["user/app:v1.2_3-rc", "docker.io/user/app:v1.2_3-rc", "user/app:v1.2_3-rc"],
  ["localhost/x", "localhost/x:latest", "localhost/x:latest"],
  ["localhost:5000/x:1", "localhost:5000/x:1", "localhost:5000/x:1"],
  ["my.reg:5000/a/b", "my.reg:5000/a/b:latest", "my.reg:5000/a/b:latest"],
  [`my.reg:5000/a/b@${D}`, `my.reg:5000/a/b@${D}`, `my.reg:5000/a/b@${D}`],
  [`busybox@${D}`, `docker.io/library/busybox@${D}`, `busybox@${D}`],
  [`busybox:1@${D}`, `docker.io/library/busybox@${D}`, `busybox@${D}`],
  ["quay.io/coreos/etcd", "quay.io/coreos/etcd:latest", "quay.io/coreos/etcd:latest"],
  ["a/b/c/d", "docker.io/a/b/c/d:latest", "a/b/c/d:latest"],
  ["foo_bar/x__y.z-w", "docker.io/foo_bar/x__y.z-w:latest", "foo_bar/x__y.z-w:latest"],
  ["a--b/c", "docker.io/a--b/c:latest", "a--b/c:latest"],
  ["Reg.Example.com/x", "Reg.Example.com/x:latest", "Reg.Example.com/x:latest"],
  ["[::1]:5000/x", "[::1]:5000/x:latest", "[::1]:5000/x:latest"],
  ["busybox:UPPER", "docker.io/library/busybox:UPPER", "busybox:UPPER"],
];

const invalid: [string, string][] = [
  ["Busybox", "invalid reference format: repository name (library/Busybox) must be lowercase"],
  ["user/App", "invalid reference format: repository name (user/App) must be lowercase"],
  ["", "invalid reference format"],
  ["busybox:", "invalid reference format"],
  [":tag", "invalid reference format"],
  ["busybox:-x", "invalid reference format"],
  [`busybox:${"t".repeat(129)}`, "invalid reference format"],
  ["a//b", "invalid reference format"],
  ["-a/b", "invalid reference format"],
  ["a_/b", "invalid reference format"],
  ["a/b/", "invalid reference format"],
  ["busybox@sha256:abc", "invalid reference format"],
  [`busybox@sha256:${"a".repeat(40)}`, "invalid checksum digest length"],
  [`busybox@md5:${"a".repeat(32)}`, "unsupported digest algorithm"],
  ["a".repeat(64), `invalid repository name (${"a".repeat(64)}), cannot specify 64-byte hexadecimal strings`],
  [`x/${"a".repeat(260)}`, "invalid reference format: repository name must not be more than 255 characters"],
];

describe("parseNormalizedNamed / parseDockerRef", () => {
  for (const [input, normalised, familiar] of valid) {
    it(`accepts ${input}`, () => {
      const ref = parseDockerRef(input);
      assert.equal(referenceString(ref), normalised);
      assert.equal(familiarString(ref), familiar);
    });
  }
  for (const [input, message] of invalid) {
    it(`rejects ${JSON.stringify(input.slice(0, 40))}`, () => {
      assert.throws(() => parseNormalizedNamed(input), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.equal(err.message, message);
        return true;
      });
    });
  }
  it("keeps tag and digest apart", () => {
    const ref = parseNormalizedNamed(`localhost:5000/a/b:v1@${D}`);
    assert.deepEqual(ref, { domain: "localhost:5000", path: "a/b", tag: "v1", digest: D });
    assert.equal(repositoryName(ref), "localhost:5000/a/b");
  });
});

describe("parseAnyReference and IDs", () => {
  it("treats 64 hex and sha256:<hex> as IDs", () => {
    assert.deepEqual(parseAnyReference("b".repeat(64)), { kind: "id", id: `sha256:${"b".repeat(64)}` });
    assert.deepEqual(parseAnyReference(D), { kind: "id", id: D });
    assert.equal(parseAnyReference("busybox").kind, "named");
  });
  it("recognises short IDs", () => {
    assert.ok(looksLikeImageId("abc123"));
    assert.ok(looksLikeImageId("sha256:abc"));
    assert.ok(!looksLikeImageId("busybox"));
    assert.ok(!looksLikeImageId("ABC"));
  });
});

describe("familiarMatch", () => {
  const ref = parseDockerRef("busybox:1.36");
  it("matches globs like docker's reference filter", () => {
    assert.ok(familiarMatch("busy*", ref));
    assert.ok(familiarMatch("busybox:*", ref));
    assert.ok(familiarMatch("busybox", ref));
    assert.ok(familiarMatch("busybox:1.3?", ref));
    assert.ok(!familiarMatch("alpine*", ref));
    assert.ok(!familiarMatch("busybox:2*", ref));
    assert.ok(!familiarMatch("*", parseDockerRef("user/app")), "* does not cross /");
    assert.ok(familiarMatch("user/*", parseDockerRef("user/app")));
  });
});
