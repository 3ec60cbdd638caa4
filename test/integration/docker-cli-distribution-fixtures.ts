// Helpers for docker-cli-distribution.test.ts: reading what `docker push` printed.
import assert from "node:assert/strict";

/** The manifest digest from push's closing `<tag>: digest: sha256:… size: N` line. */
export function pushedDigest(stdout: string, tag: string): string {
  const m = new RegExp(`^${tag}: digest: (sha256:[0-9a-f]{64}) size: \\d+$`, "m").exec(stdout);
  assert.ok(m, `no digest line for ${tag} in:\n${stdout}`);
  return m[1]!;
}
