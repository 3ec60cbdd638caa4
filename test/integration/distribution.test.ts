// Push and pull through real registries on 127.0.0.1: the distribution
// registry (when Debian's docker-registry is installed) and berth's own
// server; a registry that serves a blob with the wrong digest.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { startDaemon, type Daemon } from "./harness.js";
import { census } from "./bad-input-fixtures.js";
import { makeContext, removeContext } from "./build-fixtures.js";
import { distributionRegistry, oneLayerImage, sha256, startDistribution, startFakeRegistry, type RunningRegistry } from "./distribution-fixtures.js";

if (!distributionRegistry) console.warn("SKIPPING pushes to the distribution registry: docker-registry is not installed (apt-get install docker-registry)");

describe("push and pull", { skip: !distributionRegistry }, () => {
  let a: Daemon;
  let b: Daemon;
  let reg: RunningRegistry;
  let ctx: string;
  before(async () => {
    [a, b, reg] = await Promise.all([startDaemon(), startDaemon({ busybox: false }), startDistribution()]);
    ctx = await makeContext({ Dockerfile: 'FROM busybox\nRUN echo pushed and pulled > /msg\nCMD ["cat", "/msg"]\n' });
  });
  after(async () => {
    await Promise.all([a?.destroy(), b?.destroy(), reg?.stop()]);
    if (ctx) await removeContext(ctx);
  });

  test("an image pushed from one daemon is pulled by another and runs", async () => {
    const name = `${reg.host}/team/app:1`;
    assert.equal((await a.berth(["build", "-q", "-t", name, ctx])).code, 0);
    const push = await a.berth(["push", name]);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, new RegExp(`The push refers to repository \\[${reg.host}/team/app\\]`));
    assert.match(push.stdout, /: Pushed$/m);
    const digest = /^1: digest: (sha256:[0-9a-f]{64}) size: \d+$/m.exec(push.stdout)?.[1];
    assert.ok(digest, push.stdout);

    const again = await a.berth(["push", name]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /: Layer already exists$/m);
    assert.doesNotMatch(again.stdout, /: Pushed$/m);

    const pull = await b.berth(["pull", name]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, /^1: Pulling from team\/app$/m);
    assert.match(pull.stdout, new RegExp(`^Digest: ${digest}$`, "m"));
    assert.match(pull.stdout, new RegExp(`^Status: Downloaded newer image for ${reg.host}/team/app:1$`, "m"));
    assert.equal((await b.berth(["run", "--rm", name])).stdout, "pushed and pulled\n");
    const ids = await Promise.all([a, b].map(async (d) => (await d.berth(["image", "inspect", "--format", "{{.Id}}", name])).stdout.trim()));
    assert.equal(ids[0], ids[1], "the same image on both sides");
    const repoDigests = (await b.berth(["image", "inspect", "--format", "{{json .RepoDigests}}", name])).stdout.trim();
    assert.equal(repoDigests, JSON.stringify([`${reg.host}/team/app@${digest}`]));

    const upToDate = await b.berth(["pull", name]);
    assert.match(upToDate.stdout, /Status: Image is up to date/);
    const byDigest = await b.berth(["pull", `${reg.host}/team/app@${digest}`]);
    assert.equal(byDigest.code, 0, byDigest.stderr);
  });

  test("a push to another repository of the same registry mounts the layers it has", async () => {
    const name = `${reg.host}/team/app:1`;
    const other = `${reg.host}/team/other:1`;
    assert.equal((await a.berth(["tag", name, other])).code, 0);
    const r = await a.berth(["push", other]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: Mounted from team\/app$/m);
    assert.doesNotMatch(r.stdout, /: Pushed$/m);
    // And the mounted repository serves the image.
    const pull = await b.berth(["pull", other]);
    assert.equal(pull.code, 0, pull.stderr);
  });

  test("a tag the registry does not have is reported as Docker words it", async () => {
    const r = await b.berth(["pull", `${reg.host}/team/app:nope`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /manifest for .*team\/app:nope not found: manifest unknown/);
  });

  test("a blob whose bytes do not match its digest is refused and nothing of the pull is kept", async () => {
    const layer = gzipSync(Buffer.alloc(1024));
    const image = oneLayerImage(layer, sha256(Buffer.alloc(1024)));
    const tampered = Buffer.from(layer);
    tampered[tampered.length - 1] ^= 0xff;
    image.blobs.set(sha256(layer), tampered);
    const fake = await startFakeRegistry({ repo: "evil/app", tag: "1", ...image });
    try {
      const before = census(b.dataRoot);
      const r = await b.berth(["pull", `${fake.host}/evil/app:1`]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /digest/i);
      assert.equal((await b.berth(["images", "-q", `${fake.host}/evil/app`])).stdout, "");
      // The config landed before the layer failed: the failed pull's garbage is collected at once.
      assert.deepEqual(census(b.dataRoot), before);
    } finally {
      await fake.stop();
    }
  });
});
